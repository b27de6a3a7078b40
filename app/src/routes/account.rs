use leptos::prelude::*;

use crate::components::accounts::password_panel::PasswordPanel;
use crate::components::accounts::token_panel::TokenPanel;

/// `/account`: the signed-in user's API tokens and password.
#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <main class="page">
            <h1>"Your account"</h1>
            <TokenPanel/>
            <PasswordPanel/>
        </main>
    }
}
