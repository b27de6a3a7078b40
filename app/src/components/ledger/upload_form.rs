use leptos::prelude::*;

/// Choose a ledger file and send it: a plain multipart form post (with or without JavaScript),
/// answered by a redirect to the upload's preview page.
#[component]
pub fn UploadForm(fund_id: String, #[prop(optional)] again: bool) -> impl IntoView {
    view! {
        <form class="upload-form" method="post" enctype="multipart/form-data" action=format!("/api/funds/{fund_id}/ledger/uploads") data-test="ledger-upload">
            <label>
                {if again { "Corrected file " } else { "Ledger file (CSV) " }}
                <input type="file" name="file" accept=".csv,text/csv" required=true/>
            </label>
            <button type="submit">{if again { "Check again" } else { "Check the file" }}</button>
        </form>
    }
}
