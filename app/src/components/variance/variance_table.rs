use leptos::prelude::*;

use super::labels::{direction_class, metric_label, severity_label};
use crate::components::format::{date, money, percent};
use crate::variance::page_data::VarianceRow;

/// Forecast against actual, newest period first, coloured by direction (good or bad news for the
/// metric) and by the severity of the rules a row breaches. Each company links to its chart.
#[component]
pub fn VarianceTable(rows: Vec<VarianceRow>, chart_href: Callback<(String, String), String>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No actuals match these filters at this date."</p> }.into_any();
    }
    let body = rows
        .into_iter()
        .map(|r| {
            let dir = direction_class(r.metric, r.direction);
            let sev = r.severity.map(|s| s.as_str()).unwrap_or("none");
            let href = chart_href.run((r.company_id.to_string(), r.metric.as_str().to_string()));
            view! {
                <tr class=format!("sev-{sev} {dir}") data-company=r.company.clone() data-metric=r.metric.as_str()>
                    <th scope="row"><a href=href>{r.company.clone()}</a></th>
                    <td>{metric_label(r.metric)}</td>
                    <td>{r.period.format("%-d %b %Y").to_string()}</td>
                    <td class="num">
                        {money(r.forecast)}
                        {(r.forecast_basis == domain::variance::ForecastBasis::RecordedLater).then(|| view! {
                            <span class="badge" title="No forecast was known on the actual's date; the first one recorded later is used">"later"</span>
                        })}
                    </td>
                    <td class="num">{money(r.actual)}</td>
                    <td class="num variance">{money(r.variance)}</td>
                    <td class="num variance">{r.variance_pct.map(|p| percent(Some(p / rust_decimal::Decimal::ONE_HUNDRED))).unwrap_or_else(|| "n/a".into())}</td>
                    <td>{r.severity.map(|s| view! { <span class=format!("severity severity-{}", s.as_str())>{severity_label(s)}</span> })}</td>
                    <td class="muted">{format!("{:?}", r.source).to_lowercase()} " · " {date(r.recorded_at)}</td>
                </tr>
            }
        })
        .collect_view();
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
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}
