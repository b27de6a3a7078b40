use leptos::prelude::*;

use crate::variance::unread_count;

/// "Alerts (3)" in the hub header, linking to the inbox. Rendered on the server inside the hub's
/// live region, so it follows recorded actuals and read or resolved alerts without a reload.
#[component]
pub fn UnreadBadge(fund_id: String) -> impl IntoView {
    let id = fund_id.clone();
    let count = Resource::new(|| (), move |_| unread_count(id.clone()));
    view! {
        <a class="inbox-link" href=format!("/funds/{fund_id}/alerts") data-test="inbox-link">
            "Alerts "
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let unread = count.await.map(|s| s.unread).unwrap_or(0);
                    view! {
                        <span class="unread" class:none=unread == 0 data-test="unread-count" aria-label=format!("{unread} unread alerts")>
                            {unread.to_string()}
                        </span>
                    }
                })}
            </Suspense>
        </a>
    }
}
