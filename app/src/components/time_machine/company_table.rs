use leptos::prelude::*;

use crate::components::format::{money, percent};
use crate::components::html::Html;
use crate::time_machine::view::CompanyView;

/// Portfolio companies at the chosen date. Rows whose figures differ from what we know now are
/// marked (late valuations rewrite the past).
#[component]
pub fn CompanyTable(companies: Vec<CompanyView>, #[prop(optional)] now: Option<Vec<CompanyView>>) -> impl IntoView {
    if companies.is_empty() {
        return view! { <p class="empty">"No portfolio companies at this date."</p> }.into_any();
    }
    let mut rows = Html::with_capacity(companies.len() * 600);
    for c in &companies {
        let now_row = now.as_ref().and_then(|n| n.iter().find(|x| x.id == c.id));
        let differs = now_row.is_some_and(|n| n.fair_value != c.fair_value || n.valuation != c.valuation || n.status != c.status);
        rows.open_some("tr", &[("class", differs.then_some("differs")), ("data-company", Some(&c.name))]);
        rows.open("th", &[("scope", "row")]).text(&c.name);
        if differs {
            rows.markup(r#"<span class="badge" title="Recorded later: the past looks different now">revised</span>"#);
        }
        rows.close("th")
            .element("td", &[], c.stage.label())
            .element("td", &[("class", "num")], &money(c.invested))
            .element("td", &[("class", "num")], &percent(Some(c.ownership)))
            .element("td", &[("class", "num")], &c.valuation.map(money).unwrap_or_else(|| "—".into()))
            .open("td", &[("class", "num")])
            .text(&money(c.fair_value));
        if let Some(n) = now_row.filter(|_| differs) {
            rows.element("div", &[("class", "now")], &format!("now {}", money(n.fair_value)));
        }
        rows.close("td")
            .element("td", &[("class", "num")], &money(c.reserves_planned))
            .element("td", &[("class", "num")], &money(c.reserves_deployed))
            .open("td", &[])
            .element("span", &[("class", &format!("status status-{:?}", c.status).to_lowercase())], c.status.label())
            .close("td")
            .close("tr");
    }
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
                <tbody inner_html=rows.into_string()></tbody>
            </table>
        </div>
    }
    .into_any()
}
