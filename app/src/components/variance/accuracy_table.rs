use domain::variance::AccuracyStats;
use leptos::prelude::*;
use rust_decimal::Decimal;

use super::labels::metric_label;
use crate::components::format::half_away;
use crate::components::html::Html;
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
    let mut html = Html::with_capacity(rows.len() * 400);
    for r in &rows {
        let company_id = r.company_id.to_string();
        let bias = r.overall.bias_pct.map(|b| b.to_string()).unwrap_or_default();
        let hits = r.overall.hit_rate.map(|h| pct(Some(h * Decimal::ONE_HUNDRED))).unwrap_or_else(|| "—".into());
        html.open("tr", &[("data-company", &company_id), ("data-metric", r.metric.as_str())])
            .element("td", &[], &r.company)
            .element("td", &[], metric_label(r.metric))
            .element("td", &[("class", "num")], &r.overall.periods.to_string())
            .element("td", &[("class", "num"), ("data-bias", &bias)], &signed_pct(r.overall.bias_pct))
            .element("td", &[("class", "num")], &pct(r.overall.mean_abs_error_pct))
            .element("td", &[("class", "num")], &hits)
            .element("td", &[("class", "num")], &vintage(&r.early))
            .element("td", &[("class", "num")], &vintage(&r.late))
            .close("tr");
    }
    let body = html.into_string();
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
                    <tbody inner_html=body></tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

/// "−12.5%", "+3.0%", or an em dash: rounded to one decimal, half away from zero (Decimal's
/// own `{:.1}` truncates, which showed a bias of 2.59% as 2.5%).
fn signed_pct(v: Option<Decimal>) -> String {
    match v.map(one_place) {
        Some(v) if v.is_sign_negative() && !v.is_zero() => format!("−{:.1}%", v.abs()),
        Some(v) if v.is_zero() => "0.0%".into(),
        Some(v) => format!("+{v:.1}%"),
        None => "—".into(),
    }
}

fn pct(v: Option<Decimal>) -> String {
    v.map(|v| format!("{:.1}%", one_place(v))).unwrap_or_else(|| "—".into())
}

fn one_place(v: Decimal) -> Decimal {
    half_away(v, 1)
}

fn vintage(s: &AccuracyStats) -> String {
    match s.bias_pct {
        Some(b) => format!("{} ({} {})", signed_pct(Some(b)), s.periods, if s.periods == 1 { "period" } else { "periods" }),
        None => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_to_one_place() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(signed_pct(Some(d("2.59"))), "+2.6%");
        assert_eq!(signed_pct(Some(d("-8.16"))), "−8.2%");
        assert_eq!(signed_pct(Some(d("-0.04"))), "0.0%");
        assert_eq!(signed_pct(Some(d("1.25"))), "+1.3%");
        assert_eq!(pct(Some(d("6.25"))), "6.3%");
        assert_eq!(pct(Some(d("75"))), "75.0%");
        assert_eq!(signed_pct(None), "—");
    }
}
