use leptos::prelude::*;

use crate::components::format::{count, date};
use crate::time_machine::page_data::SnapshotRow;
use crate::time_machine::{list_snapshots, CreateSnapshot};

/// Manual snapshots: take one with a description, list them, jump to one (the fund as it was
/// known when the snapshot was taken). Rendered on the server: the form is a `data-enhance` post
/// and the list a live region, so a new snapshot appears without a reload. Viewers (`can_take`
/// false) see the list only: taking one needs the analyst role.
#[component]
pub fn SnapshotsPanel(fund_id: String, can_take: bool) -> impl IntoView {
    let create = ServerAction::<CreateSnapshot>::new();
    let id = fund_id.clone();
    let list = Resource::new(|| (), move |_| list_snapshots(id.clone()));
    view! {
        <section class="panel" data-test="snapshots">
            <h3>"Snapshots"</h3>
            {can_take.then(|| view! {
                <ActionForm action=create attr:class="snapshot-form" attr:data-enhance="">
                    <input type="hidden" name="fund_id" value=fund_id.clone()/>
                    <label>
                        "Description "
                        <input type="text" name="description" required=true maxlength="500" placeholder="e.g. Before Q3 marks"/>
                    </label>
                    <button type="submit">"Take snapshot"</button>
                </ActionForm>
            })}
            <div class="live" data-live="snapshots">
                <Suspense fallback=|| view! { <p>"Loading snapshots…"</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(rows) if rows.is_empty() => view! { <p class="empty">"No manual snapshots yet."</p> }.into_any(),
                            Ok(rows) => view! { <ul class="snapshots">{rows.into_iter().map(snapshot_item).collect_view()}</ul> }.into_any(),
                            Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </section>
    }
}

fn snapshot_item(s: SnapshotRow) -> impl IntoView {
    let href = format!(
        "?at={}&known_at={}",
        s.effective_day.format("%Y-%m-%d"),
        s.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).replace('+', "%2B")
    );
    view! {
        <li>
            <a href=href>{s.description.clone().unwrap_or_else(|| "Snapshot".into())}</a>
            <span class="muted">{format!(" · taken {} · {}", date(s.created_at), count(s.version, "event", "events"))}</span>
            {s.stale.then(|| view! { <span class="badge" title="Events recorded later changed this period">"since revised"</span> })}
        </li>
    }
}
