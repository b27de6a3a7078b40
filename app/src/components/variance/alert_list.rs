use domain::variance::AlertState;
use leptos::prelude::*;

use super::labels::{metric_label, severity_label};
use crate::components::format::{date, money, percent};
use crate::variance::page_data::AlertRow;
use crate::variance::{MarkAlertRead, MarkAlertsRead, ResolveAlert};

/// The inbox, one group per company, the worst first: each alert with its figures and
/// deliveries; mark read, or resolve with a note, and "mark all read" for the filter shown.
/// Rendered on the server as a live region: the buttons are `data-enhance` form posts, after which
/// the list and the unread count are re-read without a reload.
#[component]
pub fn AlertList(fund_id: String, alerts: Vec<AlertRow>, #[prop(optional)] state: Option<String>, #[prop(optional)] severity: Option<String>) -> impl IntoView {
    let read = ServerAction::<MarkAlertRead>::new();
    let read_all = ServerAction::<MarkAlertsRead>::new();
    let resolve = ServerAction::<ResolveAlert>::new();
    let unread = alerts.iter().filter(|a| a.state == AlertState::Unread).count();
    let content = if alerts.is_empty() {
        view! { <p class="empty" data-test="inbox-empty">"No alerts here."</p> }.into_any()
    } else {
        let groups = by_company_worst_first(alerts)
            .into_iter()
            .map(|group| {
                let open = group.iter().filter(|a| a.state != AlertState::Resolved).count();
                let worst = group.iter().filter(|a| a.state != AlertState::Resolved).map(|a| a.severity).max();
                let company = group[0].company.clone();
                let summary = match worst {
                    Some(w) => format!("{open} open · worst {}", severity_label(w).to_lowercase()),
                    None => format!("{} resolved", group.len()),
                };
                let items = group.into_iter().map(|a| alert_item(a, fund_id.clone(), read, resolve)).collect_view();
                view! {
                    <section class="alert-group" data-test="alert-group">
                        <h3>{company} <span class="muted">{summary}</span></h3>
                        <ul class="alerts" data-test="alerts">{items}</ul>
                    </section>
                }
            })
            .collect_view();
        view! { <div class="alert-groups">{groups}</div> }.into_any()
    };
    let mark_all = (unread > 0).then(|| {
        let label = match severity.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => format!("Mark all {s} alerts read ({unread})"),
            None => format!("Mark all read ({unread})"),
        };
        view! {
            <ActionForm action=read_all attr:class="mark-all-form" attr:data-enhance="">
                <input type="hidden" name="fund_id" value=fund_id.clone()/>
                <input type="hidden" name="state" value=state.clone().unwrap_or_default()/>
                <input type="hidden" name="severity" value=severity.clone().unwrap_or_default()/>
                <button type="submit" data-test="mark-all-read">{label}</button>
            </ActionForm>
        }
    });
    view! { <div class="live" data-live="alerts">{mark_all}{content}</div> }
}

/// The alerts grouped by company: companies with the most severe open alert first (then the
/// most severe alert at all, then by name); in a company, open alerts before resolved ones,
/// the most severe first, then the newest.
fn by_company_worst_first(alerts: Vec<AlertRow>) -> Vec<Vec<AlertRow>> {
    let mut groups: Vec<Vec<AlertRow>> = Vec::new();
    for a in alerts {
        match groups.iter_mut().find(|g| g[0].company_id == a.company_id) {
            Some(g) => g.push(a),
            None => groups.push(vec![a]),
        }
    }
    let rank = |a: &AlertRow| (a.state != AlertState::Resolved, a.severity);
    for g in &mut groups {
        g.sort_by(|x, y| rank(y).cmp(&rank(x)).then(y.created_at.cmp(&x.created_at)));
    }
    groups.sort_by(|x, y| rank(&y[0]).cmp(&rank(&x[0])).then_with(|| x[0].company.cmp(&y[0].company)));
    groups
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
            {(a.periods_in_breach > 1).then(|| view! {
                <p class="muted span" data-test="alert-span">
                    {format!(
                        "{} plan since {} · {} periods",
                        if a.variance < rust_decimal::Decimal::ZERO { "Below" } else { "Above" },
                        a.first_period.format("%-d %b %Y"),
                        a.periods_in_breach
                    )}
                </p>
            })}
            {(a.rules.len() > 1).then(|| view! {
                <p class="muted rules" data-test="alert-rules">{format!("Breached {} rules: {}", a.rules.len(), a.rules.join(" · "))}</p>
            })}
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
