use domain::variance::AlertState;
use leptos::prelude::*;

use super::labels::{metric_label, severity_label};
use crate::components::format::{date, money, percent};
use crate::variance::page_data::AlertRow;
use crate::variance::{MarkAlertRead, ResolveAlert};

/// The inbox: each alert with its figures and deliveries; mark read, or resolve with a note.
/// Rendered on the server as a live region: the buttons are `data-enhance` form posts, after which
/// the list and the unread count are re-read without a reload.
#[component]
pub fn AlertList(fund_id: String, alerts: Vec<AlertRow>) -> impl IntoView {
    let read = ServerAction::<MarkAlertRead>::new();
    let resolve = ServerAction::<ResolveAlert>::new();
    let content = if alerts.is_empty() {
        view! { <p class="empty" data-test="inbox-empty">"No alerts here."</p> }.into_any()
    } else {
        let items = alerts.into_iter().map(|a| alert_item(a, fund_id.clone(), read, resolve)).collect_view();
        view! { <ul class="alerts" data-test="alerts">{items}</ul> }.into_any()
    };
    view! { <div class="live" data-live="alerts">{content}</div> }
}

fn alert_item(a: AlertRow, fund_id: String, read: ServerAction<MarkAlertRead>, resolve: ServerAction<ResolveAlert>) -> impl IntoView {
    let state = a.state.as_str();
    let unread = a.state == AlertState::Unread;
    let resolved = a.state == AlertState::Resolved;
    let fund_for_read = fund_id.clone();
    view! {
        <li class=format!("alert severity-{} state-{state}", a.severity.as_str()) data-test="alert" data-alert=a.id.to_string()>
            <div class="alert-head">
                <span class=format!("severity severity-{}", a.severity.as_str())>{severity_label(a.severity)}</span>
                <strong>{a.company.clone()}</strong>
                <span>{metric_label(a.metric)} " · " {a.period.format("%-d %b %Y").to_string()}</span>
                <span class="muted">{format!("raised {}", date(a.created_at))}</span>
                <span class="state">{state}</span>
            </div>
            <p>
                {a.rule.clone()} ": actual " {money(a.actual)} " vs forecast " {money(a.forecast)} " ("
                {a.variance_pct.map(|p| percent(Some(p / rust_decimal::Decimal::ONE_HUNDRED))).unwrap_or_else(|| "n/a".into())} ")"
            </p>
            <p class="muted deliveries">
                {a.deliveries.iter().map(|d| format!("{}: {}{}", d.channel.as_str().replace('_', "-"), d.status, d.last_error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default())).collect::<Vec<_>>().join(" · ")}
            </p>
            {resolved.then(|| {
                let by = a.resolved_by.clone().map(|e| format!(" by {e}")).unwrap_or_default();
                let note = a.resolution_note.clone().map(|n| format!(": {n}")).unwrap_or_default();
                view! { <p class="note">{format!("Resolved{by}{note}")}</p> }
            })}
            {(!resolved).then(|| view! {
                <div class="alert-actions">
                    {unread.then(|| view! {
                        <ActionForm action=read attr:data-enhance="">
                            <input type="hidden" name="fund_id" value=fund_for_read.clone()/>
                            <input type="hidden" name="alert_id" value=a.id.to_string()/>
                            <button type="submit" data-test="mark-read">"Mark read"</button>
                        </ActionForm>
                    })}
                    <ActionForm action=resolve attr:class="resolve-form" attr:data-enhance="">
                        <input type="hidden" name="fund_id" value=fund_id.clone()/>
                        <input type="hidden" name="alert_id" value=a.id.to_string()/>
                        <input type="text" name="note" required=true maxlength="1000" placeholder="What was done" aria-label="Resolution note"/>
                        <button type="submit" data-test="resolve">"Resolve"</button>
                    </ActionForm>
                </div>
            })}
        </li>
    }
}
