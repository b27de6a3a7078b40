use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{HubHeader, Tab};
use crate::components::variance::filters_form::FiltersForm;
use crate::components::variance::forecast_chart::ForecastChart;
use crate::components::variance::labels::metric_label;
use crate::components::variance::record_actual_form::RecordActualForm;
use crate::components::variance::unread_badge::InboxRefresh;
use crate::components::variance::variance_table::VarianceTable;
use crate::routes::not_found::NotFound;
use crate::time_machine::get_fund_meta;
use crate::time_machine::page_data::FundMeta;
use crate::variance::{get_variance_page, RecordActual};
use crate::variance::page_data::VariancePageData;

/// Rows rendered in the page; the CSV export has them all.
const MAX_ROWS: usize = 200;

/// `/funds/{id}/variance?at=&known_at=&metric=&severity=&company=&chart_metric=`
#[component]
pub fn VariancePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let meta = Resource::new(id, get_fund_meta);
    // Owned here, not by the form: the refetch below re-creates the form, and the alerts an actual
    // raised must stay on screen.
    let record = ServerAction::<RecordActual>::new();
    let recorded = RwSignal::new(0u64);
    let refresh = use_context::<InboxRefresh>();
    Effect::new(move |_| {
        if let Some(Ok(_)) = record.value().get() {
            if let Some(r) = refresh {
                r.bump();
            }
            recorded.update(|n| *n += 1);
        }
    });
    let view_data = Resource::new(
        move || {
            let q = query.read();
            (id(), q.get("at"), q.get("known_at"), q.get("metric"), q.get("severity"), q.get("company"), q.get("chart_metric"), recorded.get())
        },
        |(id, at, known_at, metric, severity, company, chart_metric, _)| get_variance_page(id, at, known_at, metric, severity, company, chart_metric),
    );
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match meta.await {
                    Ok(m) if !m.features.variance => view! { <NotFound/> }.into_any(),
                    Ok(m) => view! { <VarianceBody meta=m data=view_data record=record/> }.into_any(),
                    Err(e) => view! { <main class="page"><p class="error" role="alert">{e.to_string()}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn VarianceBody(meta: FundMeta, data: Resource<Result<VariancePageData, ServerFnError>>, record: ServerAction<RecordActual>) -> impl IntoView {
    let fund_id = meta.id.to_string();
    let today = meta.today;
    view! {
        <HubHeader meta=meta.clone() tab=Tab::Variance/>
        <main class="page variance">
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {
                    let fund_id = fund_id.clone();
                    move || {
                        let fund_id = fund_id.clone();
                        Suspend::new(async move {
                            match data.await {
                                Ok(v) => variance_content(fund_id, v, today, record).into_any(),
                                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                            }
                        })
                    }
                }
            </Transition>
        </main>
    }
}

fn variance_content(fund_id: String, page: VariancePageData, today: chrono::NaiveDate, record: ServerAction<RecordActual>) -> impl IntoView {
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
    let chart = page.chart.map(|c| {
        let title = format!("{}: {}, forecast vs actual", c.company, metric_label(c.metric));
        view! { <div id="chart"><ForecastChart points=c.points title=title/></div> }
    });
    let csv_href = format!("/api/funds/{}/variance.csv{}", fund_id, base_query.to_query_string());
    let template_href = format!("/api/funds/{}/actuals/template.csv", fund_id);
    view! {
        <FiltersForm at=v.at known_at=v.known_at metric=v.metric severity=v.severity/>
        {chart}
        <div class="table-actions">
            <span class="muted" data-test="row-count">
                {if v.rows.len() > MAX_ROWS {
                    format!("Newest {MAX_ROWS} of {} rows — narrow with the filters, or export them all as CSV", v.rows.len())
                } else {
                    format!("{} rows", v.rows.len())
                }}
            </span>
            <a href=csv_href download="variance.csv" data-test="variance-csv">"Export CSV"</a>
        </div>
        <VarianceTable rows=v.rows.into_iter().take(MAX_ROWS).collect() chart_href=chart_href/>
        <RecordActualForm fund_id=fund_id.clone() companies=v.companies today=today action=record/>
        <section class="panel">
            <h3>"Import actuals from CSV"</h3>
            <p>
                "Download the " <a href=template_href download="actuals-template.csv" data-test="csv-template">"CSV template"</a>
                ", fill one row per actual and send it to " <code>{format!("POST /api/funds/{fund_id}/actuals/import")}</code>
                " (Content-Type: text/csv). A file is imported whole or not at all: every bad row is reported with its line, column and reason."
            </p>
        </section>
    }
}
