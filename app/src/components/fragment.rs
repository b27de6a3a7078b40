//! Server-rendered fragments reused across page renders. Some parts of a page are a pure function
//! of data that never changes once written — the ranking table and charts of one reserve run, the
//! parameter tables of one set of assumptions — yet they are most of the page's HTML and most of
//! its render time. [`Fragment`] renders such a part once per key and reuses the HTML.
//!
//! A key must name everything the fragment shows (a run id names an immutable result), and a
//! fragment must not contain an island (it is inserted as plain HTML). In the browser build the
//! view is rendered as usual.

use leptos::prelude::*;

/// Most HTML kept, in bytes.
#[cfg(feature = "ssr")]
const MAX_BYTES: u64 = 32 * 1024 * 1024;

#[cfg(feature = "ssr")]
fn cache() -> &'static moka::sync::Cache<String, std::sync::Arc<str>> {
    static CACHE: std::sync::OnceLock<moka::sync::Cache<String, std::sync::Arc<str>>> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| {
        moka::sync::Cache::builder()
            .weigher(|k: &String, v: &std::sync::Arc<str>| (k.len() + v.len()).try_into().unwrap_or(u32::MAX))
            .max_capacity(MAX_BYTES)
            .build()
    })
}

/// `build()`'s HTML, rendered once per `key` (see the module). The HTML sits in a
/// `<div class="fragment">`, which takes no box of its own (`display: contents`).
pub fn fragment<V, F>(key: String, build: F) -> AnyView
where
    V: IntoView + 'static,
    F: FnOnce() -> V,
{
    #[cfg(feature = "ssr")]
    {
        view! { <div class="fragment" inner_html=fragment_html(key, build)/> }.into_any()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = key;
        build().into_any()
    }
}

/// A hash of what a fragment shows, for its key.
pub fn key_hash<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// `build()`'s HTML as a string, rendered once per `key`, for rows written with
/// `components::html::Html` (no wrapper).
pub fn fragment_html<V, F>(key: String, build: F) -> std::sync::Arc<str>
where
    V: IntoView + 'static,
    F: FnOnce() -> V,
{
    #[cfg(feature = "ssr")]
    {
        cache().get_with(key, || build().into_view().to_html().into())
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = key;
        build().into_view().to_html().into()
    }
}

/// A part of one page rendered to HTML at most once in that page's render. On the server a
/// `<Suspense>` runs its children three times (two walks that register the resources they read,
/// then the render itself), and everything the children build is built each time: for the hub's
/// live regions (hundreds of table rows) that was two thirds of a page's render. Create it in the
/// page component, outside the `<Suspense>`, and build the region through it. The region must not
/// contain an island (it is inserted as plain HTML).
#[derive(Clone, Default)]
pub struct RenderOnce(std::sync::Arc<std::sync::OnceLock<std::sync::Arc<str>>>);

impl RenderOnce {
    /// `build()`'s HTML: rendered the first time, the same string after.
    pub fn html<V, F>(&self, build: F) -> std::sync::Arc<str>
    where
        V: IntoView + 'static,
        F: FnOnce() -> V,
    {
        self.0.get_or_init(|| build().into_view().to_html().into()).clone()
    }
}
