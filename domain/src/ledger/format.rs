//! The ledger's columns, row types and template.

use serde::{Deserialize, Serialize};

use crate::fund::EventPayload;

/// Every column a ledger may have, in the order the export writes them.
pub const LEDGER_COLUMNS: [&str; 14] = [
    "type",
    "effective_date",
    "company",
    "amount",
    "post_money",
    "ownership",
    "stage",
    "sector",
    "follow_on",
    "metric",
    "period",
    "value",
    "source",
    "assumptions",
];

/// Most data rows in one file: one append.
pub const MAX_LEDGER_ROWS: usize = 10_000;

/// The template served at `GET /api/funds/{id}/ledger/template.csv`: every row type, valid in a fund
/// of $50M or more whose first close is on or before 2024-01-15.
pub const LEDGER_TEMPLATE: &str = "type,effective_date,company,amount,post_money,ownership,stage,sector,follow_on,metric,period,value,source,assumptions
capital_call,2024-01-15,,10000000,,,,,,,,,,
company,2024-01-20,Acme Robotics,,,,Seed,Robotics,,,,,,
investment,2024-01-20,Acme Robotics,2000000,10000000,0.2,,,,,,,,
reserve_plan,2024-01-20,Acme Robotics,3000000,,,,,,,,,,
company,2024-02-10,Bolt Energy,,,,Series A,Climate,,,,,,
investment,2024-02-10,Bolt Energy,4000000,25000000,0.16,,,,,,,,
forecast,2024-02-15,Acme Robotics,,,,,,,REVENUE,2024-12-31,4000000,,
valuation,2024-06-30,Acme Robotics,,15000000,,,,,,,,,
capital_call,2024-09-01,,5000000,,,,,,,,,,
investment,2024-09-15,Acme Robotics,1000000,30000000,0.22,Series A,,yes,,,,,
actual,2024-12-31,Acme Robotics,,,,,,,REVENUE,2024-12-31,3600000,import,
exit,2025-03-31,Bolt Energy,9000000,,,,,,,,,,
distribution,2025-04-15,,6000000,,,,,,,,,,
";

/// What a ledger row records; the `type` cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowType {
    Company,
    Investment,
    Valuation,
    CapitalCall,
    Distribution,
    Exit,
    WriteOff,
    ReservePlan,
    Forecast,
    Actual,
    ReserveAssumptions,
}

impl RowType {
    pub const ALL: [RowType; 11] = [
        RowType::Company,
        RowType::Investment,
        RowType::Valuation,
        RowType::CapitalCall,
        RowType::Distribution,
        RowType::Exit,
        RowType::WriteOff,
        RowType::ReservePlan,
        RowType::Forecast,
        RowType::Actual,
        RowType::ReserveAssumptions,
    ];

    /// The `type` cell as the export writes it.
    pub fn name(self) -> &'static str {
        match self {
            RowType::Company => "company",
            RowType::Investment => "investment",
            RowType::Valuation => "valuation",
            RowType::CapitalCall => "capital_call",
            RowType::Distribution => "distribution",
            RowType::Exit => "exit",
            RowType::WriteOff => "write_off",
            RowType::ReservePlan => "reserve_plan",
            RowType::Forecast => "forecast",
            RowType::Actual => "actual",
            RowType::ReserveAssumptions => "reserve_assumptions",
        }
    }

    /// How people read it in a preview.
    pub fn label(self) -> &'static str {
        match self {
            RowType::Company => "Companies added",
            RowType::Investment => "Investments",
            RowType::Valuation => "Valuation marks",
            RowType::CapitalCall => "Capital calls",
            RowType::Distribution => "Distributions",
            RowType::Exit => "Exits",
            RowType::WriteOff => "Write-offs",
            RowType::ReservePlan => "Reserve plans",
            RowType::Forecast => "Forecasts",
            RowType::Actual => "Actuals",
            RowType::ReserveAssumptions => "Reserve assumptions",
        }
    }

    /// Reads the `type` cell: the names above in any case, with spaces or `-` for `_`
    /// (`Capital call`, `write-off`), and `company_added` for `company`.
    pub fn parse(raw: &str) -> Result<RowType, String> {
        let norm = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        let norm = match norm.as_str() {
            "company_added" => "company",
            "writeoff" => "write_off",
            other => other,
        };
        RowType::ALL.into_iter().find(|t| t.name() == norm).ok_or_else(|| {
            let names: Vec<&str> = RowType::ALL.iter().map(|t| t.name()).collect();
            format!("{raw:?} is not a row type; expected one of {}", names.join(", "))
        })
    }

    /// The columns a row of this type must fill and those it may fill (besides `type` and
    /// `effective_date`, which every row fills). Any other cell must be empty.
    pub fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            RowType::Company => (&["company", "stage"], &["sector"]),
            RowType::Investment => (&["company", "amount"], &["post_money", "ownership", "stage", "follow_on"]),
            RowType::Valuation => (&["company", "post_money"], &["ownership", "stage"]),
            RowType::CapitalCall => (&["amount"], &[]),
            RowType::Distribution => (&["amount"], &["company"]),
            RowType::Exit => (&["company", "amount"], &[]),
            RowType::WriteOff => (&["company"], &[]),
            RowType::ReservePlan => (&["company", "amount"], &[]),
            RowType::Forecast => (&["company", "metric", "period", "value"], &[]),
            RowType::Actual => (&["company", "metric", "value"], &["period", "source"]),
            RowType::ReserveAssumptions => (&["assumptions"], &[]),
        }
    }

    /// The row type that records this event; `None` for FUND_CREATED (the fund itself) and for a
    /// reversal (a ledger holds the history as corrected).
    pub fn of(payload: &EventPayload) -> Option<RowType> {
        Some(match payload {
            EventPayload::FundCreated(_) | EventPayload::EventReversed(_) => return None,
            EventPayload::CompanyAdded(_) => RowType::Company,
            EventPayload::InvestmentMade(_) => RowType::Investment,
            EventPayload::ValuationUpdated(_) => RowType::Valuation,
            EventPayload::CapitalCalled(_) => RowType::CapitalCall,
            EventPayload::DistributionMade(_) => RowType::Distribution,
            EventPayload::CompanyExited(_) => RowType::Exit,
            EventPayload::CompanyWrittenOff(_) => RowType::WriteOff,
            EventPayload::ReserveAllocated(_) => RowType::ReservePlan,
            EventPayload::ForecastCreated(_) => RowType::Forecast,
            EventPayload::ActualRecorded(_) => RowType::Actual,
            EventPayload::ReserveAssumptionsSet(_) => RowType::ReserveAssumptions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_back_from_its_name_and_common_spellings() {
        for t in RowType::ALL {
            assert_eq!(RowType::parse(t.name()), Ok(t));
            assert_eq!(RowType::parse(&t.name().to_uppercase().replace('_', " ")), Ok(t));
        }
        assert_eq!(RowType::parse("Write-off"), Ok(RowType::WriteOff));
        assert_eq!(RowType::parse("COMPANY_ADDED"), Ok(RowType::Company));
        assert!(RowType::parse("merger").unwrap_err().contains("capital_call"));
    }

    #[test]
    fn the_columns_each_type_uses_are_known_columns() {
        for t in RowType::ALL {
            let (required, optional) = t.columns();
            for c in required.iter().chain(optional) {
                assert!(LEDGER_COLUMNS.contains(c), "{c}");
            }
        }
    }
}
