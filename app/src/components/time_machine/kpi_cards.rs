use domain::fund::FundKpis;
use leptos::prelude::*;

use crate::components::format::{money, multiple, percent};

/// The fund's headline figures. When `now` is given (the same date as known today), a card whose
/// value has since changed says so.
#[component]
pub fn KpiCards(kpis: FundKpis, #[prop(optional)] now: Option<FundKpis>) -> impl IntoView {
    let exact = |d: Option<rust_decimal::Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
    // (key, label, exact value for machines, value as people read it, the same as known now)
    let cards: Vec<(&str, &str, String, String, Option<String>)> = vec![
        ("committed", "Committed", exact(Some(kpis.committed)), money(kpis.committed), now.as_ref().map(|n| money(n.committed))),
        ("called", "Called", exact(Some(kpis.called)), money(kpis.called), now.as_ref().map(|n| money(n.called))),
        ("invested", "Invested", exact(Some(kpis.total_invested)), money(kpis.total_invested), now.as_ref().map(|n| money(n.total_invested))),
        ("distributed", "Distributed", exact(Some(kpis.distributed)), money(kpis.distributed), now.as_ref().map(|n| money(n.distributed))),
        ("nav", "NAV", exact(Some(kpis.nav)), money(kpis.nav), now.as_ref().map(|n| money(n.nav))),
        ("tvpi", "TVPI", exact(kpis.tvpi), multiple(kpis.tvpi), now.as_ref().map(|n| multiple(n.tvpi))),
        ("dpi", "DPI", exact(kpis.dpi), multiple(kpis.dpi), now.as_ref().map(|n| multiple(n.dpi))),
        ("rvpi", "RVPI", exact(kpis.rvpi), multiple(kpis.rvpi), now.as_ref().map(|n| multiple(n.rvpi))),
        ("irr", "Net IRR", exact(kpis.net_irr), percent(kpis.net_irr), now.as_ref().map(|n| percent(n.net_irr))),
    ];
    view! {
        <section class="kpis" aria-label="Key figures">
            {cards
                .into_iter()
                .map(|(key, label, exact, value, now_value)| {
                    let changed = now_value.filter(|n| *n != value);
                    let differs = changed.is_some();
                    view! {
                        <div class="kpi" class:differs=differs data-kpi=key data-value=exact>
                            <div class="kpi-label">{label}</div>
                            <div class="kpi-value">{value}</div>
                            {changed.map(|n| view! { <div class="kpi-now">"Known now: " {n}</div> })}
                        </div>
                    }
                })
                .collect_view()}
        </section>
    }
}
