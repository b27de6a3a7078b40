use leptos::prelude::*;

use super::correct_form::CorrectForm;
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
                view! {
                    <ol class="events">
                        {events
                            .into_iter()
                            .map(|e| {
                                let kind = e.event_type.replace('_', " ").to_lowercase();
                                let correct = match (&correct_for, &e.correction) {
                                    (Some(fund_id), Some(_)) => Some(view! { <CorrectForm fund_id=fund_id.clone() row=e.clone()/> }),
                                    _ => None,
                                };
                                view! {
                                    <li class:late=e.late class:reversed=e.reversed_by.is_some() data-version=e.version.to_string()>
                                        <time datetime=e.effective_at.to_rfc3339()>{date(e.effective_at)}</time>
                                        <span class="event-type">{kind}</span>
                                        {e.company.map(|c| view! { <span class="event-company">{c}</span> })}
                                        {e.detail.map(|d| view! { <span class="muted">{d}</span> })}
                                        {e.amount.map(|a| view! { <span class="num">{money(a)}</span> })}
                                        {e.reversed_by.map(|v| view! {
                                            <span class="badge reversed-badge">{format!("reversed by version {v}")}</span>
                                        })}
                                        {e.late.then(|| view! {
                                            <span class="badge" title=format!("Recorded {}", date(e.recorded_at))>
                                                {format!("recorded late, {}", date(e.recorded_at))}
                                            </span>
                                        })}
                                        {correct}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}
