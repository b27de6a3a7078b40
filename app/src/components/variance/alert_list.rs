use domain::variance::AlertState;
use leptos::prelude::*;

use super::labels::{metric_label, severity_label};
use super::unread_badge::InboxRefresh;
use crate::components::format::{date, money, percent};
use crate::variance::page_data::AlertRow;
use crate::variance::{MarkAlertRead, ResolveAlert};

/// The inbox: each alert with its figures and deliveries; mark read, or resolve with a note.
#[component]
pub fn AlertList(fund_id: String, alerts: Vec<AlertRow>, on_change: Callback<()>) -> impl IntoView {
    if alerts.is_empty() {
        return view! { <p class="empty" data-test="inbox-empty">"No alerts here."</p> }.into_any();
    }
    let read = ServerAction::<MarkAlertRead>::new();
    let resolve = ServerAction::<ResolveAlert>::new();
    let refresh = use_context::<InboxRefresh>();
    Effect::new(move |_| {
        let versions = (read.version().get(), resolve.version().get());
        if versions != (0, 0) {
            if let Some(r) = refresh {
                r.bump();
            }
            on_change.run(());
        }
    });
    let items = alerts
        .into_iter()
        .map(|a| {
            let state = a.state.as_str();
            let unread = a.state == AlertState::Unread;
            let resolved = a.state == AlertState::Resolved;
            let fund = fund_id.clone();
            let fund2 = fund_id.clone();
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
                    {a.resolution_note.clone().map(|n| view! { <p class="note">"Resolved: " {n}</p> })}
                    {(!resolved).then(|| view! {
                        <div class="alert-actions">
                            {unread.then(|| view! {
                                <ActionForm action=read>
                                    <input type="hidden" name="fund_id" value=fund.clone()/>
                                    <input type="hidden" name="alert_id" value=a.id.to_string()/>
                                    <button type="submit" data-test="mark-read">"Mark read"</button>
                                </ActionForm>
                            })}
                            <ActionForm action=resolve attr:class="resolve-form">
                                <input type="hidden" name="fund_id" value=fund2.clone()/>
                                <input type="hidden" name="alert_id" value=a.id.to_string()/>
                                <input type="text" name="note" required=true maxlength="1000" placeholder="What was done" aria-label="Resolution note"/>
                                <button type="submit" data-test="resolve">"Resolve"</button>
                            </ActionForm>
                        </div>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        {move || resolve.value().get().and_then(|r| r.err()).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        <ul class="alerts" data-test="alerts">{items}</ul>
    }
    .into_any()
}
