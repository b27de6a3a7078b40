use chrono::{Duration, NaiveDate};
use leptos::prelude::*;

use crate::components::format::{day, push_fixed};
use crate::components::live_page::{current_query, navigate_in_place, on_page_change};

/// How long the slider must rest before the URL (and the data) follow it.
const SETTLE_MS: u64 = 250;

/// A slider over the fund's history, first event → today, with a tick for each week that has
/// events. Arrow keys move a day (Page Up/Down a month, Home/End the ends); once the slider
/// settles the URL follows as a new history entry and the page's live regions (KPIs, tables,
/// chart, tabs) are re-read from the server for it. An island; `at` is the date in the URL.
#[island]
pub fn DateSlider(first_day: NaiveDate, today: NaiveDate, ticks: Vec<i64>, at: NaiveDate) -> impl IntoView {
    let total = (today - first_day).num_days().max(0);
    let day_of = move |d: NaiveDate| (d - first_day).num_days().clamp(0, total);
    let value = RwSignal::new(day_of(at));
    // Follow the URL when it changes from elsewhere (back/forward).
    on_page_change(move || {
        let day = current_query("at")
            .and_then(|a| NaiveDate::parse_from_str(a.get(..10).unwrap_or(""), "%Y-%m-%d").ok())
            .map(day_of)
            .unwrap_or(total);
        value.set(day);
    });
    let pending: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    let date_at = move |v: i64| first_day + Duration::days(v);
    let on_input = move |ev: leptos::ev::Event| {
        let v: i64 = event_target_value(&ev).parse().unwrap_or(total);
        value.set(v);
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || navigate_in_place(&url_with_date(date_at(v))),
            std::time::Duration::from_millis(SETTLE_MS),
        )
        .ok();
        pending.set_value(handle);
    };
    let label = move || date_at(value.get()).format("%-d %B %Y").to_string();
    // One path of vertical strokes on a 100-unit-wide box stretched to the slider's width (the
    // strokes keep one pixel): a `<line>` per week with events was ~300 elements on every hub page.
    let mut tick_path = String::with_capacity(ticks.len() * 12);
    for t in &ticks {
        tick_path.push('M');
        push_fixed(&mut tick_path, if total == 0 { 0.0 } else { *t as f64 / total as f64 * 100.0 }, 2, true);
        tick_path.push_str(" 0V10");
    }
    view! {
        <div class="slider" data-test="slider">
            <label for="tm-slider" class="slider-label">
                "Date " <output for="tm-slider" data-test="slider-date">{label}</output>
            </label>
            <input
                id="tm-slider"
                type="range"
                min="0"
                max=total.to_string()
                step="1"
                prop:value=move || value.get().to_string()
                value=move || value.get().to_string()
                aria-valuetext=label
                on:input=on_input
            />
            <svg class="ticks" aria-hidden="true" viewBox="0 0 100 10" preserveAspectRatio="none"><path d=tick_path vector-effect="non-scaling-stroke"/></svg>
            <div class="slider-ends muted">
                <span>{day(first_day)}</span>
                <span>{day(today)}</span>
            </div>
        </div>
    }
}

/// The current URL with `at` set to `day` (browser only).
fn url_with_date(day: NaiveDate) -> String {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        let query = web_sys::UrlSearchParams::new_with_str(&location.search().unwrap_or_default());
        match query {
            Ok(query) => {
                query.set("at", &day.format("%Y-%m-%d").to_string());
                format!("{}?{}", location.pathname().unwrap_or_default(), String::from(query.to_string()))
            }
            Err(_) => format!("?at={}", day.format("%Y-%m-%d")),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    format!("?at={}", day.format("%Y-%m-%d"))
}
