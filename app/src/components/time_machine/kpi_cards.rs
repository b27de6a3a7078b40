use domain::fund::FundKpis;
use leptos::prelude::*;

use crate::components::format::{money, multiple, percent};

/// The fund's headline figures. When `now` is given (the same date as known today), a card whose
/// value has since changed says so.
#[component]
pub fn KpiCards(kpis: FundKpis, #[prop(optional)] now: Option<FundKpis>) -> impl IntoView {
    let cards: Vec<(&str, &str, String, Option<String>)> = vec![
        ("committed", "Committed", money(kpis.committed), now.as_ref().map(|n| money(n.committed))),
        ("called", "Called", money(kpis.called), now.as_ref().map(|n| money(n.called))),
        ("invested", "Invested", money(kpis.total_invested), now.as_ref().map(|n| money(n.total_invested))),
        ("distributed", "Distributed", money(kpis.distributed), now.as_ref().map(|n| money(n.distributed))),
        ("nav", "NAV", money(kpis.nav), now.as_ref().map(|n| money(n.nav))),
        ("tvpi", "TVPI", multiple(kpis.tvpi), now.as_ref().map(|n| multiple(n.tvpi))),
        ("dpi", "DPI", multiple(kpis.dpi), now.as_ref().map(|n| multiple(n.dpi))),
        ("rvpi", "RVPI", multiple(kpis.rvpi), now.as_ref().map(|n| multiple(n.rvpi))),
        ("irr", "Net IRR", percent(kpis.net_irr), now.as_ref().map(|n| percent(n.net_irr))),
    ];
    view! {
        <section class="kpis" aria-label="Key figures">
            {cards
                .into_iter()
                .map(|(key, label, value, now_value)| {
                    let changed = now_value.filter(|n| *n != value);
                    let differs = changed.is_some();
                    view! {
                        <div class="kpi" class:differs=differs data-kpi=key>
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
