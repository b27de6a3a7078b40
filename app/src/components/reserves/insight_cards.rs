use std::sync::Arc;

use domain::reserves::ReserveReport;
use leptos::prelude::*;

use super::times;
use crate::components::format::money;

/// Multiples above this mark a high-opportunity company.
const HIGH_OPPORTUNITY: f64 = 3.0;

/// What a partner reads first: how many companies clear 3×, how much the plan moves, what the
/// next $1M earns on average, what is left unallocated.
#[component]
pub fn InsightCards(report: Arc<ReserveReport>) -> impl IntoView {
    // Companies that cannot take a follow-on (no later round in the model) have no multiple.
    let priced: Vec<_> = report.companies.iter().filter(|c| c.follow_on_not_applicable.is_none()).collect();
    let ranked = priced.len();
    let high = priced.iter().filter(|c| c.follow_on_multiple > HIGH_OPPORTUNITY).count();
    let average = if ranked > 0 { priced.iter().map(|c| c.follow_on_multiple).sum::<f64>() / ranked as f64 } else { 0.0 };
    let name_of = |id: &str| report.companies.iter().find(|c| c.id == id).map(|c| c.name.clone()).unwrap_or_default();
    let top_two = report.top_two.as_ref().map(|t| {
        let (first, second) = (name_of(&t.first_id), name_of(&t.second_id));
        let p = t.probability_first_better;
        let reading = if (0.4..=0.6).contains(&p) { "too close to call" } else if p > 0.6 { "likely the better home" } else { "the order may be reversed" };
        view! {
            <div class="kpi" data-test="top-two" data-value=format!("{p:.3}")>
                <div class="kpi-label">{format!("Next dollar: {first} beats {second}")}</div>
                <div class="kpi-value">{format!("{:.0}%", p * 100.0)}</div>
                <div class="muted">{format!("probability on shared paths — {reading}")}</div>
            </div>
        }
    });
    let increment = money(report.params.increment);
    let fund = &report.fund;
    view! {
        <section class="kpis insights" aria-label="Reserve insights" data-test="insights">
            <div class="kpi" data-test="high-opportunity">
                <div class="kpi-label">{format!("High opportunity (> {HIGH_OPPORTUNITY:.0}×)")}</div>
                <div class="kpi-value">{format!("{high} of {ranked}")}</div>
            </div>
            <div class="kpi" data-test="reallocation">
                <div class="kpi-label">"Reallocation recommended"</div>
                <div class="kpi-value">{money(fund.reallocation)}</div>
                <div class="muted">{format!("+{} added / −{} released", money(fund.reserves_added), money(fund.reserves_released))}</div>
            </div>
            <div class="kpi" data-test="average-multiple">
                <div class="kpi-label">{format!("Average multiple of the next {increment}")}</div>
                <div class="kpi-value">{times(average)}</div>
            </div>
            <div class="kpi" data-test="unallocated">
                <div class="kpi-label">"Reserves left unallocated"</div>
                <div class="kpi-value">{money(fund.unallocated)}</div>
                <div class="muted">{format!("of {} available", money(fund.available_reserves))}</div>
            </div>
            {top_two}
        </section>
    }
}
