use domain::ledger::RowType;
use leptos::prelude::*;

/// Which columns each row type fills, generated from the parser's own table.
#[component]
pub fn FormatTable() -> impl IntoView {
    view! {
        <table class="data ledger-format" aria-label="Ledger columns by row type">
            <thead><tr><th scope="col">"type"</th><th scope="col">"Required"</th><th scope="col">"Optional"</th></tr></thead>
            <tbody>
                {RowType::ALL.into_iter().map(|t| {
                    let (required, optional) = t.columns();
                    view! {
                        <tr>
                            <td><code>{t.name()}</code></td>
                            <td>{format!("effective_date, {}", required.join(", "))}</td>
                            <td>{optional.join(", ")}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
