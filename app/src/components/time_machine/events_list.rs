use leptos::prelude::*;

use super::correct_form::CorrectForm;
use crate::components::fragment::{fragment_html, key_hash};
use crate::components::html::Html;
use crate::components::format::{date, money};
use crate::time_machine::page_data::EventRow;

/// A list of events, newest first, with late ones flagged and reversed ones struck through.
/// `correct_for` (a fund id) offers "Correct…" under each event that can be corrected.
#[component]
pub fn EventsList(events: Vec<EventRow>, #[prop(into)] title: String, #[prop(default = None)] correct_for: Option<String>) -> impl IntoView {
    view! {
        <section class="panel">
            <h3>{title}</h3>
            {if events.is_empty() {
                view! { <p class="empty">"No events in this window."</p> }.into_any()
            } else {
                let mut items = Html::with_capacity(events.len() * 500);
                for e in &events {
                    event_item(&mut items, e, correct_for.as_deref());
                }
                view! { <ol class="events" inner_html=items.into_string()></ol> }.into_any()
            }}
        </section>
    }
}

/// One `<li>` of the list: when, what, for whom, how much, whether reversed or late, and the
/// correction form when `correct_for` (a fund id) is given and the event can be corrected.
fn event_item(out: &mut Html, e: &EventRow, correct_for: Option<&str>) {
    let class = match (e.late, e.reversed_by.is_some()) {
        (true, true) => Some("late reversed"),
        (true, false) => Some("late"),
        (false, true) => Some("reversed"),
        (false, false) => None,
    };
    out.open_some("li", &[("class", class), ("data-version", Some(&e.version.to_string()))]);
    out.element("time", &[("datetime", &e.effective_at.to_rfc3339())], &date(e.effective_at));
    out.element("span", &[("class", "event-type")], &e.event_type.replace('_', " ").to_lowercase());
    if let Some(c) = &e.company {
        out.element("span", &[("class", "event-company")], c);
    }
    if let Some(d) = &e.detail {
        out.element("span", &[("class", "muted")], d);
    }
    if let Some(a) = e.amount {
        out.element("span", &[("class", "num")], &money(a));
    }
    if let Some(v) = e.reversed_by {
        out.element("span", &[("class", "badge reversed-badge")], &format!("reversed by version {v}"));
    }
    if e.late {
        let recorded = date(e.recorded_at);
        out.element("span", &[("class", "badge"), ("title", &format!("Recorded {recorded}"))], &format!("recorded late, {recorded}"));
    }
    // An event never changes once recorded, so its form is rendered once per (fund, version, the
    // values it starts from), not at every date whose window shows it.
    if let (Some(fund_id), Some(cells)) = (correct_for, &e.correction) {
        let key = format!("tm-correct:{fund_id}:{}:{:016x}", e.version, key_hash(cells));
        out.rendered(&fragment_html(key, || view! { <CorrectForm fund_id=fund_id.to_string() row=e.clone()/> }));
    }
    out.close("li");
}
