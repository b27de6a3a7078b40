//! Server-rendered regions that follow the URL and the data without a page reload.
//!
//! The app runs in islands mode: only the interactive controls (`#[island]`) are hydrated and
//! compiled to WASM. Everything that only shows data (KPI cards, tables, charts, the tabs and the
//! unread count) is rendered on the server and marked `data-live="<name>"`. When the URL changes
//! in place (the date slider, back/forward) or an island changed data (an actual recorded, an
//! alert resolved), the page's one [`LivePage`] island fetches the page at the current URL — once,
//! whatever the number of regions — and swaps each region's content for the fresh one. If that
//! cannot be done (signed out meanwhile, a region missing from the answer, the network), it falls
//! back to loading the URL as a normal page, so the screen never shows stale figures silently.
//! `<html data-live-href>` names the URL the regions currently show.
//!
//! Forms inside live regions (revoke, mark read, resolve, take a snapshot) are server-rendered
//! form posts to a server function, marked `data-enhance`. Without JavaScript they post and the
//! server sends the browser back to the page. With it, [`LivePage`] posts them in the background,
//! shows the server's error message next to the form, or on success clears the form and
//! refreshes the live regions.

use leptos::prelude::*;

/// The window event that asks [`LivePage`] to re-read the live regions from the server.
pub const REFRESH_EVENT: &str = "fundlens:refresh";
/// The window event [`LivePage`] sends after it swapped the live regions for fresh ones.
pub const REFRESHED_EVENT: &str = "fundlens:refreshed";

/// Makes the page re-read its live regions each time `succeeded` turns true: an island's action
/// went through and changed data those regions show (e.g.
/// `refresh_when(move || matches!(action.value().get(), Some(Ok(_))))`).
pub fn refresh_when(succeeded: impl Fn() -> bool + 'static) {
    Effect::new(move |_| {
        if succeeded() {
            #[cfg(feature = "hydrate")]
            browser::dispatch_refresh();
        }
    });
}

