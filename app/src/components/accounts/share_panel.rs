use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::accounts::page_data::{LinkStatus, ShareLinkRow};
use crate::accounts::{list_share_links, CreateShareLink, RevokeShareLink};
use crate::components::format::{date, day};

/// "Share": a read-only link to this tab at the dates in the URL, valid for a chosen number of
/// days, and the fund's existing links with revoke. Works as plain form posts without JavaScript.
#[component]
pub fn SharePanel(fund_id: String, tab: &'static str) -> impl IntoView {
    let location = use_location();
    let at = move || location.query.read().get("at").unwrap_or_default();
    let known_at = move || location.query.read().get("known_at").unwrap_or_default();
    let create = ServerAction::<CreateShareLink>::new();
    let revoke = ServerAction::<RevokeShareLink>::new();
    let id = fund_id.clone();
    let links = Resource::new(move || (create.version().get(), revoke.version().get()), move |_| list_share_links(id.clone()));
    let fund_for_revoke = fund_id.clone();
    view! {
        <details class="share" data-test="share">
            <summary>"Share"</summary>
            <div class="share-body">
                <ActionForm action=create attr:class="share-form" attr:data-test="share-form">
                    <input type="hidden" name="fund_id" value=fund_id.clone()/>
                    <input type="hidden" name="tab" value=tab/>
                    <input type="hidden" name="at" value=at/>
                    <input type="hidden" name="known_at" value=known_at/>
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
                <Transition fallback=|| ()>
                    {
                        let fund = fund_for_revoke.clone();
                        move || {
                            let fund = fund.clone();
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
                        }
                    }
                </Transition>
            </div>
        </details>
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
                <ActionForm action=revoke attr:class="inline">
                    <input type="hidden" name="fund_id" value=fund_id.clone()/>
                    <input type="hidden" name="link_id" value=l.id.to_string()/>
                    <button type="submit" class="link-button" data-test="revoke-link">"Revoke"</button>
                </ActionForm>
            })}
        </li>
    }
}
