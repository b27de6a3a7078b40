//! The Variance tab's heat map: for each company and metric, the latest period's variance and the
//! highest severity it reaches under the fund's rules.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::compare::VarianceLine;
use super::math::Direction;
use super::rules::{RuleSpec, Severity};
use crate::fund::Metric;

/// One cell: the latest period with an actual for this company and metric (its latest actual).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatCell {
    pub company_id: Uuid,
    pub metric: Metric,
    pub period: NaiveDate,
    pub variance_pct: Option<Decimal>,
    pub direction: Direction,
    /// The highest severity among the rules this variance breaches (cooldown aside).
    pub severity: Option<Severity>,
}

/// The latest period per (company, metric) among `lines`; for a period with several actuals, the
/// one effective last (then the latest version). Unordered: the caller lays the cells out.
pub fn heat_cells(lines: &[VarianceLine], rules: &[RuleSpec]) -> Vec<HeatCell> {
    let mut latest: HashMap<(Uuid, Metric), &VarianceLine> = HashMap::new();
    let key = |l: &VarianceLine| -> (NaiveDate, DateTime<Utc>, u64) { (l.period, l.effective_at, l.actual_version) };
    for l in lines {
        let slot = latest.entry((l.company_id, l.metric)).or_insert(l);
        if key(l) > key(slot) {
            *slot = l;
        }
    }
    latest
        .into_values()
        .map(|l| HeatCell {
            company_id: l.company_id,
            metric: l.metric,
            period: l.period,
            variance_pct: l.variance_pct,
            direction: l.direction,
            severity: l.severity(rules),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::fund::ActualSource;
    use crate::variance::matching::ForecastBasis;
    use crate::variance::math::variance_of;
    use crate::variance::rules::{revenue_rule, Comparison, ThresholdUnit};

    fn line(company: u128, metric: Metric, period: (i32, u32, u32), actual: i64, day: u32, version: u64) -> VarianceLine {
        let f = variance_of(Decimal::from(actual), Decimal::from(100));
        let at = Utc.with_ymd_and_hms(2026, 10, day, 0, 0, 0).unwrap();
        VarianceLine {
            company_id: Uuid::from_u128(company),
            metric,
            period: NaiveDate::from_ymd_opt(period.0, period.1, period.2).unwrap(),
            actual: Decimal::from(actual),
            forecast: Decimal::from(100),
            forecast_version: 1,
            forecast_basis: ForecastBasis::Known,
            variance: f.variance,
            variance_pct: f.variance_pct,
            direction: f.direction,
            source: ActualSource::Manual,
            effective_at: at,
            recorded_at: at,
            actual_version: version,
        }
    }

    #[test]
    fn given_several_periods_and_revisions_when_mapped_then_each_cell_is_the_latest_periods_latest_actual() {
        let rules = vec![revenue_rule(Comparison::Below, 20, ThresholdUnit::Percent)];
        let lines = vec![
            line(1, Metric::Revenue, (2026, 6, 30), 50, 1, 1),  // older period
            line(1, Metric::Revenue, (2026, 9, 30), 70, 2, 2),  // latest period, first actual
            line(1, Metric::Revenue, (2026, 9, 30), 90, 3, 3),  // its revision: the cell
            line(1, Metric::Arr, (2026, 9, 30), 130, 2, 4),
            line(2, Metric::Revenue, (2026, 3, 31), 60, 1, 5),
        ];
        let mut cells = heat_cells(&lines, &rules);
        cells.sort_by_key(|c| (c.company_id, c.metric));
        let got: Vec<(u128, Metric, Option<Decimal>, Option<Severity>)> =
            cells.iter().map(|c| (c.company_id.as_u128(), c.metric, c.variance_pct, c.severity)).collect();
        assert_eq!(
            got,
            vec![
                (1, Metric::Revenue, Some(Decimal::from(-10)), None),
                (1, Metric::Arr, Some(Decimal::from(30)), None),
                (2, Metric::Revenue, Some(Decimal::from(-40)), Some(Severity::Warning)),
            ]
        );
    }
}
