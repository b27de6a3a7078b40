use domain::access::Role;
use leptos::prelude::*;

use crate::accounts::page_data::MemberRow;
use crate::accounts::{RemoveFundMember, SetMemberRole};

const ROLES: [Role; 3] = [Role::Viewer, Role::Analyst, Role::Admin];

/// The fund's members with their roles: change a role, remove a member, add an existing account
/// by e-mail. A live region: the forms are `data-enhance` posts (plain posts without JavaScript).
#[component]
pub fn MembersPanel(fund_id: String, members: Vec<MemberRow>) -> impl IntoView {
    let set_role = ServerAction::<SetMemberRole>::new();
    let remove = ServerAction::<RemoveFundMember>::new();
    let rows = members.into_iter().map(|m| member_row(m, fund_id.clone(), set_role, remove)).collect_view();
    view! {
        <div class="live" data-live="members">
            <table class="data members-table" data-test="members">
                <caption>"Members"</caption>
                <thead><tr><th scope="col">"E-mail"</th><th scope="col">"Role"</th><th scope="col">"Remove"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <ActionForm action=set_role attr:class="add-member" attr:data-enhance="">
                <input type="hidden" name="fund_id" value=fund_id.clone()/>
                <label>"E-mail of an existing account " <input type="email" name="email" required=true maxlength="254" autocomplete="off"/></label>
                <label>" as " {role_select(Role::Viewer)}</label>
                <button type="submit" data-test="add-member">"Add member"</button>
            </ActionForm>
        </div>
    }
}

fn role_select(current: Role) -> impl IntoView {
    view! {
        <select name="role" aria-label="Role">
            {ROLES.into_iter().map(|r| view! { <option value=r.as_str() selected=r == current>{r.to_string()}</option> }).collect_view()}
        </select>
    }
}

fn member_row(m: MemberRow, fund_id: String, set_role: ServerAction<SetMemberRole>, remove: ServerAction<RemoveFundMember>) -> impl IntoView {
    let MemberRow { user_id, email, role, you } = m;
    let fund_for_remove = fund_id.clone();
    let (user_id, remove_label, shown) = (user_id.to_string(), format!("Remove {email}"), if you { format!("{email} (you)") } else { email.clone() });
    let remove_form = (!you).then(move || {
        view! {
            <ActionForm action=remove attr:class="inline-form" attr:data-enhance="">
                <input type="hidden" name="fund_id" value=fund_for_remove/>
                <input type="hidden" name="user_id" value=user_id/>
                <button type="submit" aria-label=remove_label>"Remove"</button>
            </ActionForm>
        }
    });
    let data_member = email.clone();
    view! {
        <tr data-member=data_member>
            <td>{shown}</td>
            <td>
                <ActionForm action=set_role attr:class="inline-form" attr:data-enhance="">
                    <input type="hidden" name="fund_id" value=fund_id/>
                    <input type="hidden" name="email" value=email/>
                    {role_select(role)}
                    <button type="submit">"Change"</button>
                </ActionForm>
            </td>
            <td>{remove_form}</td>
        </tr>
    }
}
