use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{HubHeader, Tab};
use crate::components::format::{date, money};
use crate::components::fragment::fragment;
use crate::components::reserves::allocation_chart::AllocationChart;
use crate::components::reserves::apply_forms::ApplyForms;
use crate::components::reserves::scenarios_panel::{ComparisonTable, ScenariosPanel};
use crate::components::fragment::RenderOnce;
use crate::components::reserves::calculate_panel::CalculatePanel;
use crate::components::reserves::curve_chart::CurveChart;
use crate::components::reserves::history_chart::HistoryChart;
use crate::components::reserves::insight_cards::InsightCards;
use crate::components::reserves::parameters_panel::ParametersPanel;
use crate::components::reserves::ranking_table::RankingTable;
use crate::components::time_machine::date_form::DateForm;
use crate::components::time_machine::date_slider::DateSlider;
use crate::reserves::get_reserves_page;
use crate::reserves::page_data::{Ranking, ReservesPageData};
use crate::routes::not_found::NotFound;
use crate::time_machine::get_fund_meta;
use crate::time_machine::page_data::FundMeta;

/// `/funds/{id}/reserves?at=&known_at=`: where the next follow-on dollar earns most, at any date.
///
/// Rendered on the server, readable without JavaScript. The slider and the Calculate panel are
/// islands; the ranking, insights, charts and parameters are the live region `reserves-results`,
/// refreshed in place when the slider moves or a run finishes.
#[component]
pub fn ReservesPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let meta = Resource::new(id, get_fund_meta);
    let page = Resource::new(
        move || {
            let q = query.read();
            (id(), q.get("at"), q.get("known_at"), q.get("scenario"), q.get("compare_scenario"), q.get("with"))
        },
        |(id, at, known_at, scenario, compare, with)| get_reserves_page(id, at, known_at, scenario, compare, with),
    );
    let region = RenderOnce::default();
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || {
                let region = region.clone();
                Suspend::new(async move {
                match (meta.await, page.await) {
                    (Ok(m), _) if !m.features.optimal_reserves => view! { <NotFound/> }.into_any(),
                    (Ok(m), Ok(p)) => reserves_body(m, p, region).into_any(),
                    (Ok(m), Err(e)) => view! {
                        <HubHeader meta=m tab=Tab::Reserves/>
                        <main class="page"><p class="error" role="alert">{e.to_string()}</p></main>
                    }.into_any(),
                    (Err(e), _) => view! { <main class="page"><p class="error" role="alert">{e.to_string()}</p></main> }.into_any(),
                }
                })
            }}
        </Suspense>
    }
}

/// `region`: the live region of results, rendered once per page render.
fn reserves_body(meta: FundMeta, page: ReservesPageData, region: RenderOnce) -> impl IntoView {
    let (first_day, today) = (meta.first_day, meta.today);
    let fund_id = meta.id.to_string();
    let at = page.at.format("%Y-%m-%d").to_string();
    let known_at = page.known_at.map(|k| k.format("%Y-%m-%d").to_string());
    view! {
        <HubHeader meta=meta.clone() tab=Tab::Reserves/>
        <main class="page reserves">
            <DateSlider first_day=first_day today=today ticks=meta.ticks.clone() at=page.at/>
            <CalculatePanel fund_id=fund_id.clone() at=at known_at=known_at defaults=page.defaults.clone() can_run=page.can_run pending=page.pending.clone()/>
            <div class="live" data-live="reserves-results" inner_html=region.html(|| results(fund_id, page, first_day, today))></div>
        </main>
    }
}

/// Everything that depends on the date and the latest result.
pub fn results(fund_id: String, page: ReservesPageData, first_day: chrono::NaiveDate, today: chrono::NaiveDate) -> impl IntoView {
    let pending = page.pending.clone().map(|p| {
        view! {
            <p class="notice" data-test="pending-run" data-pending-events=p.events_url.clone()>
                {format!("A ranking for this date is being calculated ({:.0}% done, {} iterations).", p.progress * 100.0, p.iterations)}
            </p>
            // Without JavaScript, the page reloads itself until the result is there.
            <noscript><meta http-equiv="refresh" content="2"/></noscript>
        }
    });
    let csv_href = {
        let mut q = leptos_router::params::ParamsMap::new();
        q.insert("at", page.at.format("%Y-%m-%d").to_string());
        if let Some(k) = page.known_at {
            q.insert("known_at", k.format("%Y-%m-%d").to_string());
        }
        format!("/api/funds/{fund_id}/reserves.csv{}", q.to_query_string())
    };
    // Analysts may apply the date's ranking (not a frozen scenario's) to the fund.
    let apply_as = (page.can_run && page.opened.is_none()).then(|| fund_id.clone());
    let run_id = page.ranking.as_ref().map(|r| r.run_id.to_string());
    // The companies the fund's variance adjustment moved in the ranking shown, with the reason.
    let adjustments: (String, Vec<(String, String)>) = (
        run_id.clone().unwrap_or_default(),
        page.ranking.as_ref().map(|r| crate::components::reserves::parameters_panel::adjustment_lines(&r.report)).unwrap_or_default(),
    );
    let opened = page.opened.clone().map(|s| view! {
        <p class="notice" data-test="opened-scenario">
            {format!("Showing the scenario “{}”, frozen as saved on {}. ", s.name, date(s.created_at))}
            <a href="?">"Back to the current ranking"</a>
        </p>
    });
    let comparison = page.comparison.clone().map(|c| view! { <ComparisonTable comparison=c/> });
    let body = match page.ranking.clone() {
        Some(r) => ranking_view(r, page.changes_since.clone(), Some(csv_href), apply_as).into_any(),
        None => view! {
            <p class="empty" data-test="no-ranking">
                {page.notice.clone().unwrap_or_else(|| "No ranking for this date yet: it appears here as soon as the calculation above finishes.".into())}
            </p>
        }.into_any(),
    };
    view! {
        <DateForm at=page.at known_at=page.known_at compare=None first_day=first_day today=today without_compare=true/>
        {pending}
        {opened}
        {comparison}
        {body}
        <HistoryChart fund_id=fund_id.clone() history=page.history pending=page.history_pending/>
        <ScenariosPanel fund_id=fund_id.clone() run_id=run_id scenarios=page.scenarios can_edit=page.can_run/>
        {parameters_panel(&fund_id, page.parameters, page.calibration, page.assumptions_json, page.can_edit_assumptions, adjustments)}
    }
}

