use chrono::NaiveDate;
use domain::fund::Metric;
use domain::variance::Severity;
use leptos::prelude::*;

use super::labels::{metric_label, severity_label};

/// Date and filter controls as a plain GET form: works without JavaScript, every view is a URL.
#[component]
pub fn FiltersForm(at: NaiveDate, known_at: Option<NaiveDate>, metric: Option<Metric>, severity: Option<Severity>) -> impl IntoView {
    let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    view! {
        <form method="get" class="date-form" data-test="variance-filters">
            <label>"As of " <input type="date" name="at" value=iso(at) required=true/></label>
            <label>"As known on " <input type="date" name="known_at" value=known_at.map(iso).unwrap_or_default()/></label>
            <label>
                "Metric "
                <select name="metric">
                    <option value="" selected=metric.is_none()>"All metrics"</option>
                    {Metric::ALL.into_iter().map(|m| view! {
                        <option value=m.as_str() selected=metric == Some(m)>{metric_label(m)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Severity "
                <select name="severity">
                    <option value="" selected=severity.is_none()>"Any"</option>
                    {Severity::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=severity == Some(s)>{severity_label(s)}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit">"Show"</button>
        </form>
    }
}
