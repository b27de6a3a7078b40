use leptos::prelude::*;

use crate::accounts::{list_api_tokens, CreateApiToken, RevokeApiToken};
use crate::components::format::date;
use crate::components::live_page::refresh_when;

/// The user's API tokens: create one (shown once), list, revoke. Rendered on the server; the
/// create form is an island (it shows the new token), the list a live region with `data-enhance`
/// revoke buttons.
#[component]
pub fn TokenPanel() -> impl IntoView {
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = Resource::new(|| (), |_| list_api_tokens());
    view! {
        <section class="panel" data-test="tokens">
            <h2>"API tokens"</h2>
            <p class="muted">"Send a token as " <code>"Authorization: Bearer <token>"</code> " to the REST API. It acts for you in your funds, with at most the role you choose."</p>
            <CreateTokenForm/>
            <div class="live" data-live="tokens">
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match tokens.await {
                            Ok(list) if list.is_empty() => view! { <p class="muted">"No tokens yet."</p> }.into_any(),
                            Ok(list) => view! {
                                <table class="data">
                                    <thead><tr><th>"Name"</th><th>"Role at most"</th><th>"Created"</th><th>"Last used"</th><th>"Expires"</th><th></th></tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|t| view! {
                                            <tr>
                                                <td>{t.name}</td>
                                                <td>{t.max_role.as_str()}</td>
                                                <td>{date(t.created_at)}</td>
                                                <td>{t.last_used_at.map(date).unwrap_or_else(|| "never".into())}</td>
                                                <td>{t.expires_at.map(date).unwrap_or_else(|| "never".into())}</td>
                                                <td>
                                                    {match t.revoked_at {
                                                        Some(r) => view! { <span class="muted">{format!("revoked {}", date(r))}</span> }.into_any(),
                                                        None => view! {
                                                            <ActionForm action=revoke attr:class="inline" attr:data-enhance="">
                                                                <input type="hidden" name="token_id" value=t.id.to_string()/>
                                                                <button type="submit" class="link-button">"Revoke"</button>
                                                            </ActionForm>
                                                        }.into_any(),
                                                    }}
                                                </td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any(),
                            Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </section>
    }
}

/// Create a token and show it once. An island; the token list is re-read after creation.
#[island]
fn CreateTokenForm() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    refresh_when(move || matches!(create.value().get(), Some(Ok(_))));
    view! {
        <ActionForm action=create attr:class="token-form">
            <label>"Name " <input type="text" name="name" required=true maxlength="100" placeholder="e.g. Finance data sync"/></label>
            <label>
                "At most "
                <select name="max_role">
                    <option value="viewer">"viewer (read)"</option>
                    <option value="analyst" selected=true>"analyst (read and record)"</option>
                    <option value="admin">"admin"</option>
                </select>
            </label>
            <label>
                "Expires "
                <select name="expires_in_days">
                    <option value="30">"in 30 days"</option>
                    <option value="90" selected=true>"in 90 days"</option>
                    <option value="365">"in a year"</option>
                    <option value="never">"never"</option>
                </select>
            </label>
            <button type="submit">"Create token"</button>
        </ActionForm>
        {move || create.value().get().map(|r| match r {
            Ok(created) => view! {
                <p class="token-created" role="status">
                    "Copy it now; it will not be shown again: " <code data-test="new-token">{created.token}</code>
                </p>
            }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })}
    }
}
