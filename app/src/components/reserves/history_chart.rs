use std::sync::Arc;

use leptos::prelude::*;

use super::{coord, times};
use crate::components::format::{money, polyline};
use crate::reserves::page_data::QuarterRanking;

const W: f64 = 760.0;
const H: f64 = 240.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;
/// Companies followed: the best-ranked at the latest quarter end.
const FOLLOWED: usize = 5;

/// How the recommendation changed: the follow-on multiple of the latest top companies at each
/// past quarter end, as known then, with each quarter's recommended reserve, and links to the
/// Time Machine's changes between consecutive quarter ends (which events explain a move).
#[component]
pub fn HistoryChart(fund_id: String, history: Arc<Vec<QuarterRanking>>, pending: usize) -> impl IntoView {
    let note = (pending > 0).then(|| view! {
        <p class="muted" data-test="history-pending">{format!("{pending} quarter end(s) still being calculated; they appear here as they finish.")}</p>
    });
    if history.len() < 2 {
        return view! {
            <section class="panel history" data-test="history">
                <h3>"How the recommendation changed"</h3>
                {note}
                {(pending == 0).then(|| view! { <p class="muted">"Fewer than two quarter ends in this fund's history so far."</p> })}
            </section>
        }
        .into_any();
    }
    let latest = history.last().expect("two or more");
    let followed: Vec<String> = latest.companies.iter().take(FOLLOWED).map(|c| c.name.clone()).collect();
    let n = history.len();
    let x = move |i: usize| LEFT + i as f64 / (n - 1) as f64 * (W - LEFT - RIGHT);
    let value = |q: &QuarterRanking, name: &str| q.companies.iter().find(|c| c.name == name).cloned();
    let max_y = history.iter().flat_map(|q| q.companies.iter().filter(|c| followed.contains(&c.name)).map(|c| c.follow_on_multiple)).fold(1.5, f64::max).min(30.0) * 1.1;
    let y = move |v: f64| TOP + (1.0 - v.clamp(0.0, max_y) / max_y) * (H - TOP - BOTTOM);
    let lines = followed
        .iter()
        .enumerate()
        .map(|(s, name)| {
            let points = polyline(history.iter().enumerate().filter_map(|(i, q)| value(q, name).map(|c| (x(i), y(c.follow_on_multiple)))));
            view! { <polyline class=format!("series s{s}") points=points/> }
        })
        .collect_view();
    let labels = history
        .iter()
        .enumerate()
        .map(|(i, q)| view! { <text class="axis" x=coord(x(i)) y=H - 10.0 text-anchor="middle">{q.quarter_end.format("%b %y").to_string()}</text> })
        .collect_view();
    let y_ticks = (0..=3).map(|i| {
        let v = max_y / 1.1 * f64::from(i) / 3.0;
        view! {
            <line class="grid" x1=LEFT x2=W - RIGHT y1=coord(y(v)) y2=coord(y(v))/>
            <text class="axis" x=LEFT - 6.0 y=coord(y(v) + 4.0) text-anchor="end">{times(v)}</text>
        }
    }).collect_view();
    let legend = followed.iter().enumerate().map(|(s, name)| view! { <span class=format!("legend s{s}")>{name.clone()}</span> }).collect_view();
    let header = history.iter().map(|q| view! { <th scope="col" class="num">{q.quarter_end.format("%b %Y").to_string()}</th> }).collect_view();
    let rows = followed
        .iter()
        .map(|name| {
            let cells = history.iter().map(|q| match value(q, name) {
                Some(c) => view! { <td class="num" title=format!("rank {}", c.rank)>{format!("{} · {}", times(c.follow_on_multiple), money(c.recommended))}</td> }.into_any(),
                None => view! { <td class="num muted">"—"</td> }.into_any(),
            }).collect_view();
            view! { <tr><th scope="row">{name.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    let diffs = history
        .windows(2)
        .map(|w| {
            let (from, to) = (w[0].quarter_end, w[1].quarter_end);
            let href = format!("/funds/{fund_id}/time-machine?at={to}&known_at={to}&compare={from}");
            view! { <li><a href=href>{format!("What changed {} → {}", from.format("%b %Y"), to.format("%b %Y"))}</a></li> }
        })
        .collect_view();
    view! {
        <section class="panel history" data-test="history">
            <h3>"How the recommendation changed"</h3>
            {note}
            <figure class="chart curves">
                <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=format!("Follow-on multiple of {} companies at {} quarter ends, as known then", followed.len(), n)>
                    {y_ticks}
                    {labels}
                    {lines}
                </svg>
                <figcaption>{legend}<span class="muted">"Follow-on multiple at each quarter end, as known on that day."</span></figcaption>
            </figure>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Recommendation by quarter end">
                <table class="data history-table">
                    <caption>"Follow-on multiple · recommended reserve, by quarter end (as known then)"</caption>
                    <thead><tr><th scope="col">"Company"</th>{header}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <details>
                <summary>"Which events explain a change"</summary>
                <ul class="diff-links">{diffs}</ul>
            </details>
        </section>
    }
    .into_any()
}
