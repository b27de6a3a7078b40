use leptos::prelude::*;

use crate::accounts::get_session_user;

/// The signed-in user's address, their account page and a sign-out button (a plain form post,
/// so it works without JavaScript). Nothing for anonymous readers (sign-in form, share links).
#[component]
pub fn UserMenu() -> impl IntoView {
    let user = Resource::new(|| (), |_| get_session_user());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                user.await.ok().flatten().map(|u| view! {
                    <div class="user-menu">
                        <a href="/account" data-test="signed-in-as" title="Your account and API tokens">{u.email}</a>
                        <form method="post" action="/logout" data-test="logout-form">
                            <button type="submit" class="link-button">"Sign out"</button>
                        </form>
                    </div>
                })
            })}
        </Suspense>
    }
}
