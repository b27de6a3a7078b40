use leptos::prelude::*;

use crate::components::format::{money, percent};
use crate::time_machine::view::CompanyView;

/// Portfolio companies at the chosen date. Rows whose figures differ from what we know now are
/// marked (late valuations rewrite the past).
#[component]
pub fn CompanyTable(companies: Vec<CompanyView>, #[prop(optional)] now: Option<Vec<CompanyView>>) -> impl IntoView {
    if companies.is_empty() {
        return view! { <p class="empty">"No portfolio companies at this date."</p> }.into_any();
    }
    let rows = companies
        .into_iter()
        .map(|c| {
            let now_row = now.as_ref().and_then(|n| n.iter().find(|x| x.id == c.id).cloned());
            let differs = now_row.as_ref().is_some_and(|n| n.fair_value != c.fair_value || n.valuation != c.valuation || n.status != c.status);
            let now_fair = now_row.filter(|_| differs).map(|n| money(n.fair_value));
            view! {
                <tr class:differs=differs data-company=c.name.clone()>
                    <th scope="row">
                        {c.name.clone()}
                        {differs.then(|| view! { <span class="badge" title="Recorded later: the past looks different now">"revised"</span> })}
                    </th>
                    <td>{c.stage.label()}</td>
                    <td class="num">{money(c.invested)}</td>
                    <td class="num">{percent(Some(c.ownership))}</td>
                    <td class="num">{c.valuation.map(money).unwrap_or_else(|| "—".into())}</td>
                    <td class="num">
                        {money(c.fair_value)}
                        {now_fair.map(|n| view! { <div class="now">"now " {n}</div> })}
                    </td>
                    <td class="num">{money(c.reserves_planned)}</td>
                    <td class="num">{money(c.reserves_deployed)}</td>
                    <td><span class=format!("status status-{:?}", c.status).to_lowercase()>{c.status.label()}</span></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data" data-test="company-table">
                <caption>"Portfolio companies"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Company"</th>
                        <th scope="col">"Stage"</th>
                        <th scope="col" class="num">"Invested"</th>
                        <th scope="col" class="num">"Ownership"</th>
                        <th scope="col" class="num">"Valuation"</th>
                        <th scope="col" class="num">"Fair value"</th>
                        <th scope="col" class="num">"Reserves planned"</th>
                        <th scope="col" class="num">"Reserves deployed"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