/// Make `url` (same origin, path and query) the current URL as a new history entry, then refresh
/// the live regions from it. Back and forward return to earlier URLs the same way.
pub fn navigate_in_place(url: &str) {
    #[cfg(feature = "hydrate")]
    {
        if let Ok(history) = window().history() {
            if history.push_state_with_url(&leptos::wasm_bindgen::JsValue::NULL, "", Some(url)).is_err() {
                let _ = window().location().assign(url);
                return;
            }
        }
        browser::dispatch_refresh();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// The current URL's query parameter `key` (browser only; `None` on the server).
pub fn current_query(key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let search = window().location().search().ok()?;
        web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(key).filter(|v| !v.is_empty())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

/// Calls `on_change` whenever the URL changes in place (slider, back/forward), data changed, or
/// the browser restored the page from its back/forward cache (its figures may be old).
pub fn on_page_change(on_change: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let on_change = std::rc::Rc::new(on_change);
        let (on_popstate, on_pageshow) = (on_change.clone(), on_change.clone());
        let refresh = window_event_listener_untyped(REFRESH_EVENT, move |_| on_change());
        let popstate = window_event_listener_untyped("popstate", move |_| on_popstate());
        let pageshow = window_event_listener_untyped("pageshow", move |event| {
            let restored = event.dyn_ref::<web_sys::PageTransitionEvent>().is_some_and(|e| e.persisted());
            if restored {
                on_pageshow();
            }
        });
        on_cleanup(move || {
            refresh.remove();
            popstate.remove();
            pageshow.remove();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = on_change;
}

/// Once per page, last in the body (islands hydrate in document order, so when this one runs the
/// others have): marks the page hydrated, keeps the live regions current and posts the
/// `data-enhance` forms in the background.
#[island]
pub fn LivePage() -> impl IntoView {
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        {
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("data-hydrated", "true");
            }
            if let Ok(href) = window().location().href() {
                browser::mark_shown(&href);
            }
            on_page_change(|| leptos::task::spawn_local(browser::refresh_regions()));
            let submit = window_event_listener(leptos::ev::submit, browser::on_submit);
            on_cleanup(move || submit.remove());
        }
    });
    view! { <span class="live-page" hidden=true></span> }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::sync::atomic::{AtomicU64, Ordering};

    use leptos::prelude::*;
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{DomParser, Element, FormData, HtmlFormElement, RequestInit, Response, SupportedType, UrlSearchParams};

    /// The latest refresh; an answer for an older one is dropped (the slider moved on).
    static LATEST: AtomicU64 = AtomicU64::new(0);

    pub fn dispatch_refresh() {
        if let Ok(event) = web_sys::Event::new(super::REFRESH_EVENT) {
            let _ = window().dispatch_event(&event);
        }
    }

    pub async fn refresh_regions() {
        let generation = LATEST.fetch_add(1, Ordering::SeqCst) + 1;
        let Ok(href) = window().location().href() else { return };
        let regions = live_regions();
        if regions.is_empty() {
            mark_shown(&href);
            return; // nothing on this page follows the URL or the data
        }
        for region in &regions {
            let _ = region.set_attribute("aria-busy", "true");
        }
        let fresh = fetch_page(&href).await;
        if LATEST.load(Ordering::SeqCst) != generation {
            return; // a newer refresh owns the regions now
        }
        let applied = fresh.and_then(|doc| {
            for region in &regions {
                let name = region.get_attribute("data-live").unwrap_or_default();
                let selector = format!("[data-live=\"{name}\"]");
                let replacement = doc.query_selector(&selector).ok().flatten().ok_or(JsValue::NULL)?;
                region.set_inner_html(&replacement.inner_html());
                let _ = region.remove_attribute("aria-busy");
            }
            document().set_title(&doc.title());
            mark_shown(&href);
            if let Ok(event) = web_sys::Event::new(super::REFRESHED_EVENT) {
                let _ = window().dispatch_event(&event);
            }
            Ok(())
        });
        if applied.is_err() {
            let _ = window().location().assign(&href);
        }
    }

    /// Records on `<html data-live-href>` the URL the live regions show, so anyone (a test, a
    /// screen reader script) can tell fresh regions from ones still showing the previous URL.
    pub fn mark_shown(href: &str) {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-live-href", href);
        }
    }

    fn live_regions() -> Vec<Element> {
        let Ok(list) = document().query_selector_all("[data-live]") else { return Vec::new() };
        (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into::<Element>().ok()).collect()
    }

    /// The page at `href`, parsed; an error when it is not the page asked for (a redirect to the
    /// sign-in form, an error status) so the caller loads it as a whole page instead.
    async fn fetch_page(href: &str) -> Result<web_sys::Document, JsValue> {
        let response: Response = JsFuture::from(window().fetch_with_str(href)).await?.dyn_into()?;
        if !response.ok() || response.redirected() {
            return Err(JsValue::NULL);
        }
        let text = JsFuture::from(response.text()?).await?.as_string().ok_or(JsValue::NULL)?;
        DomParser::new()?.parse_from_string(&text, SupportedType::TextHtml)
    }

    /// A submitted `data-enhance` form: post it in the background instead of leaving the page.
    pub fn on_submit(event: web_sys::SubmitEvent) {
        let Some(form) = event.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else { return };
        if !form.has_attribute("data-enhance") || form.get_attribute("aria-busy").as_deref() == Some("true") {
            return;
        }
        event.prevent_default();
        leptos::task::spawn_local(async move {
            let _ = form.set_attribute("aria-busy", "true");
            let outcome = post_form(&form).await;
            let _ = form.remove_attribute("aria-busy");
            show_form_error(&form, outcome.as_ref().err().map(String::as_str));
            if outcome.is_ok() {
                form.reset();
                dispatch_refresh();
            }
        });
    }

    /// Posts the form to its server function; the error is the server's message for the user.
    async fn post_form(form: &HtmlFormElement) -> Result<(), String> {
        let unreachable = || "The server could not be reached. Check the connection and try again.".to_string();
        let data = FormData::new_with_form(form).map_err(|_| unreachable())?;
        let body = UrlSearchParams::new_with_str_sequence_sequence(&data).map_err(|_| unreachable())?;
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&body);
        let headers = web_sys::Headers::new().map_err(|_| unreachable())?;
        let _ = headers.set("Accept", "application/json");
        init.set_headers(&headers);
        let fetched = JsFuture::from(window().fetch_with_str_and_init(&form.action(), &init)).await.map_err(|_| unreachable())?;
        let response: Response = fetched.dyn_into().map_err(|_| unreachable())?;
        if response.ok() {
            return Ok(());
        }
        let text = match response.text() {
            Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
            Err(_) => String::new(),
        };
        Err(server_message(&text, response.status()))
    }

    /// A server function's error body is `Kind|message`; the message is what the user reads.
    fn server_message(body: &str, status: u16) -> String {
        let message = body.split_once('|').map(|(_, m)| m).unwrap_or(body).trim();
        if message.is_empty() {
            format!("The server refused the request (HTTP {status}).")
        } else {
            message.to_string()
        }
    }

    /// The form's error line (created after the form on first use), shown or cleared.
    fn show_form_error(form: &HtmlFormElement, message: Option<&str>) {
        let existing = form.next_element_sibling().filter(|e| e.has_attribute("data-form-error"));
        match (existing, message) {
            (Some(line), Some(m)) => line.set_text_content(Some(m)),
            (Some(line), None) => line.remove(),
            (None, Some(m)) => {
                if let Ok(line) = document().create_element("p") {
                    line.set_class_name("error");
                    let _ = line.set_attribute("role", "alert");
                    let _ = line.set_attribute("data-form-error", "");
                    line.set_text_content(Some(m));
                    let _ = form.after_with_node_1(&line);
                }
            }
            (None, None) => {}
        }
    }
}
