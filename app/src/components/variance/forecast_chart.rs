use leptos::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::components::format::{day, fixed, money, polyline};
use crate::variance::page_data::ForecastActualPoint;

const W: f64 = 760.0;
const H: f64 = 240.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;

/// Forecast (dashed) and actual (solid, with dots) per period for one company and metric, as
/// server-rendered SVG. Negative values (EBITDA) get a zero line.
#[component]
pub fn ForecastChart(points: Vec<ForecastActualPoint>, #[prop(into)] title: String) -> impl IntoView {
    if points.is_empty() {
        return view! { <p class="empty">"No forecasts or actuals for this company and metric yet."</p> }.into_any();
    }
    let f = |d: Decimal| d.to_f64().unwrap_or(0.0);
    let values: Vec<f64> = points.iter().flat_map(|p| [p.forecast.map(f), p.actual.map(f)]).flatten().collect();
    let (mut lo, mut hi) = values.iter().fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    if hi == lo {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.08;
    lo -= if lo < 0.0 { pad } else { 0.0 };
    hi += pad;
    let n = points.len();
    let x = move |i: usize| if n == 1 { (LEFT + W - RIGHT) / 2.0 } else { LEFT + i as f64 / (n - 1) as f64 * (W - LEFT - RIGHT) };
    let y = move |v: f64| TOP + (hi - v) / (hi - lo) * (H - TOP - BOTTOM);
    let path = |pick: fn(&ForecastActualPoint) -> Option<Decimal>| {
        polyline(points.iter().enumerate().filter_map(|(i, p)| pick(p).map(|v| (x(i), y(f(v))))))
    };
    let forecast_line = path(|p| p.forecast);
    let actual_line = path(|p| p.actual);
    let dots = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.actual.map(|a| (i, a, p.period)))
        .map(|(i, a, period)| view! {
            <circle class="actual-dot" cx=fixed(x(i), 1) cy=fixed(y(f(a)), 1) r="3">
                <title>{format!("{}: actual {}", day(period), money(a))}</title>
            </circle>
        })
        .collect_view();
    let ticks = (0..=4)
        .map(|k| {
            let v = lo + (hi - lo) * k as f64 / 4.0;
            view! {
                <line class="grid" x1=LEFT x2=W - RIGHT y1=y(v) y2=y(v)/>
                <text class="axis" x=LEFT - 6.0 y=y(v) + 4.0 text-anchor="end">{money(Decimal::from_f64_retain(v).unwrap_or_default())}</text>
            }
        })
        .collect_view();
    let step = (n / 8).max(1);
    let labels = points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0 || *i == n - 1)
        .map(|(i, p)| view! { <text class="axis" x=x(i) y=H - 10.0 text-anchor="middle">{p.period.format("%b %y").to_string()}</text> })
        .collect_view();
    let zero = (lo < 0.0).then(|| view! { <line class="zero" x1=LEFT x2=W - RIGHT y1=y(0.0) y2=y(0.0)/> });
    view! {
        <figure class="chart" data-test="forecast-chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=title.clone()>
                {ticks}
                {zero}
                {labels}
                <polyline class="series forecast" points=forecast_line/>
                <polyline class="series actual" points=actual_line/>
                {dots}
            </svg>
            <figcaption>
                <strong>{title}</strong>
                <span class="legend forecast">"Forecast (as known then)"</span>
                <span class="legend actual">"Actual"</span>
            </figcaption>
        </figure>
    }
    .into_any()
}
