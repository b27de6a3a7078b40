use leptos::prelude::*;
use leptos_router::hooks::use_location;

use domain::access::Role;

use crate::components::accounts::share_panel::SharePanel;
use crate::components::variance::unread_badge::UnreadBadge;
use crate::features::Features;
use crate::time_machine::page_data::FundMeta;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    TimeMachine,
    Variance,
    Reserves,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Overview, Tab::TimeMachine, Tab::Variance, Tab::Reserves];

    pub fn slug(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::TimeMachine => "time-machine",
            Tab::Variance => "variance",
            Tab::Reserves => "reserves",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::TimeMachine => "Time Machine",
            Tab::Variance => "Variance",
            Tab::Reserves => "Reserves",
        }
    }

    /// A tab whose feature flag is off is hidden and its route answers 404.
    pub fn enabled(self, f: &Features) -> bool {
        match self {
            Tab::Overview => true,
            Tab::TimeMachine => f.time_machine,
            Tab::Variance => f.variance,
            Tab::Reserves => f.optimal_reserves,
        }
    }
}

/// Fund name with a switcher to the other funds, and the tabs. Tab links keep the chosen dates;
/// the tabs and the unread count are a live region (`components::live_page`), so they follow the
/// slider and inbox changes without a reload.
#[component]
pub fn HubHeader(meta: FundMeta, tab: Tab) -> impl IntoView {
    let location = use_location();
    let id = meta.id;
    let others: Vec<_> = meta.funds.iter().filter(|f| f.id != id).cloned().collect();
    let tabs = Tab::ALL
        .into_iter()
        .filter(|t| t.enabled(&meta.features))
        .map(|t| {
            let href = move || {
                let q = location.query.read();
                let mut keep = leptos_router::params::ParamsMap::new();
                for key in ["at", "known_at"] {
                    if let Some(v) = q.get(key) {
                        keep.insert(key, v);
                    }
                }
                format!("/funds/{id}/{}{}", t.slug(), keep.to_query_string())
            };
            view! {
                <a href=href class="tab" class:active=t == tab aria-current=(t == tab).then_some("page") data-tab=t.slug()>
                    {t.label()}
                </a>
            }
        })
        .collect_view();
    view! {
        <header class="hub-header">
            <div class="fund-title">
                <h1>{meta.name.clone()}</h1>
                <span class="muted">
                    {format!("{} committed", crate::components::format::money(meta.size))}
                    {meta.vintage.map(|v| format!(" · vintage {v}"))}
                </span>
                {(!others.is_empty()).then(|| view! {
                    <details class="fund-switcher">
                        <summary>"Switch fund"</summary>
                        <ul>
                            {others.into_iter().map(|f| view! {
                                <li><a href=format!("/funds/{}/{}", f.id, tab.slug())>{f.name}</a></li>
                            }).collect_view()}
                        </ul>
                    </details>
                })}
            </div>
            <nav class="tabs" aria-label="Fund views" data-live="hub-tabs">
                {tabs}
                {meta.features.variance.then(|| view! { <UnreadBadge fund_id=id.to_string()/> })}
            </nav>
            {meta.role.allows(Role::Admin).then(|| view! {
                <a class="audit-link" href=format!("/funds/{id}/members")>"Members & audit"</a>
            })}
            {if meta.role.allows(Role::Analyst) {
                view! { <a class="audit-link" href=format!("/funds/{id}/import") data-test="import-link">"Import & export"</a> }.into_any()
            } else {
                view! { <a class="audit-link" href=format!("/api/funds/{id}/ledger.csv") download="ledger.csv" data-test="export-link">"Export ledger"</a> }.into_any()
            }}
            {meta.role.allows(Role::Analyst).then(|| {
                let q = location.query.read_untracked();
                view! { <SharePanel fund_id=id.to_string() tab=tab.slug() at=q.get("at") known_at=q.get("known_at")/> }
            })}
        </header>
    }
    .into_any()
}
