//! The words of an alert, shared by the webhook and e-mail channels.

use app::store::Delivery;
use serde_json::{json, Value};

pub fn subject(d: &Delivery) -> String {
    let a = &d.alert;
    format!(
        "[{}] {} {} {} for {}",
        a.severity.as_str().to_uppercase(),
        company(d),
        a.metric.as_str(),
        match a.variance_pct {
            Some(p) => format!("{p:+}%"),
            None => format!("{:+}", a.variance),
        },
        a.period
    )
}

fn company(d: &Delivery) -> String {
    d.alert.company.clone().unwrap_or_else(|| d.alert.company_id.to_string())
}

/// Plain-text body (the e-mail's).
pub fn text(d: &Delivery) -> String {
    text_with(d, |s| s.to_string())
}

/// Slack reads `<…>` as links and mentions (`<!channel>`, `<@U123>`, `<https://x|label>`) in
/// mrkdwn and in a message's `text`: free text (fund and company names, the rule) gets `&`, `<`
/// and `>` escaped as Slack asks, so a name cannot ping a channel or disguise a link.
pub fn escape_mrkdwn(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn text_with(d: &Delivery, esc: impl Fn(&str) -> String) -> String {
    let a = &d.alert;
    let pct = a.variance_pct.map_or_else(|| "n/a".to_string(), |p| format!("{p}%"));
    let basis = if a.forecast_basis == "recorded_later" { " (forecast recorded after the actual's date)" } else { "" };
    let span = if a.periods_in_breach > 1 {
        format!(" In breach since the period ending {}: {} periods.", a.first_period, a.periods_in_breach)
    } else {
        String::new()
    };
    format!(
        "{}: {} — {} {} for the period ending {}: actual {} vs forecast {}{} — variance {} ({}). Rule: {}.{span}",
        a.severity.as_str().to_uppercase(),
        esc(&d.fund_name),
        esc(&company(d)),
        a.metric.as_str(),
        a.period,
        a.actual,
        a.forecast,
        basis,
        a.variance,
        pct,
        esc(&a.rule)
    )
}

/// Slack-compatible body: `text` for notifications, `blocks` for the message itself.
pub fn slack_body(d: &Delivery) -> Value {
    let a = &d.alert;
    json!({
        "text": text_with(d, escape_mrkdwn),
        "blocks": [
            { "type": "header", "text": { "type": "plain_text", "text": subject(d) } },
            { "type": "section", "fields": [
                { "type": "mrkdwn", "text": format!("*Fund*\n{}", escape_mrkdwn(&d.fund_name)) },
                { "type": "mrkdwn", "text": format!("*Company*\n{}", escape_mrkdwn(&company(d))) },
                { "type": "mrkdwn", "text": format!("*Actual*\n{}", a.actual) },
                { "type": "mrkdwn", "text": format!("*Forecast*\n{}", a.forecast) },
                { "type": "mrkdwn", "text": format!("*Variance*\n{} ({})", a.variance, a.variance_pct.map_or_else(|| "n/a".into(), |p| format!("{p}%"))) },
                { "type": "mrkdwn", "text": format!("*Period*\n{}", a.period) }
            ]},
            { "type": "context", "elements": [
                { "type": "mrkdwn", "text": format!("Rule: {} · alert {}", escape_mrkdwn(&a.rule), a.id) }
            ]}
        ]
    })
}
