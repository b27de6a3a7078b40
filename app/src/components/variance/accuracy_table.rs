use domain::variance::AccuracyStats;
use leptos::prelude::*;
use rust_decimal::Decimal;

use super::labels::metric_label;
use crate::variance::page_data::AccuracyRow;

/// "How far to trust each plan": per company and metric, the bias and error of its forecasts and
/// how often they landed within ±10%, overall and for plans made early (> 90 days before the
/// period's end) or late (≤ 30 days).
#[component]
pub fn AccuracyTable(rows: Vec<AccuracyRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <section class="panel" data-test="forecast-accuracy"><h3>"Forecast accuracy"</h3><p class="empty">"No period has both a forecast and an actual yet."</p></section>
        }
        .into_any();
    }
    view! {
        <section class="panel" data-test="forecast-accuracy" aria-labelledby="accuracy-title">
            <h3 id="accuracy-title">"Forecast accuracy"</h3>
            <p class="muted">"Bias below zero: actuals fall short of plan on average (the plan over-promises). Error: the average miss either way. Hits: periods within ±10% of plan. Early plans were made more than 90 days before the period ended, late ones within 30 days."</p>
            <div class="table-wrap">
                <table class="data accuracy-table">
                    <thead><tr>
                        <th scope="col">"Company"</th><th scope="col">"Metric"</th>
                        <th scope="col" class="num">"Periods"</th><th scope="col" class="num">"Bias"</th>
                        <th scope="col" class="num">"Error"</th><th scope="col" class="num">"Hits ±10%"</th>
                        <th scope="col" class="num">"Early plans: bias"</th><th scope="col" class="num">"Late plans: bias"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr data-company=r.company_id.to_string() data-metric=r.metric.as_str()>
                                <td>{r.company}</td>
                                <td>{metric_label(r.metric)}</td>
                                <td class="num">{r.overall.periods}</td>
                                <td class="num" data-bias=r.overall.bias_pct.map(|b| b.to_string()).unwrap_or_default()>{signed_pct(r.overall.bias_pct)}</td>
                                <td class="num">{pct(r.overall.mean_abs_error_pct)}</td>
                                <td class="num">{r.overall.hit_rate.map(|h| pct(Some(h * Decimal::ONE_HUNDRED))).unwrap_or_else(|| "—".into())}</td>
                                <td class="num">{vintage(&r.early)}</td>
                                <td class="num">{vintage(&r.late)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

/// "−12.5%", "+3.0%", or an em dash.
fn signed_pct(v: Option<Decimal>) -> String {
    match v {
        Some(v) if v.is_sign_negative() && !v.is_zero() => format!("−{:.1}%", v.abs()),
        Some(v) if v.is_zero() => "0.0%".into(),
        Some(v) => format!("+{v:.1}%"),
        None => "—".into(),
    }
}

fn pct(v: Option<Decimal>) -> String {
    v.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}

fn vintage(s: &AccuracyStats) -> String {
    match s.bias_pct {
        Some(b) => format!("{} ({} {})", signed_pct(Some(b)), s.periods, if s.periods == 1 { "period" } else { "periods" }),
        None => "—".into(),
    }
}
