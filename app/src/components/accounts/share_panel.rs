use leptos::prelude::*;

use crate::accounts::page_data::{LinkStatus, ShareLinkRow};
use crate::accounts::{list_share_links, CreateShareLink, RevokeShareLink};
use crate::components::format::{date, day};
use crate::components::live_page::{current_query, on_page_change, refresh_when};

/// "Share": a read-only link to this tab at the dates in the URL, valid for a chosen number of
/// days, and the fund's existing links with revoke. Works as plain form posts without JavaScript.
/// Rendered on the server: the create form is an island (it shows the new link and follows the
/// URL's dates), the list a live region with `data-enhance` revoke buttons.
#[component]
pub fn SharePanel(fund_id: String, tab: &'static str, at: Option<String>, known_at: Option<String>) -> impl IntoView {
    let revoke = ServerAction::<RevokeShareLink>::new();
    let id = fund_id.clone();
    let links = Resource::new(|| (), move |_| list_share_links(id.clone()));
    let fund_for_revoke = fund_id.clone();
    view! {
        <details class="share" data-test="share">
            <summary>"Share"</summary>
            <div class="share-body">
                <CreateShareLinkForm fund_id=fund_id tab=tab.to_string() at=at known_at=known_at/>
                <div class="live" data-live="share-links">
                    <Suspense fallback=|| ()>
                        {move || {
                            let fund = fund_for_revoke.clone();
                            Suspend::new(async move {
                                match links.await {
                                    Ok(rows) if rows.is_empty() => view! { <p class="muted">"No share links yet."</p> }.into_any(),
                                    Ok(rows) => view! {
                                        <ul class="share-links" data-test="share-links">
                                            {rows.into_iter().map(|l| link_item(l, fund.clone(), revoke)).collect_view()}
                                        </ul>
                                    }.into_any(),
                                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                                }
                            })
                        }}
                    </Suspense>
                </div>
            </div>
        </details>
    }
}

/// Create a share link and show it. An island: `at` and `known_at` follow the URL when the slider
/// moves; the list of links is re-read after creation.
#[island]
fn CreateShareLinkForm(fund_id: String, tab: String, at: Option<String>, known_at: Option<String>) -> impl IntoView {
    let create = ServerAction::<CreateShareLink>::new();
    let at = RwSignal::new(at.unwrap_or_default());
    let known_at = RwSignal::new(known_at.unwrap_or_default());
    on_page_change(move || {
        at.set(current_query("at").unwrap_or_default());
        known_at.set(current_query("known_at").unwrap_or_default());
    });
    refresh_when(move || matches!(create.value().get(), Some(Ok(_))));
    view! {
        <ActionForm action=create attr:class="share-form" attr:data-test="share-form">
            <input type="hidden" name="fund_id" value=fund_id/>
            <input type="hidden" name="tab" value=tab/>
            <input type="hidden" name="at" prop:value=at value=at.get_untracked()/>
            <input type="hidden" name="known_at" prop:value=known_at value=known_at.get_untracked()/>
            <p class="muted">"A read-only link to this view at these dates. Anyone with the link can read it until it expires or is revoked."</p>
            <label>
                "Expires in "
                <select name="expires_in_days">
                    <option value="1">"1 day"</option>
                    <option value="7">"7 days"</option>
                    <option value="30" selected=true>"30 days"</option>
                    <option value="90">"90 days"</option>
                </select>
            </label>
            <button type="submit">"Create link"</button>
        </ActionForm>
        {move || create.value().get().map(|r| match r {
            Ok(link) => view! {
                <p class="share-created" role="status">
                    "Link created: "
                    <a href=link.path.clone().unwrap_or_default() data-test="share-link" target="_blank" rel="noopener">
                        {link.path.clone().unwrap_or_default()}
                    </a>
                </p>
            }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })}
    }
}

fn link_item(l: ShareLinkRow, fund_id: String, revoke: ServerAction<RevokeShareLink>) -> impl IntoView {
    let status = match l.status {
        LinkStatus::Active => format!("expires {}", date(l.expires_at)),
        LinkStatus::Expired => "expired".to_string(),
        LinkStatus::Revoked => "revoked".to_string(),
    };
    let label = format!("{} at {}{}", l.tab, day(l.at), l.known_at.map(|k| format!(", as known {}", day(k))).unwrap_or_default());
    view! {
        <li class=format!("share-link-row status-{:?}", l.status).to_lowercase() data-link=l.id.to_string()>
            {match l.path.clone() {
                Some(path) => view! { <a href=path>{label}</a> }.into_any(),
                None => view! { <span>{label}</span> }.into_any(),
            }}
            <span class="muted">{format!(" · by {} · {status}", l.created_by)}</span>
            {(l.status == LinkStatus::Active).then(|| view! {
                <ActionForm action=revoke attr:class="inline" attr:data-enhance="">
                    <input type="hidden" name="fund_id" value=fund_id.clone()/>
                    <input type="hidden" name="link_id" value=l.id.to_string()/>
                    <button type="submit" class="link-button" data-test="revoke-link">"Revoke"</button>
                </ActionForm>
            })}
        </li>
    }
}
