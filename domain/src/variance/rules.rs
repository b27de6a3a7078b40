//! Alert rules: when a variance breaches a rule, and the cooldown between alerts.
//!
//! A rule names a metric (or all), a comparison, a threshold in percent of the forecast or in
//! absolute units, a severity and the channels to notify. A breach is inclusive: "revenue below
//! forecast by 20%" fires at exactly −20%.
//!
//! **Cooldown** is measured in the actuals' *effective dates*, not wall-clock time: after an alert
//! from a rule for a (company, metric), the same rule stays quiet for that company and metric for
//! actuals effective within `cooldown_days` of the alerted actual (either side, so a back-filled
//! import behaves like live traffic). This is deterministic — re-importing the same history raises
//! the same alerts whenever it runs — and unaffected by how fast a batch is posted.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::math::VarianceFigures;
use super::predict::ErrorBand;
use crate::error::DomainError;
use crate::fund::decide::MAX_AMOUNT;
use crate::fund::Metric;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
    Urgent,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::Info, Severity::Warning, Severity::Critical, Severity::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
            Severity::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    InApp,
    Webhook,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::InApp, Channel::Webhook, Channel::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InApp => "in_app",
            Channel::Webhook => "webhook",
            Channel::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Actual below forecast by at least the threshold.
    Below,
    /// Actual above forecast by at least the threshold.
    Above,
    /// Either way (outside ± threshold).
    Outside,
}

impl Comparison {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Below => "below",
            Comparison::Above => "above",
            Comparison::Outside => "outside",
        }
    }

    pub fn parse(s: &str) -> Option<Comparison> {
        [Comparison::Below, Comparison::Above, Comparison::Outside].into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdUnit {
    /// Percent of the forecast's magnitude (20 = 20%).
    Percent,
    /// In the metric's own units (currency).
    Absolute,
}

impl ThresholdUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            ThresholdUnit::Percent => "percent",
            ThresholdUnit::Absolute => "absolute",
        }
    }

    pub fn parse(s: &str) -> Option<ThresholdUnit> {
        [ThresholdUnit::Percent, ThresholdUnit::Absolute].into_iter().find(|v| v.as_str() == s)
    }
}

/// Where an alert stands in the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Unread,
    Read,
    Resolved,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Unread => "unread",
            AlertState::Read => "read",
            AlertState::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<AlertState> {
        [AlertState::Unread, AlertState::Read, AlertState::Resolved].into_iter().find(|v| v.as_str() == s)
    }
}

/// Shortest cooldown of a rule that sends webhooks or e-mail.
pub const MIN_OUTBOUND_COOLDOWN_DAYS: u32 = 1;
/// Most alert rules one fund may have.
pub const MAX_RULES_PER_FUND: i64 = 50;
/// Longest cooldown accepted (ten years).
pub const MAX_COOLDOWN_DAYS: u32 = 3_650;
/// Largest percentage threshold accepted.
pub const MAX_PERCENT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// What a rule says, without its identity (the store adds the id and the fund).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSpec {
    /// `None`: every metric.
    pub metric: Option<Metric>,
    pub comparison: Comparison,
    pub threshold: Decimal,
    pub unit: ThresholdUnit,
    pub severity: Severity,
    pub channels: Vec<Channel>,
    pub cooldown_days: u32,
    pub enabled: bool,
    /// "Adaptive": the rule fires only when the variance is also outside the company's usual
    /// error band for the metric — its bias ± 2 × the spread of its earlier percentage errors
    /// ([`super::ErrorBand`], from at least [`super::MIN_HISTORY`] earlier actuals). With less
    /// history it fires as a fixed rule. So a founder who always misses by 30% is not an alert
    /// every period, and a reliable founder's first big miss is.
    #[serde(default)]
    pub adaptive: bool,
}

