use domain::variance::RowError;
use leptos::prelude::*;

use crate::components::format::count;

/// Every bad row of a refused file: line, column and reason, as an editor would find them.
#[component]
pub fn RowErrors(rows: Vec<RowError>) -> impl IntoView {
    view! {
        <section class="panel row-errors" aria-labelledby="row-errors-title" data-test="row-errors">
            <h3 id="row-errors-title" class="error" role="alert">
                {format!("{} to fix; nothing was imported", count(rows.len() as u64, "problem", "problems"))}
            </h3>
            <table class="data">
                <thead><tr><th scope="col">"Line"</th><th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let column = r.column.clone();
                        view! {
                            <tr data-line=r.line.to_string() data-column=column>
                                <td>{r.line}</td><td><code>{r.column}</code></td><td>{r.reason}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
