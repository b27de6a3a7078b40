use leptos::prelude::*;

use crate::variance::unread_count;

/// Bumped after anything that changes the inbox (recording an actual, reading, resolving), so the
/// header's unread count refetches.
#[derive(Clone, Copy)]
pub struct InboxRefresh(pub RwSignal<u64>);

impl InboxRefresh {
    pub fn bump(&self) {
        self.0.update(|v| *v += 1);
    }
}

/// "Alerts (3)" in the hub header, linking to the inbox.
#[component]
pub fn UnreadBadge(fund_id: String) -> impl IntoView {
    let refresh = use_context::<InboxRefresh>().map(|r| r.0);
    let id = fund_id.clone();
    let count = Resource::new(move || refresh.map(|r| r.get()).unwrap_or(0), move |_| unread_count(id.clone()));
    view! {
        <a class="inbox-link" href=format!("/funds/{fund_id}/alerts") data-test="inbox-link">
            "Alerts "
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let unread = count.await.map(|s| s.unread).unwrap_or(0);
                    view! {
                        <span class="unread" class:none=unread == 0 data-test="unread-count" aria-label=format!("{unread} unread alerts")>
                            {unread.to_string()}
                        </span>
                    }
                })}
            </Transition>
        </a>
    }
}
