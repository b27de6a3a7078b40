use std::sync::Arc;

use domain::reserves::ReserveReport;
use leptos::prelude::*;
use rust_decimal::prelude::ToPrimitive;

use super::coord;
use crate::components::format::money;

const W: f64 = 760.0;
const ROW: f64 = 22.0;
const LEFT: f64 = 170.0;
const RIGHT: f64 = 90.0;

/// Recommended against current reserve per company, as server-rendered SVG bars on one scale.
#[component]
pub fn AllocationChart(report: Arc<ReserveReport>) -> impl IntoView {
    let companies = &report.companies;
    if companies.is_empty() {
        return ().into_any();
    }
    let f = |d: rust_decimal::Decimal| d.to_f64().unwrap_or(0.0);
    let max = companies.iter().map(|c| f(c.current_reserve).max(f(c.recommended_allocation))).fold(1.0, f64::max);
    let width = move |v: f64| (v / max) * (W - LEFT - RIGHT);
    let height = 24.0 + ROW * companies.len() as f64;
    let bars = companies
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let y = 20.0 + ROW * i as f64;
            let (cur, rec) = (f(c.current_reserve), f(c.recommended_allocation));
            let class = if rec > cur { "up" } else if rec < cur { "down" } else { "hold" };
            view! {
                <text class="axis" x=LEFT - 6.0 y=coord(y + 13.0) text-anchor="end">{c.name.clone()}</text>
                <rect class="bar current" x=LEFT y=coord(y + 2.0) width=coord(width(cur)) height=7/>
                <rect class=format!("bar recommended {class}") x=LEFT y=coord(y + 10.0) width=coord(width(rec)) height=9/>
                <text class="axis" x=coord(LEFT + width(cur.max(rec)) + 6.0) y=coord(y + 16.0)>{money(c.recommended_allocation)}</text>
            }
        })
        .collect_view();
    let summary = format!("Recommended and current reserve for {} companies", companies.len());
    view! {
        <figure class="chart" data-test="allocation-chart">
            <svg viewBox=format!("0 0 {W} {height}") role="img" aria-label=summary.clone()>
                <text class="axis" x=LEFT y=12>"Current (thin) and recommended (thick) reserve"</text>
                {bars}
            </svg>
            <figcaption>
                <span class="legend current">"Current reserve"</span>
                <span class="legend recommended">"Recommended"</span>
            </figcaption>
        </figure>
    }
    .into_any()
}
