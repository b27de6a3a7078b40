use leptos::prelude::*;

use crate::components::format::money;
use crate::components::reserves::times;
use crate::components::variance::labels::{metric_label, severity_label};
use crate::funds::OverviewPanel;

/// What needs attention at the date: where the next follow-on dollar earns most, and the open
/// alerts, each with a link to its tab (keeping the dates).
#[component]
pub fn OverviewPanelView(panel: OverviewPanel, fund_id: String, query: String) -> impl IntoView {
    let reserves_href = format!("/funds/{fund_id}/reserves{query}");
    let alerts_href = format!("/funds/{fund_id}/alerts");
    let recommendations = if panel.recommendations.is_empty() {
        view! { <p class="muted">"No ranking for this date yet. " <a href=reserves_href.clone()>"Open the Reserves tab"</a>" to calculate one."</p> }.into_any()
    } else {
        view! {
            <ol class="top-list">
                {panel.recommendations.into_iter().map(|r| {
                    let change = if r.change > rust_decimal::Decimal::ZERO {
                        format!("+{} reserve", money(r.change))
                    } else if r.change < rust_decimal::Decimal::ZERO {
                        format!("−{} reserve", money(-r.change))
                    } else {
                        "hold".to_string()
                    };
                    view! { <li><strong>{r.company}</strong>{format!(" — {} on the next dollar, {change}", times(r.follow_on_multiple))}</li> }
                }).collect_view()}
            </ol>
            {(!panel.ranking_current).then(|| view! { <p class="muted small-note">"Events since have changed the fund: the Reserves tab recalculates."</p> })}
        }.into_any()
    };
    let alerts = if panel.alerts.is_empty() {
        view! { <p class="muted">"No open alerts at this date."</p> }.into_any()
    } else {
        view! {
            <ul class="top-list">
                {panel.alerts.into_iter().map(|a| view! {
                    <li>
                        <span class=format!("severity severity-{}", a.severity.as_str())>{severity_label(a.severity)}</span>
                        {format!(" {} · {} — {}", a.company, metric_label(a.metric), a.rule)}
                    </li>
                }).collect_view()}
            </ul>
        }.into_any()
    };
    view! {
        <section class="attention" data-test="overview-panel">
            <div class="panel">
                <h3><a href=reserves_href>"Top reserve recommendations"</a></h3>
                {recommendations}
            </div>
            <div class="panel">
                <h3><a href=alerts_href>{format!("Open alerts ({})", panel.open_alerts)}</a></h3>
                {alerts}
            </div>
        </section>
    }
}
