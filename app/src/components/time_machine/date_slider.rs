use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

/// How long the slider must rest before the URL (and the data) follow it.
const SETTLE_MS: u64 = 250;

/// A slider over the fund's history, first event → today, with a tick for each week that has
/// events. Arrow keys move a day (Page Up/Down a month, Home/End the ends); the URL follows once
/// the slider settles, as a new history entry, and the page data follows the URL.
#[component]
pub fn DateSlider(first_day: NaiveDate, today: NaiveDate, ticks: Vec<i64>) -> impl IntoView {
    let total = (today - first_day).num_days().max(0);
    let location = use_location();
    let navigate = use_navigate();
    let day_of = move |d: NaiveDate| (d - first_day).num_days().clamp(0, total);
    let url_day = move || {
        location
            .query
            .with(|q| q.get("at"))
            .and_then(|a| NaiveDate::parse_from_str(a.get(..10).unwrap_or(""), "%Y-%m-%d").ok())
            .map(day_of)
            .unwrap_or(total)
    };
    let value = RwSignal::new(untrack(url_day));
    // Follow the URL when it changes from elsewhere (a link, back/forward).
    Effect::new(move |_| value.set(url_day()));
    let pending: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    let date_at = move |v: i64| first_day + Duration::days(v);
    let on_input = move |ev: leptos::ev::Event| {
        let v: i64 = event_target_value(&ev).parse().unwrap_or(total);
        value.set(v);
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let navigate = navigate.clone();
        let handle = set_timeout_with_handle(
            move || {
                let mut query = location.query.get_untracked();
                query.replace("at", date_at(v).format("%Y-%m-%d").to_string());
                let url = format!("{}{}", location.pathname.get_untracked(), query.to_query_string());
                navigate(&url, NavigateOptions { scroll: false, ..Default::default() });
            },
            std::time::Duration::from_millis(SETTLE_MS),
        )
        .ok();
        pending.set_value(handle);
    };
    let label = move || date_at(value.get()).format("%-d %B %Y").to_string();
    let tick_marks = ticks
        .into_iter()
        .map(|t| {
            let pct = if total == 0 { 0.0 } else { t as f64 / total as f64 * 100.0 };
            view! { <line x1=format!("{pct:.2}%") x2=format!("{pct:.2}%") y1="0" y2="10"/> }
        })
        .collect_view();
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
            <svg class="ticks" aria-hidden="true" preserveAspectRatio="none">{tick_marks}</svg>
            <div class="slider-ends muted">
                <span>{first_day.format("%-d %b %Y").to_string()}</span>
                <span>{today.format("%-d %b %Y").to_string()}</span>
            </div>
        </div>
    }
}
