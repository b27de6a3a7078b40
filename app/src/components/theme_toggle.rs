use leptos::prelude::*;

/// Light / dark switch (an island). Works after hydration; the page is fully readable without it.
#[island]
pub fn ThemeToggle() -> impl IntoView {
    let dark = RwSignal::new(false);
    Effect::new(move |_| {
        let theme = if dark.get() { "dark" } else { "light" };
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme);
        }
    });
    view! {
        <button
            type="button"
            class="theme-toggle"
            data-test="theme-toggle"
            aria-pressed=move || dark.get().to_string()
            on:click=move |_| dark.update(|d| *d = !*d)
        >
            {move || if dark.get() { "Light theme" } else { "Dark theme" }}
        </button>
    }
}
