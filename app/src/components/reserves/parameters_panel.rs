use std::sync::Arc;

use leptos::prelude::*;

use crate::reserves::page_data::{CalibrationRow, ParameterRow};

/// The companies a ranking's variance adjustment moved, with the reason: (name, reason).
pub fn adjustment_lines(report: &domain::reserves::ReserveReport) -> Vec<(String, String)> {
    report.companies.iter().filter_map(|c| c.adjustment.as_ref().map(|a| (c.name.clone(), a.reason.clone()))).collect()
}

/// Every model parameter and constraint in force at the date, with its value and its source
/// (the study a default comes from, or this fund's override).
#[component]
pub fn ParametersPanel(
    parameters: Arc<Vec<ParameterRow>>,
    /// With the fund id, the current assumptions JSON: admins get the editor.
    editor: Option<(String, String)>,
    calibration: Arc<Vec<CalibrationRow>>,
    /// Companies the fund's variance adjustment moved in the ranking shown: (name, reason).
    adjustments: Vec<(String, String)>,
) -> impl IntoView {
    let adjusted = (!adjustments.is_empty()).then(|| view! {
        <div class="adjustments" data-test="variance-adjustments">
            <h4>"Variance adjustment in this ranking"</h4>
            <ul>
                {adjustments.into_iter().map(|(name, reason)| view! { <li><strong>{name}</strong>": "{reason}</li> }).collect_view()}
            </ul>
        </div>
    });
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let calibration = (!calibration.is_empty()).then(|| view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Calibration by entry stage">
            <table class="data" data-test="calibration">
                <caption>"Calibration: a cheque entering at each stage, no reserves — the model's outcomes beside published loss rates"</caption>
                <thead><tr>
                    <th scope="col">"Entry stage"</th><th scope="col" class="num">"< 1×"</th><th scope="col" class="num">"1–5×"</th>
                    <th scope="col" class="num">"5–10×"</th><th scope="col" class="num">"≥ 10×"</th><th scope="col" class="num">"Mean"</th>
                    <th scope="col" class="num">"Published < 1×"</th><th scope="col">"Source"</th>
                </tr></thead>
                <tbody>
                    {calibration.iter().map(|r| view! {
                        <tr>
                            <th scope="row">{super::stage_label(r.stage)}</th>
                            <td class="num">{pct(r.below_1x)}</td><td class="num">{pct(r.from_1x_to_5x)}</td>
                            <td class="num">{pct(r.from_5x_to_10x)}</td><td class="num">{pct(r.at_least_10x)}</td>
                            <td class="num">{super::times(r.mean_multiple)}</td>
                            <td class="num">{r.published_below_1x.map(pct).unwrap_or_else(|| "—".into())}</td>
                            <td class="small-source">{r.source.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    });
    let overrides = parameters.iter().filter(|p| p.overridden).count();
    view! {
        <details class="panel parameters" data-test="parameters">
            <summary>
                <h3>"Model assumptions"</h3>
                <span class="muted">{format!("{} parameters, {overrides} set by this fund", parameters.len())}</span>
            </summary>
            {adjusted}
            {calibration}
            <div class="table-wrap" tabindex="0" role="region" aria-label="Model assumptions">
                <table class="data">
                    <thead><tr><th scope="col">"Parameter"</th><th scope="col" class="num">"Value"</th><th scope="col">"Source"</th></tr></thead>
                    <tbody>
                        {parameters.iter().map(|p| view! {
                            <tr class:overridden=p.overridden>
                                <th scope="row"><code>{p.key.clone()}</code></th>
                                <td class="num">{p.value.clone()}</td>
                                <td>{p.source.clone()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {match editor {
                Some((fund_id, json)) => view! {
                    <form method="post" action="/sfn/set_reserve_assumptions" class="assumptions-form" data-enhance="" data-test="assumptions-form">
                        <input type="hidden" name="fund_id" value=fund_id/>
                        <label for="assumptions-json">"This fund's overrides (JSON: model.stages.<stage>.<parameter>, constraints.<name>, reserve_budget, variance_adjustment)"</label>
                        <textarea id="assumptions-json" name="assumptions" rows="8" spellcheck="false">{json}</textarea>
                        <label>"Effective from " <input type="date" name="effective_date"/></label>
                        <button type="submit">"Save assumptions"</button>
                        <p class="muted">"The whole set is replaced from its date on; rankings of earlier dates keep the assumptions then in force."</p>
                    </form>
                }.into_any(),
                None => view! {
                    <p class="muted">"Admins change them here or with PUT /api/funds/{id}/reserves/assumptions (docs/api.md); a change applies from its date on, so earlier rankings stay reproducible."</p>
                }.into_any(),
            }}
        </details>
    }
}
