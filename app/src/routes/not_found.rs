use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page">
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to your funds"</a></p>
        </main>
    }
}
