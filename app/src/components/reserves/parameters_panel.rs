use leptos::prelude::*;

use crate::reserves::page_data::ParameterRow;

/// Every model parameter and constraint in force at the date, with its value and its source
/// (the study a default comes from, or this fund's override).
#[component]
pub fn ParametersPanel(parameters: Vec<ParameterRow>) -> impl IntoView {
    let overrides = parameters.iter().filter(|p| p.overridden).count();
    view! {
        <details class="panel parameters" data-test="parameters">
            <summary>
                <h3>"Model assumptions"</h3>
                <span class="muted">{format!("{} parameters, {overrides} set by this fund", parameters.len())}</span>
            </summary>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Model assumptions">
                <table class="data">
                    <thead><tr><th scope="col">"Parameter"</th><th scope="col" class="num">"Value"</th><th scope="col">"Source"</th></tr></thead>
                    <tbody>
                        {parameters.into_iter().map(|p| view! {
                            <tr class:overridden=p.overridden>
                                <th scope="row"><code>{p.key}</code></th>
                                <td class="num">{p.value}</td>
                                <td>{p.source}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="muted">"Admins change them with PUT /api/funds/{id}/reserves/assumptions (docs/api.md); a change applies from its date on, so earlier rankings stay reproducible."</p>
        </details>
    }
}
