use leptos::prelude::*;

/// The id of the form the ranking's checkboxes belong to (`<input form=…>`).
pub const APPLY_FORM_ID: &str = "apply-recommendation";

/// "Apply": make the recommendation the fund's reserve plan, for the ticked companies or for all.
/// The events are written in one batch against the version the ranking describes; if the fund
/// changed since, the server refuses (409) and says to recalculate.
#[component]
pub fn ApplyForms(fund_id: String, run_id: String) -> impl IntoView {
    view! {
        <div class="apply" data-test="apply">
            <form id=APPLY_FORM_ID method="post" action="/sfn/apply_reserve_recommendation" class="inline" data-enhance="" data-test="apply-selected">
                <input type="hidden" name="fund_id" value=fund_id.clone()/>
                <input type="hidden" name="run_id" value=run_id.clone()/>
                <input type="hidden" name="scope" value="selected"/>
                <button type="submit">"Apply to ticked companies"</button>
            </form>
            <form method="post" action="/sfn/apply_reserve_recommendation" class="inline" data-enhance="" data-test="apply-all">
                <input type="hidden" name="fund_id" value=fund_id/>
                <input type="hidden" name="run_id" value=run_id/>
                <input type="hidden" name="scope" value="all"/>
                <button type="submit" class="secondary">"Apply to all"</button>
            </form>
            <span class="muted">" Writes the recommended reserves as the new plan (one event per company, recorded with this run)."</span>
        </div>
    }
}
