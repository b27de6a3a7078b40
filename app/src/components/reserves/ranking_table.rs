use std::sync::Arc;

use domain::reserves::ReserveReport;
use leptos::prelude::*;
use rust_decimal::Decimal;

use super::{coord, stage_label, times};
use crate::components::format::money;

/// Width and height of the interval bar drawn in each row.
const BAR_W: f64 = 150.0;
const BAR_H: f64 = 16.0;

/// The ranking: companies by the follow-on multiple of the next increment, each with its 95%
/// interval drawn on one shared scale (overlapping bars are not distinguishable), and what the
/// allocation recommends. Excluded companies follow with their reason.
#[component]
pub fn RankingTable(report: Arc<ReserveReport>, hurdle: f64, #[prop(optional)] selectable: bool) -> impl IntoView {
    let (companies, excluded) = (&report.companies, &report.excluded);
    let scale_max = companies.iter().filter(|c| c.follow_on_not_applicable.is_none()).map(|c| c.ci_high.max(c.follow_on_multiple)).fold(hurdle * 1.5, f64::max).min(50.0);
    let x = move |v: f64| coord(4.0 + (v.clamp(0.0, scale_max) / scale_max) * (BAR_W - 8.0));
    let rows = companies
        .iter()
        .map(|c| {
            let (lo, hi, mid, h) = (x(c.ci_low), x(c.ci_high), x(c.follow_on_multiple), x(hurdle));
            let interval = format!("95% interval {} to {}", times(c.ci_low), times(c.ci_high));
            let (badge, class) = if c.change > Decimal::ZERO {
                ("Increase", "up")
            } else if c.change < Decimal::ZERO {
                ("Reduce", "down")
            } else {
                ("Hold", "hold")
            };
            view! {
                <tr data-company=c.name.clone() data-rank=c.rank>
                    {selectable.then(|| view! {
                        <td>
                            <input type="checkbox" form=super::apply_forms::APPLY_FORM_ID name=format!("pick[c{}]", c.rank) value=c.id.clone()
                                aria-label=format!("Apply the recommendation for {}", c.name)/>
                        </td>
                    })}
                    <td class="num">{c.rank}</td>
                    <th scope="row">
                        {c.name.clone()}
                        {c.adjustment.as_ref().map(|a| view! {
                            <div class="muted small" data-test="adjusted" title=a.reason.clone()>{format!("variance-adjusted (× {})", a.factor)}</div>
                        })}
                    </th>
                    <td>{stage_label(c.stage)}</td>
                    <td class="num multiple">
                        {match c.follow_on_not_applicable.clone() {
                            Some(reason) => view! { <span data-test="multiple" title=reason.clone()>"n/a"</span><div class="muted small">{reason}</div> }.into_any(),
                            None => view! {
                        <span class="multiple-cell">
                        <span data-test="multiple">{times(c.follow_on_multiple)}</span>
                        <svg class="interval" width=BAR_W height=BAR_H viewBox=format!("0 0 {BAR_W} {BAR_H}") role="img" aria-label=interval.clone()>
                            <title>{interval.clone()}</title>
                            <line class="hurdle" x1=h.clone() x2=h y1=1 y2=BAR_H - 1.0/>
                            <line class="ci" x1=lo.clone() x2=hi.clone() y1=BAR_H / 2.0 y2=BAR_H / 2.0/>
                            <line class="ci-end" x1=lo.clone() x2=lo y1=4 y2=BAR_H - 4.0/>
                            <line class="ci-end" x1=hi.clone() x2=hi y1=4 y2=BAR_H - 4.0/>
                            <circle class="estimate" cx=mid cy=BAR_H / 2.0 r=3.5/>
                        </svg>
                        <span class="sr-only">{interval.clone()}</span>
                        </span>
                            }.into_any(),
                        }}
                    </td>
                    <td class="num">{times(c.expected_moic)}</td>
                    <td class="num">{money(c.current_reserve)}</td>
                    <td class=format!("num recommended {class}") data-test="recommended">{money(c.recommended_allocation)}</td>
                    <td class="num">{money(c.deployed)}</td>
                    <td><span class=format!("badge action-{class}")>{badge}</span></td>
                </tr>
            }
        })
        .collect_view();
    let excluded_list = (!excluded.is_empty()).then(|| {
        view! {
            <section class="excluded" data-test="excluded">
                <h3>"Not ranked"</h3>
                <ul>
                    {excluded.iter().map(|e| view! {
                        <li data-company=e.name.clone()>
                            <strong>{e.name.clone()}</strong>
                            {format!(": {}", e.reason)}
                            {(e.current_reserve > Decimal::ZERO).then(|| format!(" — releases {} of reserves", money(e.current_reserve)))}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    });
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Reserve ranking">
            <table class="data ranking" data-test="ranking-table">
                <caption>"Where the next follow-on dollar earns most"</caption>
                <thead>
                    <tr>
                        {selectable.then(|| view! { <th scope="col">"Apply"</th> })}
                        <th scope="col" class="num">"Rank"</th>
                        <th scope="col">"Company"</th>
                        <th scope="col">"Stage"</th>
                        <th scope="col" class="num">"Follow-on multiple (95% interval)"</th>
                        <th scope="col" class="num">"Expected MOIC"</th>
                        <th scope="col" class="num">"Current reserve"</th>
                        <th scope="col" class="num">"Recommended"</th>
                        <th scope="col" class="num">"Deployed"</th>
                        <th scope="col">"Action"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {excluded_list}
    }
}
