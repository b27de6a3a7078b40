use std::collections::BTreeSet;

use domain::fund::Metric;
use leptos::prelude::*;
use uuid::Uuid;

use super::labels::{direction_class, metric_label, severity_label};
use crate::components::format::percent;
use crate::variance::page_data::HeatMapCell;

/// Companies × metrics, each cell the latest period's variance as a colour (severity, and
/// favourable or not) with the figure in its text. A cell is a link that filters the table and
/// the chart to that company and metric; `href` builds it from (company id, metric), an empty
/// one (a read-only report) leaves the cells unlinked. Plain
/// server-rendered HTML: readable without JavaScript, in share links and in print.
#[component]
pub fn HeatMap(cells: Vec<HeatMapCell>, href: Callback<(Uuid, Metric), String>, selected: Option<(Uuid, Metric)>) -> impl IntoView {
    if cells.is_empty() {
        return view! { <p class="muted" data-test="heat-map-empty">"No actuals with a forecast yet: the heat map fills in as actuals arrive."</p> }.into_any();
    }
    let metrics: Vec<Metric> = cells.iter().map(|c| c.metric).collect::<BTreeSet<_>>().into_iter().collect();
    let mut companies: Vec<(Uuid, String)> = Vec::new();
    for c in &cells {
        if !companies.iter().any(|(id, _)| *id == c.company_id) {
            companies.push((c.company_id, c.company.clone()));
        }
    }
    let head = metrics.iter().map(|m| view! { <th scope="col">{metric_label(*m)}</th> }).collect_view();
    let rows = companies
        .into_iter()
        .map(|(company_id, company)| {
            let tds = metrics
                .iter()
                .map(|m| match cells.iter().find(|c| c.company_id == company_id && c.metric == *m) {
                    Some(c) => cell(c, href.run((company_id, *m)), selected == Some((company_id, *m))).into_any(),
                    None => view! { <td class="heat heat-none"><span class="muted">"—"</span></td> }.into_any(),
                })
                .collect_view();
            let name = company.clone();
            view! { <tr data-company=company><th scope="row">{name}</th>{tds}</tr> }
        })
        .collect_view();
    view! {
        <section class="panel heat-map" data-test="heat-map" aria-labelledby="heat-map-title">
            <h3 id="heat-map-title">"Latest period against plan"</h3>
            <p class="muted">"Each cell: the latest period's actual against the forecast known then. Colour: the highest alert severity it reaches; green when ahead of plan. Select a cell to see its history."</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Heat map">
                <table>
                    <thead><tr><th scope="col">"Company"</th>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="heat-legend muted" aria-hidden="true">
                <span class="heat heat-favourable">"ahead"</span>
                <span class="heat heat-ok">"within plan"</span>
                <span class="heat heat-warning">"warning"</span>
                <span class="heat heat-critical">"critical"</span>
                <span class="heat heat-urgent">"urgent"</span>
            </p>
        </section>
    }
    .into_any()
}

fn cell(c: &HeatMapCell, href: String, selected: bool) -> impl IntoView {
    let class = match c.severity {
        Some(s) => format!("heat heat-{}", s.as_str()),
        None if direction_class(c.metric, c.direction) == "favourable" => "heat heat-favourable".to_string(),
        None => "heat heat-ok".to_string(),
    };
    let value = c.variance_pct.map(|p| percent(Some(p / rust_decimal::Decimal::ONE_HUNDRED))).unwrap_or_else(|| "n/a".into());
    let status = c.severity.map(|s| severity_label(s).to_lowercase()).unwrap_or_else(|| "no alert".into());
    let spoken = format!(" — {}, period ending {}, {status}", metric_label(c.metric), c.period.format("%-d %b %Y"));
    let title = format!("{}, {}, period ending {}: {value} against plan ({status})", c.company, metric_label(c.metric), c.period.format("%-d %b %Y"));
    view! {
        <td class=class data-test="heat-cell" data-metric=c.metric.as_str() data-severity=c.severity.map(|s| s.as_str()).unwrap_or("none")>
            {if href.is_empty() {
                // A read-only report (share link): the figure, focusable for its title.
                view! { <span tabindex="0" title=title>{value}<span class="sr-only">{spoken}</span></span> }.into_any()
            } else {
                view! { <a href=href title=title aria-current=selected.then_some("true")>{value}<span class="sr-only">{spoken}</span></a> }.into_any()
            }}
        </td>
    }
}
