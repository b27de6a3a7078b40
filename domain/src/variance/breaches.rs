//! One alert per breach: what a fund's rules do with newly recorded actuals.
//!
//! A **breach** is a (company, metric, period) whose actual breaches at least one enabled rule.
//! It has at most one open (unread or read) alert:
//!
//! - several rules matching the same actual (tiers of one metric, "below 20%" and "below 40%")
//!   raise **one** alert at the highest severity reached, naming every rule breached, and sending
//!   once on each channel any of those rules names;
//! - a later actual for the same company, metric and period that reaches a **higher** severity
//!   **escalates** the open alert (new severity and figures, unread again, delivered again);
//!   one that is still in breach at the same or a lower severity leaves it as it is;
//! - a later actual that breaches no rule **resolves** it, with the note
//!   "Back within plan on <date>: …".
//!
//! Cooldowns (see [`super::rules`]) still hold back a *new* alert for a rule that alerted for the
//! same company and metric recently; they never hold back an escalation or a resolution of an
//! alert that is already open.
//!
//! Pure: the store loads the open alerts and the cooldown history, applies the plans in the
//! same transaction as the actuals, and the history import folds them in memory.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::compare::VarianceLine;
use super::rules::{in_cooldown, Channel, RuleSpec, Severity};
use crate::fund::Metric;

/// A rule as the planner needs it.
#[derive(Debug, Clone, Copy)]
pub struct BreachRule<'a> {
    pub id: Uuid,
    pub description: &'a str,
    pub spec: &'a RuleSpec,
}

/// An alert that is open (unread or read) when the actuals arrive.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAlert {
    pub id: Uuid,
    pub company_id: Uuid,
    pub metric: Metric,
    pub period: NaiveDate,
    pub severity: Severity,
}

/// The rules one actual breached, highest severity first (ties: the order the fund lists them).
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    pub severity: Severity,
    pub rule_ids: Vec<Uuid>,
    pub rules: Vec<String>,
    /// Every channel any breached rule names, each once.
    pub channels: Vec<Channel>,
    pub line: VarianceLine,
}

/// What to write.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertPlan {
    /// A new alert. `resolution` is set when a later actual in the same write was back within
    /// plan: the alert is written resolved, with that note, and sends nothing outbound.
    Raise { alert_id: Uuid, breach: Breach, resolution: Option<String> },
    /// The open alert `alert_id` reaches a higher severity: new figures, unread again, and one
    /// more delivery per channel.
    Escalate { alert_id: Uuid, breach: Breach },
    /// The open alert `alert_id` is back within plan.
    Resolve { alert_id: Uuid, note: String },
}

type BreachKey = (Uuid, Metric, NaiveDate);
type CooldownKey = (Uuid, Uuid, Metric);

/// The alert open for a breach, and the plan (if any) this write made for it.
#[derive(Debug, Clone, Copy)]
struct Open {
    id: Uuid,
    severity: Severity,
    plan: Option<usize>,
}

/// The open alerts and the cooldown history of one fund, folded forward write by write.
#[derive(Debug, Default)]
pub struct BreachBook {
    open: HashMap<BreachKey, Open>,
    alerted: HashMap<CooldownKey, Vec<DateTime<Utc>>>,
}

impl BreachBook {
    pub fn new() -> Self {
        BreachBook::default()
    }

    /// An alert that is open. If two are open for the same breach (alerts from before this rule
    /// existed), the more severe one is the one that escalates or resolves.
    pub fn with_open(&mut self, alert: OpenAlert) {
        let key = (alert.company_id, alert.metric, alert.period);
        if self.open.get(&key).is_none_or(|o| o.severity < alert.severity) {
            self.open.insert(key, Open { id: alert.id, severity: alert.severity, plan: None });
        }
    }

    /// An earlier alert from `rule_id` for this company and metric, for cooldowns.
    pub fn with_alerted(&mut self, rule_id: Uuid, company_id: Uuid, metric: Metric, actual_effective_at: DateTime<Utc>) {
        self.alerted.entry((rule_id, company_id, metric)).or_default().push(actual_effective_at);
    }

