use leptos::prelude::*;

use crate::components::format::{count, money};
use crate::funds::{list_funds, CreateFund};

/// The funds this user can open, and a form to create one (the creator becomes its admin).
#[component]
pub fn HomePage() -> impl IntoView {
    let funds = Resource::new(|| (), |_| list_funds());
    view! {
        <main class="page">
            <header class="page-header">
                <h1>"Fundlens"</h1>
                <p class="subtitle">"Your funds, at any date, as known at any time."</p>
            </header>
            <div class="live" data-live="funds">
            <Suspense fallback=|| view! { <p>"Loading funds…"</p> }>
                {move || Suspend::new(async move {
                    match funds.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty" data-test="no-funds">
                                "No funds yet. Create one below: you become its admin. Then bring its history in from a spreadsheet (Import & export in the fund's header: a template, a check of your file and a preview before anything is written), or record events one by one on its Time Machine tab."
                            </p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="fund-list" data-test="fund-list">
                                {list.into_iter().map(|f| view! {
                                    <li>
                                        <a href=format!("/funds/{}/overview", f.id)>{f.name.clone()}</a>
                                        <span class="muted">
                                            {format!(" · {} committed", money(f.size))}
                                            {f.vintage.map(|v| format!(" · vintage {v}"))}
                                            {format!(" · {}", count(f.events, "event", "events"))}
                                        </span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="error">{format!("Could not load funds: {e}")}</p> }.into_any(),
                    }
                })}
            </Suspense>
            </div>
            <NewFundForm/>
        </main>
    }
}

/// "New fund": name, committed capital, vintage, first close. Posted in the background when
/// JavaScript runs (the list above then shows the fund; errors appear under the form), a plain
/// form post otherwise.
#[component]
fn NewFundForm() -> impl IntoView {
    let create = ServerAction::<CreateFund>::new();
    view! {
        <section class="panel new-fund" aria-labelledby="new-fund-title">
            <h2 id="new-fund-title">"New fund"</h2>
            <ActionForm action=create attr:class="new-fund-form" attr:data-enhance="" attr:data-test="new-fund">
                <label>"Name " <input type="text" name="name" required=true maxlength="200" autocomplete="off"/></label>
                <label>"Committed capital (USD) " <input type="text" name="size" required=true inputmode="decimal" pattern="[0-9]+(\\.[0-9]{1,8})?" placeholder="100000000" title="digits, optionally a point and up to 8 decimals"/></label>
                <label>"Vintage " <input type="number" name="vintage" min="1900" max="2200" step="1" placeholder="2024"/></label>
                <label>"First close " <input type="date" name="first_close" min="1900-01-01" max="2200-12-31"/></label>
                <button type="submit">"Create fund"</button>
            </ActionForm>
            <p class="muted">"The history starts at the first close (today when empty): later events can be dated from then on."</p>
        </section>
    }
}
