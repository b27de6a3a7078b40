use domain::reserves::ReserveReport;
use leptos::prelude::*;

use super::times;
use crate::components::format::money;

/// Multiples above this mark a high-opportunity company.
const HIGH_OPPORTUNITY: f64 = 3.0;

/// What a partner reads first: how many companies clear 3×, how much the plan moves, what the
/// next $1M earns on average, what is left unallocated.
#[component]
pub fn InsightCards(report: ReserveReport) -> impl IntoView {
    let ranked = report.companies.len();
    let high = report.companies.iter().filter(|c| c.follow_on_multiple > HIGH_OPPORTUNITY).count();
    let average = if ranked > 0 { report.companies.iter().map(|c| c.follow_on_multiple).sum::<f64>() / ranked as f64 } else { 0.0 };
    let increment = money(report.params.increment);
    let fund = &report.fund;
    view! {
        <section class="kpis insights" aria-label="Reserve insights" data-test="insights">
            <div class="kpi" data-test="high-opportunity">
                <span class="kpi-label">{format!("High opportunity (> {HIGH_OPPORTUNITY:.0}×)")}</span>
                <span class="kpi-value">{format!("{high} of {ranked}")}</span>
            </div>
            <div class="kpi" data-test="reallocation">
                <span class="kpi-label">"Reallocation recommended"</span>
                <span class="kpi-value">{money(fund.reallocation)}</span>
                <span class="muted">{format!("+{} / −{}", money(fund.reserves_added), money(fund.reserves_released))}</span>
            </div>
            <div class="kpi" data-test="average-multiple">
                <span class="kpi-label">{format!("Average multiple of the next {increment}")}</span>
                <span class="kpi-value">{times(average)}</span>
            </div>
            <div class="kpi" data-test="unallocated">
                <span class="kpi-label">"Reserves left unallocated"</span>
                <span class="kpi-value">{money(fund.unallocated)}</span>
                <span class="muted">{format!("of {} available", money(fund.available_reserves))}</span>
            </div>
        </section>
    }
}