    /// The plans for one write's `lines` (in canonical order), folded into the book so the next
    /// write sees them; `new_id` names each new alert. One plan per alert touched: a raise and
    /// its escalation within the same write are one raise at the final severity.
    pub fn plan(&mut self, lines: &[VarianceLine], rules: &[BreachRule<'_>], new_id: &mut impl FnMut() -> Uuid) -> Vec<AlertPlan> {
        let mut plans: Vec<AlertPlan> = Vec::new();
        for line in lines {
            let key = (line.company_id, line.metric, line.period);
            let figures = line.figures();
            let mut breached: Vec<&BreachRule<'_>> = rules.iter().filter(|r| r.spec.breached_by(line.metric, &figures)).collect();
            // Highest severity first; the sort is stable, so ties keep the fund's order.
            breached.sort_by(|a, b| b.spec.severity.cmp(&a.spec.severity));
            match self.open.get(&key).copied() {
                Some(open) if breached.is_empty() => {
                    resolve(&mut plans, open, back_within_plan(line));
                    self.open.remove(&key);
                }
                Some(open) => {
                    let breach = self.breach(line, &breached);
                    if breach.severity <= open.severity {
                        continue;
                    }
                    let severity = breach.severity;
                    let plan = escalate(&mut plans, open, breach);
                    self.open.insert(key, Open { id: open.id, severity, plan: Some(plan) });
                }
                None => {
                    breached.retain(|r| !in_cooldown(self.cooldown(r.id, line), line.effective_at, r.spec.cooldown_days));
                    if breached.is_empty() {
                        continue;
                    }
                    let breach = self.breach(line, &breached);
                    let (id, severity) = (new_id(), breach.severity);
                    plans.push(AlertPlan::Raise { alert_id: id, breach, resolution: None });
                    self.open.insert(key, Open { id, severity, plan: Some(plans.len() - 1) });
                }
            }
        }
        for open in self.open.values_mut() {
            open.plan = None;
        }
        plans
    }

    fn cooldown(&self, rule_id: Uuid, line: &VarianceLine) -> &[DateTime<Utc>] {
        self.alerted.get(&(rule_id, line.company_id, line.metric)).map_or(&[], Vec::as_slice)
    }

    /// The breach of `line`, recording it in the rules' cooldown history.
    fn breach(&mut self, line: &VarianceLine, breached: &[&BreachRule<'_>]) -> Breach {
        let mut channels: Vec<Channel> = Vec::new();
        for r in breached {
            self.alerted.entry((r.id, line.company_id, line.metric)).or_default().push(line.effective_at);
            for c in &r.spec.channels {
                if !channels.contains(c) {
                    channels.push(*c);
                }
            }
        }
        channels.sort();
        Breach {
            severity: breached[0].spec.severity,
            rule_ids: breached.iter().map(|r| r.id).collect(),
            rules: breached.iter().map(|r| r.description.to_string()).collect(),
            channels,
            line: line.clone(),
        }
    }
}

/// Escalates `open` in this write's plans; returns the index of its plan.
fn escalate(plans: &mut Vec<AlertPlan>, open: Open, breach: Breach) -> usize {
    match open.plan {
        Some(i) => {
            plans[i] = match &plans[i] {
                AlertPlan::Raise { alert_id, .. } => AlertPlan::Raise { alert_id: *alert_id, breach, resolution: None },
                _ => AlertPlan::Escalate { alert_id: open.id, breach },
            };
            i
        }
        None => {
            plans.push(AlertPlan::Escalate { alert_id: open.id, breach });
            plans.len() - 1
        }
    }
}

/// Resolves `open` in this write's plans: an alert raised in this same write is written resolved.
fn resolve(plans: &mut Vec<AlertPlan>, open: Open, note: String) {
    match open.plan {
        Some(i) => match &mut plans[i] {
            AlertPlan::Raise { resolution, .. } => *resolution = Some(note),
            other => *other = AlertPlan::Resolve { alert_id: open.id, note },
        },
        None => plans.push(AlertPlan::Resolve { alert_id: open.id, note }),
    }
}

/// "Back within plan on 2026-04-10: actual 1200000 against forecast 1250000 (-4.0%), version 812."
pub fn back_within_plan(line: &VarianceLine) -> String {
    let pct = line.variance_pct.map(|p| format!(" ({p:.1}%)")).unwrap_or_default();
    format!(
        "Back within plan on {}: actual {} against forecast {}{pct}, version {}.",
        line.effective_at.format("%Y-%m-%d"),
        line.actual.normalize(),
        line.forecast.normalize(),
        line.actual_version
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use rust_decimal::Decimal;

    use super::*;
    use crate::fund::ActualSource;
    use crate::variance::matching::ForecastBasis;
    use crate::variance::math::variance_of;
    use crate::variance::rules::{Comparison, ThresholdUnit};

    fn spec(threshold: i64, severity: Severity, channels: Vec<Channel>, cooldown_days: u32) -> RuleSpec {
        RuleSpec {
            metric: Some(Metric::Revenue),
            comparison: Comparison::Below,
            threshold: Decimal::from(threshold),
            unit: ThresholdUnit::Percent,
            severity,
            channels,
            cooldown_days,
            enabled: true,
        }
    }

    const COMPANY: Uuid = Uuid::from_u128(7);
    const WARN: Uuid = Uuid::from_u128(20);
    const CRIT: Uuid = Uuid::from_u128(40);

    fn ids() -> impl FnMut() -> Uuid {
        let mut n = 1000u128;
        move || {
            n += 1;
            Uuid::from_u128(n)
        }
    }

    fn line(actual: i64, version: u64, day: u32) -> VarianceLine {
        let figures = variance_of(Decimal::from(actual), Decimal::from(100));
        VarianceLine {
            company_id: COMPANY,
            metric: Metric::Revenue,
            period: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            actual: Decimal::from(actual),
            forecast: Decimal::from(100),
            forecast_version: 1,
            forecast_basis: ForecastBasis::Known,
            variance: figures.variance,
            variance_pct: figures.variance_pct,
            direction: figures.direction,
            source: ActualSource::Manual,
            effective_at: Utc.with_ymd_and_hms(2026, 4, day, 12, 0, 0).unwrap(),
            recorded_at: Utc.with_ymd_and_hms(2026, 4, day, 12, 0, 0).unwrap(),
            actual_version: version,
        }
    }

    struct Rules {
        warn: RuleSpec,
        crit: RuleSpec,
    }

    impl Rules {
        fn new() -> Self {
            Rules {
                warn: spec(20, Severity::Warning, vec![Channel::InApp, Channel::Webhook], 30),
                crit: spec(40, Severity::Critical, vec![Channel::InApp, Channel::Email], 30),
            }
        }
        fn refs(&self) -> Vec<BreachRule<'_>> {
            vec![
                BreachRule { id: WARN, description: "REVENUE below forecast by 20%", spec: &self.warn },
                BreachRule { id: CRIT, description: "REVENUE below forecast by 40%", spec: &self.crit },
            ]
        }
    }

    #[test]
    fn given_two_tiers_when_an_actual_misses_by_41_percent_then_one_critical_alert_names_both_rules() {
        let rules = Rules::new();
        let plans = BreachBook::new().plan(&[line(59, 10, 5)], &rules.refs(), &mut ids());
        assert_eq!(plans.len(), 1);
        let AlertPlan::Raise { breach, resolution: None, .. } = &plans[0] else { panic!("{plans:?}") };
        assert_eq!(breach.severity, Severity::Critical);
        assert_eq!(breach.rule_ids, vec![CRIT, WARN]);
        assert_eq!(breach.rules, vec!["REVENUE below forecast by 40%", "REVENUE below forecast by 20%"]);
        assert_eq!(breach.channels, vec![Channel::InApp, Channel::Webhook, Channel::Email]);
    }

    #[test]
    fn given_an_open_warning_when_a_worse_actual_arrives_then_it_escalates_and_a_milder_one_changes_nothing() {
        let rules = Rules::new();
        let open = Uuid::from_u128(99);
        let mut book = BreachBook::new();
        book.with_open(OpenAlert { id: open, company_id: COMPANY, metric: Metric::Revenue, period: line(0, 0, 1).period, severity: Severity::Warning });
        book.with_alerted(WARN, COMPANY, Metric::Revenue, line(75, 10, 1).effective_at);

        let plans = book.plan(&[line(55, 11, 8)], &rules.refs(), &mut ids());
        let [AlertPlan::Escalate { alert_id, breach }] = plans.as_slice() else { panic!("{plans:?}") };
        assert_eq!((*alert_id, breach.severity, breach.line.actual_version), (open, Severity::Critical, 11));

        // Still in breach, but no worse than critical: nothing to write.
        assert_eq!(book.plan(&[line(70, 12, 9)], &rules.refs(), &mut ids()), vec![]);
    }

    #[test]
    fn given_an_open_alert_when_the_actual_is_back_within_plan_then_it_resolves_with_a_note() {
        let rules = Rules::new();
        let open = Uuid::from_u128(99);
        let mut book = BreachBook::new();
        book.with_open(OpenAlert { id: open, company_id: COMPANY, metric: Metric::Revenue, period: line(0, 0, 1).period, severity: Severity::Critical });
        let plans = book.plan(&[line(95, 12, 10)], &rules.refs(), &mut ids());
        let [AlertPlan::Resolve { alert_id, note }] = plans.as_slice() else { panic!("{plans:?}") };
        assert_eq!(*alert_id, open);
        assert_eq!(note, "Back within plan on 2026-04-10: actual 95 against forecast 100 (-5.0%), version 12.");
        // Resolved, so no longer open: a new miss for the period raises a new alert.
        assert!(matches!(book.plan(&[line(50, 13, 11)], &rules.refs(), &mut ids()).as_slice(), [AlertPlan::Raise { .. }]));
    }

    #[test]
    fn given_one_write_when_it_raises_then_worsens_then_recovers_then_one_resolved_alert_is_written() {
        let rules = Rules::new();
        let mut book = BreachBook::new();
        let plans = book.plan(&[line(75, 10, 1), line(50, 11, 2)], &rules.refs(), &mut ids());
        let [AlertPlan::Raise { breach, resolution: None, .. }] = plans.as_slice() else { panic!("{plans:?}") };
        assert_eq!((breach.severity, breach.line.actual_version), (Severity::Critical, 11));

        let mut book = BreachBook::new();
        let plans = book.plan(&[line(75, 10, 1), line(99, 11, 2)], &rules.refs(), &mut ids());
        let [AlertPlan::Raise { breach, resolution: Some(note), .. }] = plans.as_slice() else { panic!("{plans:?}") };
        assert_eq!(breach.severity, Severity::Warning);
        assert!(note.starts_with("Back within plan on 2026-04-02"), "{note}");
    }

    #[test]
    fn given_a_rule_in_cooldown_when_a_new_period_misses_then_only_rules_out_of_cooldown_count() {
        let rules = Rules::new();
        let mut book = BreachBook::new();
        book.with_alerted(CRIT, COMPANY, Metric::Revenue, line(0, 0, 1).effective_at);
        let plans = book.plan(&[line(50, 10, 5)], &rules.refs(), &mut ids());
        let [AlertPlan::Raise { breach, .. }] = plans.as_slice() else { panic!("{plans:?}") };
        assert_eq!((breach.severity, breach.rule_ids.clone()), (Severity::Warning, vec![WARN]));
    }

    #[test]
    fn given_an_alert_raised_by_one_write_when_the_next_write_worsens_it_then_that_alert_escalates() {
        let rules = Rules::new();
        let mut book = BreachBook::new();
        let first = book.plan(&[line(75, 10, 1)], &rules.refs(), &mut ids());
        let [AlertPlan::Raise { alert_id: raised, .. }] = first.as_slice() else { panic!("{first:?}") };
        let second = book.plan(&[line(30, 11, 3)], &rules.refs(), &mut ids());
        let [AlertPlan::Escalate { alert_id, breach }] = second.as_slice() else { panic!("{second:?}") };
        assert_eq!((alert_id, breach.severity), (raised, Severity::Critical));
    }

    #[test]
    fn given_two_open_alerts_for_one_breach_when_it_recovers_then_the_more_severe_one_resolves() {
        let rules = Rules::new();
        let (low, high) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let period = line(0, 0, 1).period;
        let mut book = BreachBook::new();
        book.with_open(OpenAlert { id: high, company_id: COMPANY, metric: Metric::Revenue, period, severity: Severity::Critical });
        book.with_open(OpenAlert { id: low, company_id: COMPANY, metric: Metric::Revenue, period, severity: Severity::Warning });
        let plans = book.plan(&[line(100, 12, 10)], &rules.refs(), &mut ids());
        assert!(matches!(plans.as_slice(), [AlertPlan::Resolve { alert_id, .. }] if *alert_id == high), "{plans:?}");
    }
}
