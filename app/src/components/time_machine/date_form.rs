use chrono::NaiveDate;
use leptos::prelude::*;

/// Plain GET form for the date controls: works without JavaScript (the server renders the new
/// URL), and is the keyboard-friendly way to type an exact date.
#[component]
pub fn DateForm(
    at: NaiveDate,
    known_at: Option<NaiveDate>,
    compare: Option<NaiveDate>,
    first_day: NaiveDate,
    today: NaiveDate,
    /// Tabs that compare other things than two dates (Reserves) leave the field out.
    #[prop(optional)]
    without_compare: bool,
) -> impl IntoView {
    let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    view! {
        <form method="get" class="date-form" data-test="date-form">
            <label>
                "As of "
                <input type="date" name="at" value=iso(at) min=iso(first_day) max=iso(today) required=true/>
            </label>
            <label title="See the fund as it was known on this day: later-recorded facts are left out">
                "As known on "
                <input type="date" name="known_at" value=known_at.map(iso).unwrap_or_default() max=iso(today)/>
            </label>
            {(!without_compare).then(|| view! {
                <label title="Show what changed between this date and the chosen one">
                    "Compare with "
                    <input type="date" name="compare" value=compare.map(iso).unwrap_or_default() min=iso(first_day) max=iso(today)/>
                </label>
            })}
            <button type="submit">"Show"</button>
            {known_at.map(|_| view! { <a class="link-button" href=format!("?at={}", iso(at))>"As known now"</a> })}
        </form>
    }
}
