use leptos::prelude::*;

use crate::components::live_page::{current_query, on_page_change, refresh_when};
use crate::reserves::page_data::{RunDefaults, RunProgress};
use crate::reserves::{CancelReserveRun, StartReserveRun};

/// The page marks a run in progress with this attribute (its events URL) inside its live region.
pub const PENDING_ATTR: &str = "data-pending-events";

/// What the panel shows about the run it follows.
#[derive(Debug, Clone, PartialEq)]
// `Failed` comes from the event stream, which only the browser reads.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Phase {
    Idle,
    /// Following a run: fraction done and the estimated milliseconds left.
    Running { run_id: String, fraction: f64, remaining_ms: Option<i64> },
    Done,
    Cancelled,
    Failed(String),
}

/// "Calculate" (analysts): iterations, increment and seed with their defaults shown. With
/// JavaScript the run's progress streams in over SSE (percent and time left, with Cancel) and the
/// ranking updates in place when the result arrives. Without it the form posts and the tab, which
/// shows the run in progress, refreshes itself until the result is there.
///
/// Viewers get the progress of runs the tab queued by itself, without the form.
#[island]
pub fn CalculatePanel(fund_id: String, at: String, known_at: Option<String>, defaults: RunDefaults, can_run: bool, pending: Option<RunProgress>) -> impl IntoView {
    let start = ServerAction::<StartReserveRun>::new();
    let cancel = ServerAction::<CancelReserveRun>::new();
    let at = RwSignal::new(at);
    let known_at = RwSignal::new(known_at.unwrap_or_default());
    let phase = RwSignal::new(match &pending {
        Some(p) => Phase::Running { run_id: p.run_id.to_string(), fraction: p.progress, remaining_ms: None },
        None => Phase::Idle,
    });
    // The events URL to follow; set by a started run, a pending one, or one found after a refresh.
    let follow = RwSignal::new(pending.map(|p| p.events_url));
    on_page_change(move || {
        at.set(current_query("at").unwrap_or_default());
        known_at.set(current_query("known_at").unwrap_or_default());
    });
    refresh_when(move || phase.get() == Phase::Done);
    Effect::new(move |_| {
        if let Some(Ok(started)) = start.value().get() {
            if started.cached {
                phase.set(Phase::Done);
            } else {
                phase.set(Phase::Running { run_id: started.run_id.to_string(), fraction: 0.0, remaining_ms: None });
                follow.set(Some(started.events_url));
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(status)) = cancel.value().get() {
            if status == "cancelled" {
                phase.set(Phase::Cancelled);
            }
        }
    });
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| {
            if let Some(url) = follow.get() {
                browser::follow_run(&url, phase);
            }
        });
        browser::on_regions_refreshed(move || {
            if let Some(url) = browser::pending_in_page() {
                if follow.get_untracked().as_deref() != Some(url.as_str()) {
                    follow.set(Some(url));
                }
            }
        });
    }
    let fund_for_cancel = fund_id.clone();
    let status_line = move || match phase.get() {
        Phase::Idle => None,
        Phase::Running { run_id, fraction, remaining_ms } => {
            let fund = fund_for_cancel.clone();
            let left = remaining_ms.map(|ms| format!(" · about {} s left", (ms as f64 / 1000.0).ceil().max(1.0))).unwrap_or_default();
            Some(view! {
                <div class="run-progress" role="status" data-test="run-progress" data-value=format!("{fraction:.3}")>
                    <progress max="1" value=fraction aria-label="Reserve calculation progress"></progress>
                    <span>{format!("Calculating… {:.0}%{left}", fraction * 100.0)}</span>
                    {can_run.then(move || view! {
                        <ActionForm action=cancel attr:class="inline" attr:data-test="cancel-run">
                            <input type="hidden" name="fund_id" value=fund/>
                            <input type="hidden" name="run_id" value=run_id/>
                            <button type="submit" class="secondary">"Cancel"</button>
                        </ActionForm>
                    })}
                </div>
            }.into_any())
        }
        Phase::Done => Some(view! {
            <div class="run-progress" data-test="run-progress" data-value="1.000">
                <progress max="1" value="1" aria-label="Reserve calculation progress"></progress>
                <span class="run-status" role="status" data-test="run-done">"Done: ranking updated."</span>
            </div>
        }.into_any()),
        Phase::Cancelled => Some(view! { <p class="run-status" role="status" data-test="run-cancelled">"Run cancelled: the ranking below is unchanged."</p> }.into_any()),
        Phase::Failed(message) => Some(view! { <p class="error" role="alert" data-test="run-failed">{format!("The run failed: {message}")}</p> }.into_any()),
    };
    let form = can_run.then(|| {
        view! {
            <ActionForm action=start attr:class="calculate-form" attr:data-test="calculate-form">
                <input type="hidden" name="fund_id" value=fund_id.clone()/>
                <input type="hidden" name="at" prop:value=move || at.get()/>
                <input type="hidden" name="known_at" prop:value=move || known_at.get()/>
                <label>"Iterations " <input type="number" name="iterations" min="100" max="1000000" step="1" value=defaults.iterations.to_string() required=true/></label>
                <label>"Increment ($) " <input type="text" name="increment" inputmode="numeric" value=defaults.increment.normalize().to_string() required=true/></label>
                <label>"Seed " <input type="text" name="seed" inputmode="numeric" value=defaults.seed.to_string() required=true/></label>
                <button type="submit">"Calculate"</button>
            </ActionForm>
            {move || start.value().get().and_then(|r| r.err()).map(|e| view! { <p class="error" role="alert" data-test="calculate-error">{e.to_string()}</p> })}
        }
    });
    view! {
        <section class="panel calculate" data-test="calculate">
            <h3>"Calculate"</h3>
            {form}
            {status_line}
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    use super::Phase;

    /// Opens the run's event stream and moves `phase` along until its final event.
    pub fn follow_run(url: &str, phase: RwSignal<Phase>) {
        let Ok(source) = EventSource::new(url) else {
            phase.set(Phase::Failed("the browser cannot follow the run; reload the page".into()));
            return;
        };
        let on = |name: &str, handler: Box<dyn FnMut(MessageEvent)>| {
            let closure = Closure::<dyn FnMut(MessageEvent)>::wrap(handler);
            let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
            closure.forget();
        };
        let read = |e: &MessageEvent| e.data().as_string().and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok()).unwrap_or_default();
        on(
            "progress",
            Box::new(move |e| {
                let data = read(&e);
                let run_id = data["run_id"].as_str().unwrap_or_default().to_string();
                let fraction = data["fraction"].as_f64().unwrap_or(0.0);
                let remaining_ms = data["remaining_ms"].as_i64();
                phase.set(Phase::Running { run_id, fraction, remaining_ms });
            }),
        );
        let finals: [(&str, fn(&serde_json::Value) -> Phase); 3] = [
            ("result", |_| Phase::Done),
            ("cancelled", |_| Phase::Cancelled),
            ("failed", |d| Phase::Failed(d["error"].as_str().unwrap_or("unknown error").to_string())),
        ];
        for (name, to_phase) in finals {
            let closing = source.clone();
            on(
                name,
                Box::new(move |e| {
                    closing.close();
                    phase.set(to_phase(&read(&e)));
                }),
            );
        }
    }

    /// The events URL of a run in progress that the (refreshed) page shows, if any.
    pub fn pending_in_page() -> Option<String> {
        let selector = format!("[{}]", super::PENDING_ATTR);
        document().query_selector(&selector).ok().flatten().and_then(|e| e.get_attribute(super::PENDING_ATTR))
    }

    /// Calls `f` each time the live regions have been swapped for fresh ones.
    pub fn on_regions_refreshed(f: impl Fn() + 'static) {
        let handle = window_event_listener_untyped(crate::components::live_page::REFRESHED_EVENT, move |_| f());
        on_cleanup(move || handle.remove());
    }
}
