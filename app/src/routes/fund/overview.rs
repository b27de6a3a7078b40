use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{HubHeader, Tab};
use crate::components::fragment::RenderOnce;
use crate::components::time_machine::company_table::CompanyTable;
use crate::components::time_machine::date_form::DateForm;
use crate::components::time_machine::events_list::EventsList;
use crate::components::time_machine::kpi_cards::KpiCards;
use crate::components::time_machine::nav_chart::NavChart;
use crate::components::overview_panel::OverviewPanelView;
use crate::funds::get_overview_panel;
use crate::time_machine::{get_dated_view, get_fund_meta};

/// `/funds/{id}/overview?at=`: the fund's figures at a date.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let meta = Resource::new(id, get_fund_meta);
    let dated = Resource::new(
        move || {
            let q = query.read();
            (id(), q.get("at"), q.get("known_at"))
        },
        |(id, at, known_at)| get_dated_view(id, at, known_at, None),
    );
    let panel = Resource::new(
        move || {
            let q = query.read();
            (id(), q.get("at"), q.get("known_at"))
        },
        |(id, at, known_at)| get_overview_panel(id, at, known_at),
    );
    // The page's content, rendered once per page render (see `RenderOnce`).
    let region = RenderOnce::default();
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || {
                let region = region.clone();
                Suspend::new(async move {
                let (m, d, p) = (meta.await, dated.await, panel.await);
                match (m, d) {
                    (Ok(m), Ok(d)) => {
                        let keep = {
                            let mut q = leptos_router::params::ParamsMap::new();
                            q.insert("at", d.at.format("%Y-%m-%d").to_string());
                            if let Some(k) = d.known_at {
                                q.insert("known_at", k.format("%Y-%m-%d").to_string());
                            }
                            q.to_query_string()
                        };
                        let fund_id = m.id.to_string();
                        let (first_day, today) = (m.first_day, m.today);
                        view! {
                        <HubHeader meta=m.clone() tab=Tab::Overview/>
                        <main class="page" inner_html=region.html(move || view! {
                            <DateForm at=d.at known_at=d.known_at compare=None first_day=first_day today=today/>
                            <KpiCards kpis=d.state.kpis.clone()/>
                            {p.ok().map(|p| view! { <OverviewPanelView panel=p fund_id=fund_id.clone() query=keep.clone()/> })}
                            <NavChart series=d.series.clone() at=d.at/>
                            <CompanyTable companies=d.state.companies.clone()/>
                            <EventsList events=d.events.clone() title="Recent events"/>
                        })></main>
                    }.into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <main class="page"><p class="error" role="alert">{e.to_string()}</p></main> }.into_any(),
                }
                })
            }}
        </Suspense>
    }
}
