use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{HubHeader, Tab};
use crate::components::fragment::{fragment, key_hash, RenderOnce};
use crate::components::time_machine::company_table::CompanyTable;
use crate::components::time_machine::date_form::DateForm;
use crate::components::time_machine::date_slider::DateSlider;
use crate::components::time_machine::diff_table::DiffTable;
use crate::components::time_machine::event_forms::EventForms;
use crate::components::time_machine::events_list::EventsList;
use crate::components::time_machine::kpi_cards::KpiCards;
use crate::components::time_machine::nav_chart::NavChart;
use crate::components::time_machine::snapshots_panel::SnapshotsPanel;
use crate::routes::not_found::NotFound;
use crate::time_machine::page_data::{DatedView, FundMeta};
use crate::time_machine::{get_dated_view, get_fund_meta, list_fund_companies};

/// `/funds/{id}/time-machine?at=&known_at=&compare=`: scrub through the fund's history.
///
/// Rendered on the server. The slider and the snapshots panel are islands; everything that
/// depends on the dates is the live region `tm-dated`, which the slider refreshes in place.
#[component]
pub fn TimeMachinePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let meta = Resource::new(id, get_fund_meta);
    let dated = Resource::new(
        move || {
            let q = query.read();
            (id(), q.get("at"), q.get("known_at"), q.get("compare"))
        },
        |(id, at, known_at, compare)| get_dated_view(id, at, known_at, compare),
    );
    let region = RenderOnce::default();
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || {
                let region = region.clone();
                Suspend::new(async move {
                match (meta.await, dated.await) {
                    (Ok(m), _) if !m.features.time_machine => view! { <NotFound/> }.into_any(),
                    (Ok(m), Ok(d)) => time_machine_body(m, d, region).into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <main class="page"><p class="error" role="alert">{e.to_string()}</p></main> }.into_any(),
                }
                })
            }}
        </Suspense>
    }
}

/// `region`: the dated live region, rendered once per page render.
fn time_machine_body(meta: FundMeta, d: DatedView, region: RenderOnce) -> impl IntoView {
    let (first_day, today) = (meta.first_day, meta.today);
    let fund_id = meta.id.to_string();
    let at = d.at;
    let analyst = meta.role.allows(domain::access::Role::Analyst);
    view! {
        <HubHeader meta=meta.clone() tab=Tab::TimeMachine/>
        <main class="page time-machine">
            <DateSlider first_day=first_day today=today ticks=meta.ticks.clone() at=at/>
            <div class="live" data-live="tm-dated" inner_html=region.html(|| dated_content(d, first_day, today, analyst.then(|| fund_id.clone())))></div>
            {analyst.then(|| view! { <EventFormsRegion fund_id=fund_id.clone() today=today first_day=first_day/> })}
            <SnapshotsPanel fund_id=fund_id can_take=analyst/>
        </main>
    }
}

/// `correct_for`: the fund id when the viewer may correct events (offered as known now only).
fn dated_content(d: DatedView, first_day: chrono::NaiveDate, today: chrono::NaiveDate, correct_for: Option<String>) -> impl IntoView {
    let known_note = d.known_at.map(|k| {
        view! {
            <p class="notice" data-test="known-at-note">
                {format!("As known on {}: facts recorded later are left out. ", k.format("%-d %b %Y"))}
                "Figures marked “known now” or “revised” have changed since."
            </p>
        }
    });
    let exists = d.state.exists;
    view! {
        <DateForm at=d.at known_at=d.known_at compare=d.compare first_day=first_day today=today/>
        {known_note}
        {(!exists).then(|| view! { <p class="notice">"The fund did not exist yet on this date."</p> })}
        <KpiCards kpis=d.state.kpis.clone() now=d.now_state.as_ref().map(|n| n.kpis.clone()).unwrap_or_else(|| d.state.kpis.clone())/>
        <NavChart series=d.series.clone() at=d.at/>
        <CompanyTable companies=d.state.companies.clone() now=d.now_state.as_ref().map(|n| n.companies.clone()).unwrap_or_default()/>
        {d.diff.clone().map(|diff| view! { <DiffTable data=diff/> })}
        <EventsList events=d.events.clone() title="Events in the 60 days to this date" correct_for=correct_for.filter(|_| d.known_at.is_none())/>
    }
}

/// The event forms for analysts, in a live region of their own: a company added through them
/// appears in the other forms' company lists without a reload.
#[component]
fn EventFormsRegion(fund_id: String, today: chrono::NaiveDate, first_day: chrono::NaiveDate) -> impl IntoView {
    let companies = Resource::new({
        let fund_id = fund_id.clone();
        move || fund_id.clone()
    }, list_fund_companies);
    view! {
        <div class="live" data-live="tm-forms">
            <Suspense fallback=|| ()>
                {move || {
                    let fund_id = fund_id.clone();
                    Suspend::new(async move {
                        match companies.await {
                            // The forms are a pure function of the fund, the dates they allow and the
                            // company list (hashed into the key), and about half of the page's HTML:
                            // rendered once, not at every date the slider visits.
                            Ok(list) => {
                                let key = format!("tm-forms:{fund_id}:{today}:{first_day}:{:016x}", key_hash(&list.iter().map(|c| (c.id, &c.name)).collect::<Vec<_>>()));
                                fragment(key, move || view! { <EventForms fund_id=fund_id companies=list today=today first_day=first_day/> })
                            }
                            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}
