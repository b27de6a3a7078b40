use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/login?error=&email=&next=`: the sign-in form, a plain form post to `POST /login` (works
/// without JavaScript), which comes back here with `error` when it refuses.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let q = query.get_untracked();
    let error = q.get("error");
    let email = q.get("email").unwrap_or_default();
    let next = q.get("next").unwrap_or_else(|| "/".into());
    let signed_out = q.get("signed_out").is_some();
    view! {
        <main class="page login-page">
            <h1>"Sign in to Fundlens"</h1>
            {signed_out.then(|| view! { <p class="notice" role="status" data-test="signed-out">"You have signed out."</p> })}
            {error.map(|e| view! { <p class="error" role="alert" data-test="login-error">{e}</p> })}
            <form method="post" action="/login" class="login-form" data-test="login-form">
                <input type="hidden" name="next" value=next/>
                <label>"E-mail" <input type="email" name="email" autocomplete="username" required=true value=email/></label>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" required=true/></label>
                <button type="submit">"Sign in"</button>
            </form>
            <p class="muted">"No account? Ask your fund's admin; accounts are created with " <code>"server admin create-user"</code> "."</p>
        </main>
    }
}