/// The parameter tables (and, for admins, the editor) of one set of assumptions, rendered once
/// per fund, assumptions (their JSON, from which the tables are built) and editor flag
/// (`components::fragment`).
fn parameters_panel(
    fund_id: &str,
    parameters: std::sync::Arc<Vec<crate::reserves::page_data::ParameterRow>>,
    calibration: std::sync::Arc<Vec<crate::reserves::page_data::CalibrationRow>>,
    assumptions_json: String,
    can_edit: bool,
    (run_id, adjustments): (String, Vec<(String, String)>),
) -> impl IntoView {
    let key = format!("reserves:parameters:{fund_id}:{can_edit}:{run_id}:{assumptions_json}");
    let editor = can_edit.then(|| (fund_id.to_string(), assumptions_json));
    fragment(key, move || view! { <ParametersPanel parameters=parameters calibration=calibration editor=editor adjustments=adjustments/> })
}

/// A ranking with what changed since and how to reproduce it; `csv_href` when the reader may export.
/// `apply_as`: the fund id, when the reader may apply the recommendation.
pub fn ranking_view(r: Ranking, changes: Vec<crate::reserves::page_data::ChangeLine>, csv_href: Option<String>, apply_as: Option<String>) -> impl IntoView {
    let stale = (!r.is_current()).then(|| {
        view! {
            <div class="notice stale" data-test="stale-ranking">
                <p>{format!(
                    "This ranking describes fund version {}; the date now sees version {}. Changed since:",
                    r.fund_version, r.current_version
                )}</p>
                <ul>
                    {changes.into_iter().map(|c| view! {
                        <li>{format!("v{} · {} · effective {}", c.version, c.label, c.effective_at.format("%-d %b %Y"))}</li>
                    }).collect_view()}
                </ul>
            </div>
        }
    });
    let report = r.report.clone();
    let hurdle = report.params.constraints.hurdle.value;
    let reproduce = format!(
        "Fund version {} · as of {}{} · {} iterations · increment {} · seed {} · computed {} in {} by {}",
        r.fund_version,
        r.as_of.format("%-d %b %Y"),
        r.known_at.map(|k| format!(", as known {}", k.format("%-d %b %Y"))).unwrap_or_default(),
        r.iterations,
        money(r.increment),
        r.seed,
        r.finished_at.map(date).unwrap_or_default(),
        r.duration_ms.map(|ms| format!("{ms} ms")).unwrap_or_default(),
        r.requested_by,
    );
    // The cards, table and charts show the run's result only, which never changes once written.
    let selectable = apply_as.is_some();
    let key = |part: &str| format!("reserves:{part}:{}:{}:{}:{}:{selectable}", r.run_id, r.fund_version, r.iterations, r.seed);
    let (cards_report, chart_report) = (report.clone(), report.clone());
    let cards = fragment(key("cards"), move || view! {
        <InsightCards report=cards_report.clone()/>
        <RankingTable report=cards_report hurdle=hurdle selectable=selectable/>
    });
    let charts = fragment(key("charts"), move || view! {
        <CurveChart report=chart_report.clone() hurdle=hurdle/>
        <AllocationChart report=chart_report/>
    });
    view! {
        {stale}
        {cards}
        {apply_as.map(|fund_id| view! { <ApplyForms fund_id=fund_id run_id=r.run_id.to_string()/> })}
        <div class="table-actions">
            <span class="muted" data-test="reproduce" data-run=r.run_id.to_string()>{reproduce}</span>
            {csv_href.map(|href| view! { <a href=href download="reserves.csv" data-test="reserves-csv">"Export CSV"</a> })}
        </div>
        {charts}
    }
}
