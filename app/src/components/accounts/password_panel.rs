use leptos::prelude::*;

use crate::accounts::page_data::MIN_PASSWORD_CHARS;

/// Change your own password: the current one, the new one twice. A server-rendered
/// `data-enhance` form (it works without JavaScript); on success every session ends, this one
/// included, and the next page is the sign-in page.
#[component]
pub fn PasswordPanel() -> impl IntoView {
    view! {
        <section class="panel" data-test="password">
            <h2>"Password"</h2>
            <p class="muted">"Changing it signs you out everywhere and revokes your API tokens (whoever knew the old password may have minted one)."</p>
            <form method="post" action="/sfn/change_password" class="password-form" data-enhance="" data-test="password-form">
                <label>"Current password " <input type="password" name="current_password" autocomplete="current-password" required=true/></label>
                <label>"New password " <input type="password" name="new_password" autocomplete="new-password" required=true minlength=MIN_PASSWORD_CHARS.to_string() maxlength="1024"/></label>
                <label>"New password again " <input type="password" name="confirm_password" autocomplete="new-password" required=true minlength=MIN_PASSWORD_CHARS.to_string() maxlength="1024"/></label>
                <button type="submit">"Change password"</button>
            </form>
        </section>
    }
}
