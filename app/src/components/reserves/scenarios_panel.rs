use leptos::prelude::*;

use super::times;
use crate::components::format::{date, money};
use crate::reserves::page_data::{Comparison, ScenarioSummary};

/// Saved scenarios: save the ranking shown under a name, open one, delete one, and pick two (or
/// one and the current ranking) to compare. Plain forms: they work without JavaScript; with it,
/// the save and delete forms post in the background (`data-enhance`) and the page refreshes.
#[component]
pub fn ScenariosPanel(fund_id: String, run_id: Option<String>, scenarios: Vec<ScenarioSummary>, can_edit: bool) -> impl IntoView {
    let save = (can_edit && run_id.is_some()).then(|| {
        view! {
            <form method="post" action="/sfn/save_reserve_scenario" class="scenario-form" data-enhance="" data-test="save-scenario">
                <input type="hidden" name="fund_id" value=fund_id.clone()/>
                <input type="hidden" name="run_id" value=run_id.clone().unwrap_or_default()/>
                <label>"Name " <input type="text" name="name" required=true maxlength="120" placeholder="Q3 base case"/></label>
                <label>"Description " <input type="text" name="description" maxlength="2000" placeholder="What this scenario assumes"/></label>
                <button type="submit">"Save as scenario"</button>
            </form>
        }
    });
    let options = scenarios.iter().map(|s| view! { <option value=s.id.to_string()>{s.name.clone()}</option> }).collect_view();
    let options_with = scenarios.iter().map(|s| view! { <option value=s.id.to_string()>{s.name.clone()}</option> }).collect_view();
    let compare = (!scenarios.is_empty()).then(|| {
        view! {
            <form method="get" class="compare-form" data-test="compare-form">
                <label>"Compare " <select name="compare_scenario">{options}</select></label>
                <label>"with " <select name="with"><option value="current">"the current ranking"</option>{options_with}</select></label>
                <button type="submit">"Compare"</button>
            </form>
        }
    });
    let list = scenarios
        .into_iter()
        .map(|s| {
            let delete = can_edit.then(|| {
                view! {
                    <form method="post" action="/sfn/delete_reserve_scenario" class="inline" data-enhance="">
                        <input type="hidden" name="fund_id" value=fund_id.clone()/>
                        <input type="hidden" name="scenario_id" value=s.id.to_string()/>
                        <button type="submit" class="secondary">"Delete"</button>
                    </form>
                }
            });
            view! {
                <li data-scenario=s.name.clone()>
                    <a href=format!("?scenario={}", s.id)><strong>{s.name.clone()}</strong></a>
                    <span class="muted">{format!(
                        " — as of {}, fund version {}, {} iterations; saved by {} on {}",
                        s.as_of.format("%-d %b %Y"), s.fund_version, s.iterations, s.created_by, date(s.created_at)
                    )}</span>
                    {(!s.description.is_empty()).then(|| view! { <div>{s.description.clone()}</div> })}
                    <a href=format!("?compare_scenario={}", s.id)>"Compare with current"</a>
                    {delete}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel scenarios" data-test="scenarios">
            <h3>"Scenarios"</h3>
            {save}
            <ul class="scenario-list">{list}</ul>
            {compare}
        </section>
    }
}

/// Two rankings side by side: per company, each side's follow-on multiple and recommended
/// reserve, and the differences.
#[component]
pub fn ComparisonTable(comparison: Comparison) -> impl IntoView {
    let diff_multiple = |l: Option<f64>, r: Option<f64>| match (l, r) {
        (Some(l), Some(r)) => format!("{:+.2}×", r - l),
        _ => "—".into(),
    };
    let diff_money = |l: Option<rust_decimal::Decimal>, r: Option<rust_decimal::Decimal>| match (l, r) {
        (Some(l), Some(r)) if r >= l => format!("+{}", money(r - l)),
        (Some(l), Some(r)) => format!("−{}", money(l - r)),
        _ => "—".into(),
    };
    let opt_times = |x: Option<f64>| x.map(times).unwrap_or_else(|| "—".into());
    let opt_money = |x: Option<rust_decimal::Decimal>| x.map(money).unwrap_or_else(|| "—".into());
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Scenario comparison">
            <table class="data comparison" data-test="comparison">
                <caption>{format!("{} compared with {}", comparison.left, comparison.right)}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Company"</th>
                        <th scope="col" class="num">{format!("Multiple: {}", comparison.left)}</th>
                        <th scope="col" class="num">{format!("Multiple: {}", comparison.right)}</th>
                        <th scope="col" class="num">"Δ multiple"</th>
                        <th scope="col" class="num">{format!("Recommended: {}", comparison.left)}</th>
                        <th scope="col" class="num">{format!("Recommended: {}", comparison.right)}</th>
                        <th scope="col" class="num">"Δ recommended"</th>
                    </tr>
                </thead>
                <tbody>
                    {comparison.rows.into_iter().map(|r| view! {
                        <tr data-company=r.company.clone()>
                            <th scope="row">{r.company.clone()}</th>
                            <td class="num">{opt_times(r.left_multiple)}</td>
                            <td class="num">{opt_times(r.right_multiple)}</td>
                            <td class="num">{diff_multiple(r.left_multiple, r.right_multiple)}</td>
                            <td class="num">{opt_money(r.left_recommended)}</td>
                            <td class="num">{opt_money(r.right_recommended)}</td>
                            <td class="num">{diff_money(r.left_recommended, r.right_recommended)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