impl RuleSpec {
    /// Checks the rule; errors name the field (`threshold`, `channels`, …).
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.threshold <= Decimal::ZERO {
            return Err(DomainError::invalid("threshold", "must be greater than zero"));
        }
        let max = match self.unit {
            ThresholdUnit::Percent => MAX_PERCENT,
            ThresholdUnit::Absolute => MAX_AMOUNT,
        };
        if self.threshold > max {
            return Err(DomainError::invalid("threshold", format!("must not exceed {max}")));
        }
        if self.channels.is_empty() {
            return Err(DomainError::invalid("channels", "must name at least one channel"));
        }
        let mut seen = self.channels.clone();
        seen.sort();
        seen.dedup();
        if seen.len() != self.channels.len() {
            return Err(DomainError::invalid("channels", "names a channel twice"));
        }
        if self.cooldown_days > MAX_COOLDOWN_DAYS {
            return Err(DomainError::invalid("cooldown_days", format!("must be at most {MAX_COOLDOWN_DAYS}")));
        }
        // Without a cooldown every revision of an actual would send another mail or request: one
        // account could turn the service into a mail or webhook cannon.
        if self.cooldown_days < MIN_OUTBOUND_COOLDOWN_DAYS && self.channels.iter().any(|c| matches!(c, Channel::Webhook | Channel::Email)) {
            return Err(DomainError::invalid(
                "cooldown_days",
                format!("must be at least {MIN_OUTBOUND_COOLDOWN_DAYS} day with the webhook or email channel"),
            ));
        }
        Ok(())
    }

    pub fn applies_to(&self, metric: Metric) -> bool {
        self.enabled && self.metric.is_none_or(|m| m == metric)
    }

    /// Whether a variance breaches the rule (ignoring cooldown). A percentage rule never fires
    /// on an undefined percentage (forecast 0).
    pub fn breached_by(&self, metric: Metric, v: &VarianceFigures) -> bool {
        if !self.applies_to(metric) {
            return false;
        }
        let value = match self.unit {
            ThresholdUnit::Percent => match v.variance_pct {
                Some(p) => p,
                None => return false,
            },
            ThresholdUnit::Absolute => v.variance,
        };
        match self.comparison {
            Comparison::Below => value <= -self.threshold,
            Comparison::Above => value >= self.threshold,
            Comparison::Outside => value.abs() >= self.threshold,
        }
    }

    /// Whether a variance breaches the rule, given the company's usual error band for the metric
    /// (`None`: too little history). A fixed rule ignores the band.
    pub fn breached_given(&self, metric: Metric, v: &VarianceFigures, band: Option<&ErrorBand>) -> bool {
        let usual = self.adaptive && band.zip(v.variance_pct).is_some_and(|(b, p)| b.is_usual(p));
        !usual && self.breached_by(metric, v)
    }

    /// "REVENUE below forecast by 20%", for messages and the inbox; "…, outside its usual error"
    /// for an adaptive rule.
    pub fn describe(&self) -> String {
        let fixed = self.describe_fixed();
        if self.adaptive {
            format!("{fixed}, outside the company's usual error")
        } else {
            fixed
        }
    }

    fn describe_fixed(&self) -> String {
        let metric = self.metric.map_or("Any metric", |m| m.as_str());
        let amount = match self.unit {
            ThresholdUnit::Percent => format!("{}%", self.threshold.normalize()),
            ThresholdUnit::Absolute => self.threshold.normalize().to_string(),
        };
        match self.comparison {
            Comparison::Below => format!("{metric} below forecast by {amount}"),
            Comparison::Above => format!("{metric} above forecast by {amount}"),
            Comparison::Outside => format!("{metric} outside forecast ±{amount}"),
        }
    }

    /// The rules every new fund starts with: revenue below forecast by 20% → warning, by 40% →
    /// critical; cash burn above forecast by 25% → warning. In-app only (webhook and e-mail need
    /// the fund's notification settings first), cooldown 30 days.
    pub fn defaults() -> Vec<RuleSpec> {
        let rule = |metric, comparison, threshold: i64, severity| RuleSpec {
            metric: Some(metric),
            comparison,
            threshold: Decimal::from(threshold),
            unit: ThresholdUnit::Percent,
            severity,
            channels: vec![Channel::InApp],
            cooldown_days: DEFAULT_COOLDOWN_DAYS,
            enabled: true,
            adaptive: false,
        };
        vec![
            rule(Metric::Revenue, Comparison::Below, 20, Severity::Warning),
            rule(Metric::Revenue, Comparison::Below, 40, Severity::Critical),
            rule(Metric::CashBurn, Comparison::Above, 25, Severity::Warning),
        ]
    }
}

/// Cooldown of the default rules: shorter than a quarter, so quarterly actuals each alert.
pub const DEFAULT_COOLDOWN_DAYS: u32 = 30;

/// Whether an actual effective at `at` falls within the cooldown of an earlier alert of the same
/// rule, company and metric whose actual was effective at one of `alerted` (see module docs).
pub fn in_cooldown(alerted: &[DateTime<Utc>], at: DateTime<Utc>, cooldown_days: u32) -> bool {
    if cooldown_days == 0 {
        return false;
    }
    let window = Duration::days(cooldown_days as i64);
    alerted.iter().any(|t| (at - *t).abs() < window)
}

/// A revenue rule for tests: warning, in-app, 30 days' cooldown, enabled, fixed (struct update
/// syntax changes the rest).
#[cfg(test)]
pub(crate) fn revenue_rule(comparison: Comparison, threshold: i64, unit: ThresholdUnit) -> RuleSpec {
    RuleSpec {
        metric: Some(Metric::Revenue),
        comparison,
        threshold: Decimal::from(threshold),
        unit,
        severity: Severity::Warning,
        channels: vec![Channel::InApp],
        cooldown_days: 30,
        enabled: true,
        adaptive: false,
    }
}
