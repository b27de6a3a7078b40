use leptos::prelude::*;

use super::labels::{direction_class, metric_label, severity_label};
use crate::components::format::{date, day, money, percent_points};
use crate::components::html::Html;
use crate::variance::page_data::VarianceRow;

/// Forecast against actual, newest period first, coloured by direction (good or bad news for the
/// metric) and by the severity of the rules a row breaches. Each company links to its chart.
#[component]
pub fn VarianceTable(rows: Vec<VarianceRow>, chart_href: Callback<(String, String), String>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No actuals match these filters at this date."</p> }.into_any();
    }
    let mut body = Html::with_capacity(rows.len() * 700);
    for r in &rows {
        let dir = direction_class(r.metric, r.direction);
        let sev = r.severity.map(|s| s.as_str()).unwrap_or("none");
        let href = chart_href.run((r.company_id.to_string(), r.metric.as_str().to_string()));
        body.open("tr", &[("class", &format!("sev-{sev} {dir}")), ("data-company", &r.company), ("data-metric", r.metric.as_str())]);
        body.open("th", &[("scope", "row")]).element("a", &[("href", &href)], &r.company).close("th");
        body.element("td", &[], metric_label(r.metric));
        body.element("td", &[], &day(r.period));
        body.open("td", &[("class", "num")]).text(&money(r.forecast));
        if r.forecast_basis == domain::variance::ForecastBasis::RecordedLater {
            body.markup(r#"<span class="badge" title="No forecast was known on the actual's date; the first one recorded later is used">later</span>"#);
        }
        body.close("td");
        body.element("td", &[("class", "num")], &money(r.actual));
        body.element("td", &[("class", "num variance")], &money(r.variance));
        let pct = r.variance_pct.map(percent_points).unwrap_or_else(|| "n/a".into());
        body.element("td", &[("class", "num variance")], &pct);
        body.open("td", &[]);
        if let Some(s) = r.severity {
            body.element("span", &[("class", &format!("severity severity-{}", s.as_str()))], severity_label(s));
        }
        body.close("td");
        body.element("td", &[("class", "muted")], &format!("{} · {}", source_label(r.source), date(r.recorded_at)));
        body.close("tr");
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-test="variance-table">
                <caption>"Forecast versus actual (the forecast as known on the actual's date)"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Company"</th>
                        <th scope="col">"Metric"</th>
                        <th scope="col">"Period"</th>
                        <th scope="col" class="num">"Forecast"</th>
                        <th scope="col" class="num">"Actual"</th>
                        <th scope="col" class="num">"Variance"</th>
                        <th scope="col" class="num">"Variance %"</th>
                        <th scope="col">"Severity"</th>
                        <th scope="col">"Source · recorded"</th>
                    </tr>
                </thead>
                <tbody inner_html=body.into_string()></tbody>
            </table>
        </div>
    }
    .into_any()
}

/// How an actual arrived, in lower case ("import", "manual").
fn source_label(source: domain::fund::ActualSource) -> String {
    format!("{source:?}").to_lowercase()
}
