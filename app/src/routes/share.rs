use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::accounts::get_shared_report;
use crate::accounts::page_data::SharedReport;
use crate::components::format::{date, day};
use crate::components::reserves::parameters_panel::ParametersPanel;
use crate::components::time_machine::company_table::CompanyTable;
use crate::components::time_machine::events_list::EventsList;
use crate::components::time_machine::kpi_cards::KpiCards;
use crate::components::time_machine::nav_chart::NavChart;
use crate::components::variance::heat_map::HeatMap;
use crate::components::variance::variance_table::VarianceTable;

/// `/share/{token}`: a shared, read-only report, complete on the server, for readers without an
/// account. Refused links (altered, expired, revoked) get a 403 page saying which.
#[component]
pub fn SharePage() -> impl IntoView {
    let params = use_params_map();
    let report = Resource::new(move || params.read().get("token").unwrap_or_default(), get_shared_report);
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(r) => shared_report(r).into_any(),
                    Err(e) => view! {
                        <main class="page" data-test="share-refused">
                            <h1>"This link cannot be opened"</h1>
                            <p role="alert">{server_message(&e)}</p>
                            <p class="muted">"Ask the person who shared it for a new link."</p>
                        </main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn shared_report(r: SharedReport) -> impl IntoView {
    let known = r.known_at.map(|k| format!(", as known on {}", day(k))).unwrap_or_default();
    let title = match r.tab.as_str() {
        "time-machine" => "Time Machine",
        "variance" => "Variance",
        "reserves" => "Reserves",
        _ => "Overview",
    };
    let body = if let Some(p) = r.reserves {
        match p.ranking {
            Some(ranking) => {
                let adjustments = crate::components::reserves::parameters_panel::adjustment_lines(&ranking.report);
                view! {
                    {crate::routes::fund::reserves::ranking_view(ranking, p.changes_since, None, None).into_any()}
                    <ParametersPanel parameters=p.parameters editor=None calibration=p.calibration adjustments=adjustments/>
                }.into_any()
            }
            None => view! {
                <p class="empty" data-test="no-ranking">"The ranking for this date is being calculated; reload in a moment."</p>
                <noscript><meta http-equiv="refresh" content="2"/></noscript>
            }.into_any(),
        }
    } else if let Some(v) = r.variance {
        view! {
            <HeatMap cells=v.heat_map href=Callback::new(|_: (uuid::Uuid, domain::fund::Metric)| String::new()) selected=None/>
            <VarianceTable rows=v.rows.into_iter().take(500).collect() chart_href=Callback::new(|_: (String, String)| String::new())/>
        }.into_any()
    } else if let Some(d) = r.dated {
        view! {
            <KpiCards kpis=d.state.kpis.clone()/>
            <NavChart series=d.series.clone() at=d.at/>
            <CompanyTable companies=d.state.companies.clone()/>
            <EventsList events=d.events.clone() title="Events around this date"/>
        }
        .into_any()
    } else {
        view! { <p class="empty">"Nothing to show."</p> }.into_any()
    };
    view! {
        <main class="page shared-report" data-test="shared-report">
            <header class="page-header">
                <h1>{r.fund_name}</h1>
                <p class="subtitle">{format!("{title} at {}{known}", day(r.at))}</p>
                <p class="muted">{format!("Shared read-only · link valid until {}", date(r.expires_at))}</p>
            </header>
            {body}
        </main>
    }
}

/// The server's message without the transport's prefix.
fn server_message(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    }
}
