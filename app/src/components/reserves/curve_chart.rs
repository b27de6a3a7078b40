use std::sync::Arc;

use domain::reserves::{CompanyReport, ReserveReport};
use leptos::prelude::*;
use rust_decimal::prelude::ToPrimitive;

use super::{coord, times};
use crate::components::format::money;

const W: f64 = 760.0;
const H: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;
/// Companies drawn (the best-ranked with a curve); more lines would not be readable.
const MAX_LINES: usize = 8;

/// The water-filling picture: for each company, what the next allocation increment earns per
/// dollar at each reserve level, against the hurdle. Filled dots are increments the allocation
/// granted (it takes the best next increment across companies until the budget or the hurdle
/// stops it); hollow ones it did not.
#[component]
pub fn CurveChart(report: Arc<ReserveReport>, hurdle: f64) -> impl IntoView {
    let drawn: Vec<&CompanyReport> = report.companies.iter().filter(|c| c.curve.len() >= 2).take(MAX_LINES).collect();
    if drawn.is_empty() {
        return ().into_any();
    }
    let f = |d: rust_decimal::Decimal| d.to_f64().unwrap_or(0.0);
    let max_x = drawn.iter().flat_map(|c| c.curve.iter().map(|p| f(p.reserve))).fold(1.0, f64::max);
    let max_y = drawn.iter().flat_map(|c| c.curve.iter().map(|p| p.marginal_multiple)).fold(hurdle * 1.3, f64::max).min(30.0) * 1.08;
    let x = move |v: f64| LEFT + v / max_x * (W - LEFT - RIGHT);
    let y = move |v: f64| TOP + (1.0 - v.clamp(0.0, max_y) / max_y) * (H - TOP - BOTTOM);
    let y_ticks: Vec<(f64, String)> = (0..=4).map(|i| {
        let v = max_y / 1.08 * f64::from(i) / 4.0;
        (y(v), times(v))
    }).collect();
    let x_ticks: Vec<(f64, String)> = (0..=4).map(|i| {
        let v = max_x * f64::from(i) / 4.0;
        (x(v), money(rust_decimal::Decimal::from_f64_retain(v).unwrap_or_default().round_dp(0)))
    }).collect();
    let lines = drawn
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let points = c.curve.iter().map(|p| format!("{},{}", coord(x(f(p.reserve))), coord(y(p.marginal_multiple)))).collect::<Vec<_>>().join(" ");
            let dots = c.curve.iter().map(|p| {
                let label = format!("{}: next increment above {} earns {}{}", c.name, money(p.reserve), times(p.marginal_multiple), if p.granted { " (granted)" } else { "" });
                view! {
                    <circle class=format!("dot s{i}") class:granted=p.granted cx=coord(x(f(p.reserve))) cy=coord(y(p.marginal_multiple)) r=3.2>
                        <title>{label}</title>
                    </circle>
                }
            }).collect_view();
            view! { <polyline class=format!("series s{i}") points=points/>{dots} }
        })
        .collect_view();
    let legend = drawn.iter().enumerate().map(|(i, c)| view! { <span class=format!("legend s{i}")>{c.name.clone()}</span> }).collect_view();
    let hy = y(hurdle);
    view! {
        <figure class="chart curves" data-test="curve-chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=format!("Marginal multiple of each increment by reserve level for {} companies, hurdle {}", drawn.len(), times(hurdle))>
                {y_ticks.into_iter().map(|(ty, label)| view! {
                    <line class="grid" x1=LEFT x2=W - RIGHT y1=coord(ty) y2=coord(ty)/>
                    <text class="axis" x=LEFT - 6.0 y=coord(ty + 4.0) text-anchor="end">{label}</text>
                }).collect_view()}
                {x_ticks.into_iter().map(|(tx, label)| view! {
                    <text class="axis" x=coord(tx) y=H - 10.0 text-anchor="middle">{label}</text>
                }).collect_view()}
                <line class="hurdle" x1=LEFT x2=W - RIGHT y1=coord(hy) y2=coord(hy)/>
                <text class="axis" x=W - RIGHT y=coord(hy - 4.0) text-anchor="end">{format!("hurdle {}", times(hurdle))}</text>
                {lines}
            </svg>
            <figcaption>
                {legend}
                <span class="muted">"Reserve level (x) against what the next increment earns per dollar (y). Filled dots: increments the allocation granted."</span>
            </figcaption>
        </figure>
    }
    .into_any()
}
