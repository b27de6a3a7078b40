use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{HubHeader, Tab};
use crate::components::fragment::RenderOnce;
use crate::components::variance::filters_form::FiltersForm;
use crate::components::variance::forecast_chart::ForecastChart;
use crate::components::variance::heat_map::HeatMap;
use crate::components::variance::labels::metric_label;
use crate::components::variance::accuracy_table::AccuracyTable;
use crate::components::variance::record_actual_form::RecordActualForm;
use crate::components::variance::variance_table::VarianceTable;
use crate::routes::not_found::NotFound;
use crate::time_machine::get_fund_meta;
use crate::time_machine::page_data::FundMeta;
use crate::variance::get_variance_page;
use crate::variance::page_data::VariancePageData;

/// `/funds/{id}/variance?at=&known_at=&metric=&severity=&company=&chart_metric=&for_company=&after=`
///
/// Rendered on the server. The record-actual form is an island; the filters, chart and table are
/// the live region `variance-results`, re-read after an actual is recorded.
#[component]
pub fn VariancePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let meta = Resource::new(id, get_fund_meta);
    let view_data = Resource::new(
        move || {
            let q = query.read();
            let filters = (q.get("metric"), q.get("severity"), q.get("company"), q.get("chart_metric"), q.get("for_company"), q.get("after"));
            (id(), q.get("at"), q.get("known_at"), filters)
        },
        |(id, at, known_at, (metric, severity, company, chart_metric, for_company, after))| {
            get_variance_page(id, at, known_at, metric, severity, company, chart_metric, for_company, after)
        },
    );
    let region = RenderOnce::default();
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || {
                let region = region.clone();
                Suspend::new(async move {
                    match (meta.await, view_data.await) {
                        (Ok(m), _) if !m.features.variance => view! { <NotFound/> }.into_any(),
                        (Ok(m), Ok(v)) => variance_body(m, v, region).into_any(),
                        (Err(e), _) | (_, Err(e)) => view! { <main class="page"><p class="error" role="alert">{e.to_string()}</p></main> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// `region`: the live region of results, rendered once per page render.
fn variance_body(meta: FundMeta, data: VariancePageData, region: RenderOnce) -> impl IntoView {
    let fund_id = meta.id.to_string();
    let today = meta.today;
    let analyst = meta.role.allows(domain::access::Role::Analyst);
    view! {
        <HubHeader meta=meta.clone() tab=Tab::Variance/>
        <main class="page variance">{variance_content(fund_id, data, today, analyst, region).into_any()}</main>
    }
}

/// `raw` as a query-string value: unreserved characters as they are, every other byte as %XX.
fn query_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `analyst`: the caller may record actuals (viewers only read: no form is shown to them).
fn variance_content(fund_id: String, page: VariancePageData, today: chrono::NaiveDate, analyst: bool, region: RenderOnce) -> impl IntoView {
    let v = page.view;
    let query = use_query_map();
    let base_query = {
        let q = query.get_untracked();
        let mut keep = leptos_router::params::ParamsMap::new();
        for key in ["at", "known_at", "metric", "severity"] {
            if let Some(val) = q.get(key) {
                keep.insert(key, val);
            }
        }
        keep
    };
    let chart_href = {
        let base = base_query.clone();
        Callback::new(move |(company, metric): (String, String)| {
            let mut q = base.clone();
            q.replace("company", company);
            q.replace("chart_metric", metric);
            format!("{}#chart", q.to_query_string())
        })
    };
    // A cell's link: the dates, its metric and company (the chart follows them). Written out by
    // hand: uuids, metric names and dates need no escaping, and the map has hundreds of cells.
    let heat_href = {
        let q = query.get_untracked();
        let mut dates = String::new();
        for key in ["at", "known_at"] {
            if let Some(val) = q.get(key) {
                dates.push_str(&format!("{key}={}&", query_value(&val)));
            }
        }
        Callback::new(move |(company, metric): (uuid::Uuid, domain::fund::Metric)| format!("?{dates}metric={}&for_company={company}#chart", metric.as_str()))
    };
    // The page links keep every filter of the URL.
    let page_query = query.get_untracked();
    let selected = page.for_company.as_ref().and_then(|c| v.metric.map(|m| (c.id, m)));
    let narrowed = page.for_company.map(|c| {
        let mut q = base_query.clone();
        q.remove("metric");
        let all = q.to_query_string();
        view! {
            <p class="narrowed" data-test="narrowed">
                {format!("Showing {} only. ", c.name)}
                <a href=if all.is_empty() { "?".to_string() } else { all }>"Show every company"</a>
            </p>
        }
    });
    let chart_data = page.chart;
    let csv_href = format!("/api/funds/{}/variance.csv{}", fund_id, base_query.to_query_string());
    let template_href = format!("/api/funds/{}/actuals/template.csv", fund_id);
    let companies = v.companies;
    let results = region.html(move || view! {
            <HeatMap cells=v.heat_map href=heat_href selected=selected/>
            <FiltersForm at=v.at known_at=v.known_at metric=v.metric severity=v.severity/>
            {narrowed}
            {chart_data.map(|c| {
                let title = format!("{}: {}, forecast vs actual", c.company, metric_label(c.metric));
                view! { <div id="chart"><ForecastChart points=c.points title=title/></div> }
            })}
            <div class="table-actions">
                <span class="muted" data-test="row-count">
                    {if page.total_rows > v.rows.len() {
                        format!("Rows {}–{} of {}", page.page_start + 1, page.page_start + v.rows.len(), page.total_rows)
                    } else {
                        format!("{} rows", page.total_rows)
                    }}
                </span>
                {(page.page_start > 0).then(|| {
                    let mut q = page_query.clone();
                    q.remove("after");
                    let href = q.to_query_string();
                    view! { <a href=if href.is_empty() { "?".to_string() } else { href } data-test="first-page">"Newest"</a> }
                })}
                {page.next_page.clone().map(|cursor| {
                    let mut q = page_query.clone();
                    q.replace("after", cursor);
                    view! { <a href=q.to_query_string() data-test="next-page" rel="next">"Older rows →"</a> }
                })}
                <a href=csv_href download="variance.csv" data-test="variance-csv">"Export CSV"</a>
            </div>
            <VarianceTable rows=v.rows chart_href=chart_href/>
            <AccuracyTable rows=v.accuracy/>
    });
    view! {
        <div class="live" data-live="variance-results" inner_html=results></div>
        {analyst.then(|| view! {
            <RecordActualForm fund_id=fund_id.clone() companies=companies today=today/>
            <section class="panel">
                <h3>"Import actuals from CSV"</h3>
                <p>
                    "Download the " <a href=template_href download="actuals-template.csv" data-test="csv-template">"CSV template"</a>
                    ", fill one row per actual and send it to " <code>{format!("POST /api/funds/{fund_id}/actuals/import")}</code>
                    " (Content-Type: text/csv), or upload it as a ledger (rows of type " <code>"actual"</code> ") on the "
                    <a href=format!("/funds/{fund_id}/import")>"Import & export"</a>
                    " page. A file is imported whole or not at all: every bad row is reported with its line, column and reason."
                </p>
            </section>
        })}
    }
}
