use domain::ledger::LedgerPreview;
use leptos::prelude::*;

use crate::components::format::{date, money, percent};
use crate::components::time_machine::kpi_cards::KpiCards;

/// The fund as it would be after the import, at the file's last date: KPIs, rows by type, companies.
#[component]
pub fn PreviewPanel(preview: LedgerPreview) -> impl IntoView {
    let LedgerPreview { rows, first_date, last_date, by_type, companies, kpis } = preview;
    view! {
        <section class="panel ledger-preview" aria-labelledby="preview-title" data-test="ledger-preview">
            <h3 id="preview-title">{format!("The fund on {} after importing {rows} rows ({} – {})", date(last_date), date(first_date), date(last_date))}</h3>
            <KpiCards kpis=kpis/>
            <div class="preview-columns">
                <table class="data" aria-label="Rows by type">
                    <thead><tr><th scope="col">"Rows"</th><th scope="col" class="num">"Count"</th></tr></thead>
                    <tbody>
                        {by_type.into_iter().map(|t| view! {
                            <tr data-type=t.row_type.clone()><td>{t.label}</td><td class="num">{t.count}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <table class="data" aria-label="Companies">
                    <thead><tr>
                        <th scope="col">"Company"</th><th scope="col">"Stage"</th><th scope="col">"Status"</th>
                        <th scope="col" class="num">"Invested"</th><th scope="col" class="num">"Ownership"</th>
                        <th scope="col" class="num">"Fair value"</th><th scope="col" class="num">"Reserve"</th>
                    </tr></thead>
                    <tbody>
                        {companies.into_iter().map(|c| view! {
                            <tr>
                                <td>{c.name}</td><td>{c.stage}</td><td>{c.status}</td>
                                <td class="num">{money(c.invested)}</td><td class="num">{percent(Some(c.ownership))}</td>
                                <td class="num">{money(c.fair_value)}</td><td class="num">{money(c.reserves_planned)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
