use chrono::NaiveDate;
use domain::fund::Metric;
use leptos::prelude::*;

use super::labels::{metric_label, severity_label};
use crate::components::format::{money, percent};
use crate::components::live_page::refresh_when;
use crate::variance::page_data::CompanyOption;
use crate::variance::RecordActual;

/// Record an actual by hand. Works without JavaScript (a form post to the server function); with
/// it, the alerts the actual raised are shown in place, and the page's live regions (the variance
/// table, the unread count) are re-read. An island outside those regions, so its result stays.
#[island]
pub fn RecordActualForm(fund_id: String, companies: Vec<CompanyOption>, today: NaiveDate) -> impl IntoView {
    let action = ServerAction::<RecordActual>::new();
    refresh_when(move || matches!(action.value().get(), Some(Ok(_))));
    view! {
        <section class="panel" data-test="record-actual">
            <h3>"Record an actual"</h3>
            <ActionForm action=action attr:class="record-form">
                <input type="hidden" name="fund_id" value=fund_id/>
                <input type="hidden" name="source" value="manual"/>
                <label>
                    "Company "
                    <select name="company_id" required=true>
                        {companies.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    "Metric "
                    <select name="metric" required=true>
                        {Metric::ALL.into_iter().map(|m| view! { <option value=m.as_str()>{metric_label(m)}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Value ($) " <input type="text" name="value" inputmode="decimal" required=true placeholder="1250000"/></label>
                <label>"Effective date " <input type="date" name="effective_date" required=true value=today.format("%Y-%m-%d").to_string()/></label>
                <button type="submit">"Record"</button>
            </ActionForm>
            {move || action.value().get().map(|r| match r {
                Ok(rec) => view! {
                    <div class="record-result" role="status" data-test="record-result">
                        <p>{format!("Recorded {} {} for {}.", metric_label(rec.metric), money(rec.value), rec.period.format("%-d %b %Y"))}</p>
                        {if rec.alerts.is_empty() {
                            view! { <p class="muted">"Within plan: no alert raised."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="raised">
                                    {rec.alerts.into_iter().map(|a| view! {
                                        <li class=format!("severity-{}", a.severity.as_str())>
                                            <strong>{severity_label(a.severity)}</strong>
                                            {format!(": {} — {} vs forecast {} ({})", a.rule, money(a.actual), money(a.forecast),
                                                a.variance_pct.map(|p| percent(Some(p / rust_decimal::Decimal::ONE_HUNDRED))).unwrap_or_else(|| "n/a".into()))}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="error" role="alert" data-test="record-error">{e.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}
