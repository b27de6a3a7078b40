use leptos::prelude::*;
use rust_decimal::Decimal;

use crate::components::format::{date, money, multiple, percent};
use crate::components::time_machine::events_list::EventsList;
use crate::time_machine::page_data::DiffData;

fn kpi_label(k: &str) -> &str {
    match k {
        "committed" => "Committed",
        "called" => "Called",
        "total_invested" => "Invested",
        "distributed" => "Distributed",
        "nav" => "NAV",
        "reserves_planned" => "Reserves planned",
        "reserves_deployed" => "Reserves deployed",
        "tvpi" => "TVPI",
        "dpi" => "DPI",
        "rvpi" => "RVPI",
        "net_irr" => "Net IRR",
        other => other,
    }
}

fn kpi_value(k: &str, v: Option<Decimal>) -> String {
    match k {
        "tvpi" | "dpi" | "rvpi" => multiple(v),
        "net_irr" => percent(v),
        _ => v.map(money).unwrap_or_else(|| "—".into()),
    }
}

fn field_value(field: &str, raw: &str) -> String {
    match field {
        "invested" | "valuation" | "fair_value" | "reserves_planned" | "reserves_deployed" => {
            raw.parse::<Decimal>().map(money).unwrap_or_else(|_| if raw.is_empty() { "—".into() } else { raw.to_string() })
        }
        "ownership" => raw.parse::<Decimal>().map(|d| percent(Some(d))).unwrap_or_else(|_| "—".into()),
        _ if raw.is_empty() => "—".into(),
        _ => raw.to_string(),
    }
}

/// What changed between two dates: KPIs, then companies field by field, then the events behind it.
#[component]
pub fn DiffTable(data: DiffData) -> impl IntoView {
    let d = data.diff;
    let title = format!("Changes from {} to {}", date(d.from), date(d.to));
    view! {
        <section class="panel" data-test="diff">
            <h3>{title}</h3>
            {if d.kpis.is_empty() && d.companies.is_empty() {
                view! { <p class="empty">"Nothing changed between these dates."</p> }.into_any()
            } else {
                view! {
                    <table class="data">
                        <thead><tr><th scope="col">"Figure"</th><th class="num" scope="col">"From"</th><th class="num" scope="col">"To"</th><th class="num" scope="col">"Change"</th></tr></thead>
                        <tbody>
                            {d.kpis.into_iter().map(|k| {
                                let delta = match k.kpi.as_str() {
                                    "tvpi" | "dpi" | "rvpi" => multiple(k.delta),
                                    "net_irr" => k.delta.map(|x| format!("{} pts", percent(Some(x)).trim_end_matches('%'))).unwrap_or_else(|| "—".into()),
                                    _ => k.delta.map(money).unwrap_or_else(|| "—".into()),
                                };
                                let down = k.delta.is_some_and(|x| x.is_sign_negative());
                                view! {
                                    <tr>
                                        <th scope="row">{kpi_label(&k.kpi).to_string()}</th>
                                        <td class="num">{kpi_value(&k.kpi, k.from)}</td>
                                        <td class="num">{kpi_value(&k.kpi, k.to)}</td>
                                        <td class="num" class:negative=down class:positive=!down>{delta}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <table class="data">
                        <thead><tr><th scope="col">"Company"</th><th scope="col">"What"</th><th scope="col" class="num">"From"</th><th scope="col" class="num">"To"</th></tr></thead>
                        <tbody>
                            {d.companies.into_iter().flat_map(|c| {
                                let name = c.name.clone();
                                let kind = c.kind.clone();
                                c.fields.into_iter().enumerate().map(move |(i, f)| view! {
                                    <tr>
                                        <th scope="row">{(i == 0).then(|| format!("{}{}", name, if kind == "added" { " (new)" } else { "" }))}</th>
                                        <td>{f.field.replace('_', " ")}</td>
                                        <td class="num">{field_value(&f.field, &f.from)}</td>
                                        <td class="num">{field_value(&f.field, &f.to)}</td>
                                    </tr>
                                }).collect::<Vec<_>>()
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <EventsList events=data.events title="Events that explain it"/>
            {data.truncated.then(|| view! { <p class="muted">"Only the first 1,000 events are listed."</p> })}
        </section>
    }
}
