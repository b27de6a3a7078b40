//! Words and classes for metrics, severities and directions.

use domain::fund::Metric;
use domain::variance::{Direction, Severity};

pub fn metric_label(m: Metric) -> &'static str {
    match m {
        Metric::Revenue => "Revenue",
        Metric::Ebitda => "EBITDA",
        Metric::CashBurn => "Cash burn",
        Metric::Arr => "ARR",
        Metric::Valuation => "Valuation",
    }
}

pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Info => "Info",
        Severity::Warning => "Warning",
        Severity::Critical => "Critical",
        Severity::Urgent => "Urgent",
    }
}

/// Whether a move in this direction is good news for this metric (burning more cash is not).
pub fn direction_class(metric: Metric, d: Direction) -> &'static str {
    match (d, metric) {
        (Direction::OnTarget, _) => "on-target",
        (Direction::Above, Metric::CashBurn) | (Direction::Below, Metric::Revenue | Metric::Ebitda | Metric::Arr | Metric::Valuation) => "unfavourable",
        _ => "favourable",
    }
}
