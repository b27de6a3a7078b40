use chrono::{Datelike, NaiveDate};
use domain::time_machine::SeriesPoint;
use leptos::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::components::format::{day, money, polyline};

const W: f64 = 760.0;
const H: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 28.0;

/// NAV, invested and distributed over the fund's life as server-rendered SVG, with the chosen
/// date marked. No client-side chart library: the same markup renders on the server and in the
/// browser.
#[component]
pub fn NavChart(series: Vec<SeriesPoint>, at: NaiveDate) -> impl IntoView {
    if series.len() < 2 {
        return view! { <p class="empty">"Not enough history for a chart yet."</p> }.into_any();
    }
    let first = series[0].date.date_naive();
    let last = series[series.len() - 1].date.date_naive();
    let span = (last - first).num_days().max(1) as f64;
    let f = |d: Decimal| d.to_f64().unwrap_or(0.0);
    let max = series.iter().map(|p| f(p.nav).max(f(p.invested)).max(f(p.distributed))).fold(1.0, f64::max) * 1.08;
    let x = move |d: NaiveDate| LEFT + (d - first).num_days() as f64 / span * (W - LEFT - RIGHT);
    let y = move |v: f64| TOP + (1.0 - v / max) * (H - TOP - BOTTOM);
    let line = |pick: fn(&SeriesPoint) -> Decimal| polyline(series.iter().map(|p| (x(p.date.date_naive()), y(f(pick(p))))));
    let nav = line(|p| p.nav);
    let invested = line(|p| p.invested);
    let distributed = line(|p| p.distributed);
    let y_ticks: Vec<(f64, String)> = (0..=4).map(|i| {
        let v = max / 1.08 * i as f64 / 4.0;
        (y(v), money(Decimal::from_f64_retain(v).unwrap_or_default()))
    }).collect();
    let years: Vec<(f64, i32)> = (first.year() + 1..=last.year())
        .filter_map(|yr| NaiveDate::from_ymd_opt(yr, 1, 1).map(|d| (x(d), yr)))
        .collect();
    let marker = at.clamp(first, last);
    let mx = x(marker);
    let at_point = series.iter().rev().find(|p| p.date.date_naive() <= marker).unwrap_or(&series[0]);
    let summary = format!(
        "NAV {} , invested {}, distributed {} at {}",
        money(at_point.nav),
        money(at_point.invested),
        money(at_point.distributed),
        day(marker)
    );
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=format!("Fund value over time. {summary}")>
                {y_ticks.into_iter().map(|(ty, label)| view! {
                    <line class="grid" x1=LEFT x2=W - RIGHT y1=ty y2=ty/>
                    <text class="axis" x=LEFT - 6.0 y=ty + 4.0 text-anchor="end">{label}</text>
                }).collect_view()}
                {years.into_iter().map(|(tx, yr)| view! {
                    <line class="grid" x1=tx x2=tx y1=TOP y2=H - BOTTOM/>
                    <text class="axis" x=tx y=H - 8.0 text-anchor="middle">{yr.to_string()}</text>
                }).collect_view()}
                <polyline class="series invested" points=invested/>
                <polyline class="series distributed" points=distributed/>
                <polyline class="series nav" points=nav/>
                <line class="marker" x1=mx x2=mx y1=TOP y2=H - BOTTOM/>
            </svg>
            <figcaption>
                <span class="legend nav">"NAV"</span>
                <span class="legend invested">"Invested"</span>
                <span class="legend distributed">"Distributed"</span>
                <span class="muted">{summary}</span>
            </figcaption>
        </figure>
    }
    .into_any()
}
