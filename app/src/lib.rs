//! Fundlens's web application: Leptos pages and server functions, plus (server side only) the
//! PostgreSQL store and services they call.
//!
//! Islands mode: pages render on the server; only the components marked `#[island]` (the date
//! slider, forms with in-place results, the theme toggle…) are hydrated and compiled to WASM.
//! Server-rendered regions refresh in place through `components::live_page`.

// Leptos view types nest deeply; the release build of the alert list's layout needs more than 128.
#![recursion_limit = "256"]

pub mod accounts;
pub mod components;
pub mod features;
pub mod funds;
pub mod ledger;
pub mod reserves;
pub mod routes;
pub mod time_machine;
pub mod variance;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use components::accounts::user_menu::UserMenu;
use components::live_page::LivePage;
use components::theme_toggle::ThemeToggle;
use routes::fund::overview::OverviewPage;
use routes::fund::alerts::AlertsPage;
use routes::fund::audit::AuditPage;
use routes::fund::import::{ImportPage, LedgerUploadPage};
use routes::fund::members::MembersPage;
use routes::fund::reserves::ReservesPage;
use routes::fund::variance::VariancePage;
use routes::fund::time_machine::TimeMachinePage;
use routes::account::AccountPage;
use routes::home::HomePage;
use routes::login::LoginPage;
use routes::share::SharePage;
use routes::not_found::NotFound;

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme="light">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Routes render on the server with all their data (SsrMode::Async), so a copied URL shows the
/// complete page before any WASM loads, and without JavaScript.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/fundlens.css"/>
        <Title text="Fundlens"/>
        <Router>
            <nav class="topbar">
                <a class="brand" href="/">"Fundlens"</a>
                <ThemeToggle/>
                <UserMenu/>
            </nav>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                <Route path=path!("/share/:token") view=SharePage ssr=SsrMode::Async/>
                <Route path=path!("/funds/:id/overview") view=OverviewPage ssr=SsrMode::Async/>
                <Route path=path!("/funds/:id/time-machine") view=TimeMachinePage ssr=SsrMode::Async/>
                <Route path=path!("/funds/:id/variance") view=VariancePage ssr=SsrMode::Async/>
                <Route path=path!("/funds/:id/alerts") view=AlertsPage ssr=SsrMode::Async/>
                <Route path=path!("/funds/:id/audit") view=AuditPage ssr=SsrMode::Async/>
                <Route path=path!("/funds/:id/members") view=MembersPage ssr=SsrMode::Async/>
                <Route path=path!("/funds/:id/import") view=ImportPage ssr=SsrMode::Async/>
                <Route path=path!("/funds/:id/import/:upload_id") view=LedgerUploadPage ssr=SsrMode::Async/>
                <Route path=path!("/funds/:id/reserves") view=ReservesPage ssr=SsrMode::Async/>
            </Routes>
            <LivePage/>
        </Router>
    }
}

/// What the browser bundle runs: hydrate the islands on the page.
#[cfg(feature = "hydrate")]
pub fn hydrate_islands() {
    leptos::mount::hydrate_islands();
}
