use std::collections::{BTreeSet, HashMap, HashSet};

use domain::fund::Metric;
use leptos::prelude::*;
use uuid::Uuid;

use super::labels::{direction_class, metric_label, severity_label};
use crate::components::format::{day, money, percent_points};
use crate::components::html::Html;
use crate::variance::page_data::{HeatMapCell, PredictedPeriod};

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
    // Each company once, in the cells' order, and each cell found by its key rather than by a
    // scan of every cell per (company, metric).
    let mut companies: Vec<(Uuid, String)> = Vec::new();
    let mut seen: HashSet<Uuid> = HashSet::new();
    let mut by_key: HashMap<(Uuid, Metric), &HeatMapCell> = HashMap::with_capacity(cells.len());
    for c in &cells {
        by_key.entry((c.company_id, c.metric)).or_insert(c);
        if seen.insert(c.company_id) {
            companies.push((c.company_id, c.company.clone()));
        }
    }
    let head = metrics.iter().map(|m| view! { <th scope="col">{metric_label(*m)}</th> }).collect_view();
    let mut rows = Html::with_capacity(companies.len() * metrics.len() * 450);
    for (company_id, company) in &companies {
        rows.open("tr", &[("data-company", company)]).element("th", &[("scope", "row")], company);
        for m in &metrics {
            match by_key.get(&(*company_id, *m)).copied() {
                Some(c) => cell(&mut rows, c, &href.run((*company_id, *m)), selected == Some((*company_id, *m))),
                None => {
                    rows.markup(r#"<td class="heat heat-none"><span class="muted">—</span></td>"#);
                }
            }
        }
        rows.close("tr");
    }
    view! {
        <section class="panel heat-map" data-test="heat-map" aria-labelledby="heat-map-title">
            <h3 id="heat-map-title">"Latest period against plan"</h3>
            <p class="muted">"Each cell: the latest period's actual against the forecast known then. Colour: the highest alert severity it reaches; green when ahead of plan. Select a cell to see its history."</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Heat map">
                <table>
                    <thead><tr><th scope="col">"Company"</th>{head}</tr></thead>
                    <tbody inner_html=rows.into_string()></tbody>
                </table>
            </div>
            <p class="heat-legend muted" aria-hidden="true">
                <span class="heat heat-favourable">"ahead"</span>
                <span class="heat heat-ok">"within plan"</span>
                <span class="heat heat-warning">"warning"</span>
                <span class="heat heat-critical">"critical"</span>
                <span class="heat heat-urgent">"urgent"</span>
            </p>
            <p class="muted heat-note">
                <span class="heat-next">"next ≈"</span>
                " a prediction, not an actual: the coming period's forecast corrected by the company's usual error (its bias over at least four periods), shown when the chance of an alert is 15% or more. Back-tested on the demo history, about one such flag in eight became a real breach, three times the base rate."
            </p>
        </section>
    }
    .into_any()
}

/// "Prediction for the period ending 31 Dec 2026: about $1.2M against its forecast of $1.6M
/// (−25.0%, likely between −37.0% and −13.0%), from 6 periods of this company's record; 38% chance
/// of an alert".
fn prediction_sentence(p: &PredictedPeriod) -> String {
    format!(
        "Prediction for the period ending {}: about {} against its forecast of {} ({}, likely between {} and {}), from {} periods of this company's record; {}% chance of an alert",
        day(p.period),
        money(p.expected_actual),
        money(p.forecast),
        percent_points(p.expected_pct),
        percent_points(p.low_pct),
        percent_points(p.high_pct),
        p.periods,
        p.chance_pct,
    )
}


/// One cell: its colour, the figure, the same in words for screen readers and on hover, and the
/// prediction when one is flagged; a link unless `href` is empty (a read-only report).
fn cell(out: &mut Html, c: &HeatMapCell, href: &str, selected: bool) {
    let class = match c.severity {
        Some(s) => format!("heat heat-{}", s.as_str()),
        None if direction_class(c.metric, c.direction) == "favourable" => "heat heat-favourable".to_string(),
        None => "heat heat-ok".to_string(),
    };
    let value = c.variance_pct.map(percent_points).unwrap_or_else(|| "n/a".into());
    let status = c.severity.map(|s| severity_label(s).to_lowercase()).unwrap_or_else(|| "no alert".into());
    let period = day(c.period);
    let spoken = format!(" — {}, period ending {period}, {status}", metric_label(c.metric));
    let mut title = format!("{}, {}, period ending {period}: {value} against plan ({status})", c.company, metric_label(c.metric));
    let prediction = c.flagged.as_ref().map(|p| {
        let sentence = prediction_sentence(p);
        title.push_str(". ");
        title.push_str(&sentence);
        (format!("next ≈ {}", percent_points(p.expected_pct)), format!(" — prediction: {sentence}"))
    });
    out.open("td", &[("class", &class), ("data-test", "heat-cell"), ("data-metric", c.metric.as_str()), ("data-severity", c.severity.map(|s| s.as_str()).unwrap_or("none"))]);
    let tag = if href.is_empty() {
        // A read-only report (share link): the figure, focusable for its title.
        out.open("span", &[("tabindex", "0"), ("title", &title)]);
        "span"
    } else {
        out.open_some("a", &[("href", Some(href)), ("title", Some(&title)), ("aria-current", selected.then_some("true"))]);
        "a"
    };
    out.text(&value).element("span", &[("class", "sr-only")], &spoken);
    if let Some((next, said)) = prediction {
        out.open("span", &[("class", "heat-next"), ("data-test", "heat-prediction")]).text(&next).element("span", &[("class", "sr-only")], &said).close("span");
    }
    out.close(tag).close("td");
}
