use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{HubHeader, Tab};
use crate::components::format::date;
use crate::components::ledger::format_table::FormatTable;
use crate::components::ledger::preview_panel::PreviewPanel;
use crate::components::ledger::row_errors::RowErrors;
use crate::components::ledger::upload_form::UploadForm;
use crate::ledger::page_data::LedgerCheck;
use crate::ledger::{get_ledger_upload, ConfirmLedgerImport};
use crate::time_machine::get_fund_meta;

/// `/funds/{id}/import`: bring a fund's history in from a spreadsheet (analysts and admins), and
/// take it out in the same format.
#[component]
pub fn ImportPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let meta = Resource::new(id, get_fund_meta);
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match meta.await {
                    Ok(m) if m.role.allows(domain::access::Role::Analyst) => {
                        let fund_id = m.id.to_string();
                        view! {
                            <HubHeader meta=m tab=Tab::Overview/>
                            <main class="page">
                                <h2>"Import & export"</h2>
                                <section class="panel" aria-labelledby="import-title">
                                    <h3 id="import-title">"Import the fund's history from a spreadsheet"</h3>
                                    <p>
                                        "One row per event, with a " <code>"type"</code> " column; companies are named. Start from the "
                                        <a href=format!("/api/funds/{fund_id}/ledger/template.csv") download="ledger-template.csv" data-test="ledger-template">"template with example rows"</a>
                                        " (its dates start on 15 Jan 2024: the fund's first close must not be later). Save it as CSV (UTF-8) and check it here: you see the fund as it would be before anything is written, and the whole file is imported or none of it."
                                    </p>
                                    <UploadForm fund_id=fund_id.clone()/>
                                    <details class="ledger-help">
                                        <summary>"Columns by row type"</summary>
                                        <p class="muted">"Dates are YYYY-MM-DD (or RFC 3339 times); amounts are plain numbers (1250000.50, no $ or thousands separators); ownership is a fraction (0.2 for 20%); a stage is pre-seed, seed, Series A … D+; follow_on is yes or no; metrics are REVENUE, EBITDA, CASH_BURN, ARR or VALUATION; reserve_assumptions holds the JSON of the fund's reserve-model assumptions. Other cells stay empty."</p>
                                        <FormatTable/>
                                    </details>
                                </section>
                                <section class="panel" aria-labelledby="export-title">
                                    <h3 id="export-title">"Export"</h3>
                                    <p>
                                        <a href=format!("/api/funds/{fund_id}/ledger.csv") download="ledger.csv" data-test="ledger-export">"Download the fund's whole history"</a>
                                        " in the same format: importing it into a new fund (with the same first close) gives the same fund at every date."
                                    </p>
                                </section>
                            </main>
                        }.into_any()
                    }
                    Ok(m) => {
                        let fund_id = m.id.to_string();
                        view! {
                            <HubHeader meta=m tab=Tab::Overview/>
                            <main class="page">
                                <h2>"Export"</h2>
                                <p class="muted">"Importing needs the analyst or admin role."</p>
                                <p><a href=format!("/api/funds/{fund_id}/ledger.csv") download="ledger.csv" data-test="ledger-export">"Download the fund's whole history (CSV)"</a></p>
                            </main>
                        }.into_any()
                    }
                    Err(e) => view! { <main class="page"><p class="error" role="alert">{e.to_string()}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/funds/{id}/import/{upload_id}`: an uploaded file checked against the fund as it stands: every
/// bad row, or the fund after the import and a button to import it.
#[component]
pub fn LedgerUploadPage() -> impl IntoView {
    let params = use_params_map();
    let ids = move || (params.read().get("id").unwrap_or_default(), params.read().get("upload_id").unwrap_or_default());
    let meta = Resource::new(move || ids().0, get_fund_meta);
    let upload = Resource::new(ids, |(fund, upload)| get_ledger_upload(fund, upload));
    let confirm = ServerAction::<ConfirmLedgerImport>::new();
    view! {
        <Suspense fallback=|| view! { <p class="page">"Checking the file…"</p> }>
            {move || Suspend::new(async move {
                match (meta.await, upload.await) {
                    (Ok(m), upload) => {
                        let fund_id = m.id.to_string();
                        let body = match upload {
                            Ok(u) => {
                                let title = format!("{} · uploaded {}", u.file_name, date(u.uploaded_at));
                                let check = match u.check {
                                    LedgerCheck::Invalid(rows) => view! {
                                        <RowErrors rows=rows/>
                                        <UploadForm fund_id=fund_id.clone() again=true/>
                                    }.into_any(),
                                    LedgerCheck::Ready(preview) => view! {
                                        <PreviewPanel preview=preview/>
                                        <ActionForm action=confirm attr:class="confirm-import" attr:data-test="confirm-import">
                                            <input type="hidden" name="fund_id" value=fund_id.clone()/>
                                            <input type="hidden" name="upload_id" value=u.upload_id.to_string()/>
                                            <button type="submit">"Import into the fund"</button>
                                            <a href=format!("/funds/{fund_id}/import")>"Cancel"</a>
                                        </ActionForm>
                                        {move || confirm.value().get().and_then(Result::err).map(|e| view! {
                                            <p class="error" role="alert">{e.to_string()}</p>
                                        })}
                                    }.into_any(),
                                };
                                view! { <p class="muted" data-test="upload-name">{title}</p> {check} }.into_any()
                            }
                            Err(e) => view! {
                                <p class="error" role="alert">{e.to_string()}</p>
                                <p><a href=format!("/funds/{fund_id}/import")>"Upload the file again"</a></p>
                            }.into_any(),
                        };
                        view! {
                            <HubHeader meta=m tab=Tab::Overview/>
                            <main class="page"><h2>"Import a ledger"</h2>{body}</main>
                        }.into_any()
                    }
                    (Err(e), _) => view! { <main class="page"><p class="error" role="alert">{e.to_string()}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}
