//! The fund ledger: the template imports, bad rows are all reported with line and column, every
//! rule of `decide` is applied, and export → import into a new fund gives the same fund.
#![cfg(feature = "engine")]

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::demo::{generate, DemoSpec};
use domain::fund::*;
use domain::ledger::{ledger_csv, parse_ledger_csv, plan_ledger, LedgerRow, LEDGER_TEMPLATE};
use domain::time_machine::replay::{canonical_cmp, state_at};
use domain::variance::{CompanyDirectory, RowError};
use rust_decimal::Decimal;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 14, 30, 0).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A new fund: its FUND_CREATED event only.
fn new_fund(size: &str, first_close: DateTime<Utc>) -> Vec<FundEvent> {
    vec![FundEvent {
        version: 1,
        effective_at: first_close,
        recorded_at: first_close,
        payload: EventPayload::FundCreated(FundCreated { name: "Imported Fund".into(), size: dec(size), vintage: None }),
    }]
}

fn ids() -> impl FnMut() -> Uuid {
    let mut n = 0u128;
    move || {
        n += 1;
        Uuid::from_u128(n)
    }
}

fn parse(csv: &str, existing: &CompanyDirectory) -> Result<Vec<LedgerRow>, Vec<RowError>> {
    parse_ledger_csv(csv.as_bytes(), existing, now(), &mut ids())
}

/// The history after appending the plan's rows (as the store numbers them), in canonical order.
fn appended(history: &[FundEvent], rows: &[LedgerRow]) -> Vec<FundEvent> {
    let head = history.iter().map(|e| e.version).max().unwrap_or(0);
    let mut all = history.to_vec();
    all.extend(rows.iter().enumerate().map(|(i, r)| FundEvent {
        version: head + 1 + i as u64,
        effective_at: r.event.effective_at,
        recorded_at: now(),
        payload: r.event.payload.clone(),
    }));
    all.sort_by(canonical_cmp);
    all
}

fn errors_of(csv: &str, history: &[FundEvent]) -> Vec<(u64, String)> {
    let result = parse(csv, &CompanyDirectory::default()).and_then(|rows| plan_ledger(history, rows, now()));
    result.expect_err("the file should be refused").into_iter().map(|e| (e.line, e.column)).collect()
}

#[test]
fn the_template_imports_into_a_fund_that_starts_before_it() {
    let history = new_fund("50000000", Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
    let rows = parse(LEDGER_TEMPLATE, &CompanyDirectory::default()).expect("the template parses");
    assert_eq!(rows.len(), LEDGER_TEMPLATE.lines().count() - 1);
    let plan = plan_ledger(&history, rows, now()).expect("the template passes every rule");
    let p = &plan.preview;
    assert_eq!(p.companies.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Acme Robotics", "Bolt Energy"]);
    assert_eq!(p.kpis.called, dec("15000000"));
    assert_eq!(p.kpis.distributed, dec("6000000"));
    assert_eq!(p.kpis.realized, dec("9000000"));
    // Acme: 22% of the $30M post-money of its follow-on round.
    assert_eq!(p.kpis.nav, dec("6600000.00"));
    assert_eq!(p.kpis.dpi, Some(dec("0.4")));
    assert_eq!(p.kpis.tvpi, Some(dec("0.84")));
    assert_eq!(p.last_date, Utc.with_ymd_and_hms(2025, 4, 15, 0, 0, 0).unwrap());
    let investments = p.by_type.iter().find(|c| c.row_type == "investment").unwrap();
    assert_eq!(investments.count, 3);
    // What the preview shows is the state the appended history folds to.
    let state = state_at(&appended(&history, &plan.rows), p.last_date, u64::MAX);
    assert_eq!(state.kpis(p.last_date), p.kpis);
}

#[test]
fn every_bad_cell_of_every_row_is_reported_and_nothing_is_planned() {
    let csv = "type,effective_date,company,amount,post_money,ownership,stage,sector,follow_on,metric,period,value,source,assumptions
capital_call,2024-01-15,,10000000,,,,,,,,,,
company,2024-01-20,Acme,,,,Seed,,,,,,,
investment,2024-01-20,Acme,1'000,,,,,,,,,,
investment,2024-01-21,Nobody,1000,,,,,maybe,,,,,
valuation,2024/06/30,Acme,,,,,,,,,,,
merger,2024-07-01,Acme,,,,,,,,,,,
capital_call,2024-07-02,Acme,5,,,,,,,,,,
company,2024-07-03,Acme,,,,Series Q,,,,,,,
forecast,2024-07-04,Acme,,,,,,,GMV,2024-13-01,1,,
actual,2099-01-01,Acme,,,,,,,REVENUE,,-5,scraped,
";
    let errors = errors_of(csv, &new_fund("50000000", Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()));
    let expected: Vec<(u64, &str)> = vec![
        (4, "amount"),
        (5, "company"),
        (5, "follow_on"),
        (6, "effective_date"),
        (6, "post_money"),
        (7, "type"),
        (8, "company"),
        (9, "company"),
        (9, "stage"),
        (10, "metric"),
        (10, "period"),
        (11, "effective_date"),
        (11, "source"),
    ];
    let mut got: Vec<(u64, String)> = errors;
    got.sort();
    let mut expected: Vec<(u64, String)> = expected.into_iter().map(|(l, c)| (l, c.to_string())).collect();
    expected.sort();
    assert_eq!(got, expected);
}

#[test]
fn the_header_must_name_known_columns_with_type_and_date() {
    let errors = errors_of("type,company,colour\ncapital_call,,red\n", &new_fund("1000", now() - Duration::days(10)));
    assert_eq!(errors, vec![(1, "colour".to_string()), (1, "effective_date".to_string())]);
    assert_eq!(errors_of("type,effective_date\n", &new_fund("1000", now())), vec![(2, "row".to_string())]);
}

#[test]
fn the_rules_of_decide_are_applied_in_date_order_and_every_broken_one_reported() {
    let history = new_fund("10000000", Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
    // Lines out of date order: the plan sorts by date, so line 3's company exists at line 2's date.
    let csv = "type,effective_date,company,amount,post_money,ownership,stage
investment,2024-02-01,Acme,1000000,500000,,
company,2024-01-10,Acme,,,,Seed
capital_call,2024-03-01,,8000000,,,
capital_call,2024-03-02,,3000000,,,
write_off,2024-04-01,Acme,,,,
valuation,2024-05-01,Acme,,2000000,,
capital_call,2023-12-01,,1000,,,
investment,2024-06-01,Acme,-5,,,
exit,2024-06-02,Acme,0,,,
";
    let errors = parse(csv, &CompanyDirectory::default()).and_then(|rows| plan_ledger(&history, rows, now())).unwrap_err();
    let got: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (8, "effective_date"), // before the fund existed
            (2, "post_money"),     // smaller than the cheque
            (5, "amount"),         // beyond the uncalled commitment ($2M left)
            (7, "company"),        // Acme is written off
            (9, "company"),
            (10, "company"),
        ]
    );
    assert!(errors[2].reason.contains("uncalled"), "{}", errors[2].reason);
    assert!(errors[3].reason.contains("written off"), "{}", errors[3].reason);
}

#[test]
fn rows_may_name_the_funds_existing_companies_but_not_add_them_again() {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let acme = Uuid::from_u128(0xACE);
    let mut history = new_fund("10000000", start);
    history.push(FundEvent {
        version: 2,
        effective_at: start,
        recorded_at: start,
        payload: EventPayload::CompanyAdded(CompanyAdded { company_id: acme, name: "Acme".into(), stage: Stage::Seed, sector: None }),
    });
    let directory = CompanyDirectory::new([(acme, "Acme")]);
    let rows = parse("type,effective_date,company,amount\ncapital_call,2024-02-01,,2000000\ninvestment,2024-02-01,Acme,1000000\n", &directory).unwrap();
    assert_eq!(rows[1].event.payload.company_id(), Some(acme));
    plan_ledger(&history, rows, now()).expect("valid");
    let errors = parse("type,effective_date,company,stage\ncompany,2024-02-01,Acme,Seed\n", &directory).unwrap_err();
    assert_eq!((errors[0].line, errors[0].column.as_str()), (2, "company"));
    assert!(errors[0].reason.contains("already has"), "{}", errors[0].reason);
}

#[test]
fn export_then_import_into_a_new_fund_gives_the_same_fund_at_every_date() {
    let spec = DemoSpec::demo_fund(now());
    let generated = generate(&spec);
    let mut original: Vec<FundEvent> = generated
        .iter()
        .enumerate()
        .map(|(i, e)| FundEvent { version: i as u64 + 1, effective_at: e.effective_at, recorded_at: e.recorded_at, payload: e.payload.clone() })
        .collect();
    original.sort_by(canonical_cmp);
    assert!(original.len() > 1_000, "a realistic history: {}", original.len());

    let csv = ledger_csv(&original);
    let created = original[0].effective_at;
    let fresh = new_fund(&spec.fund_size.to_string(), created);
    let rows = parse(&csv, &CompanyDirectory::default()).expect("the export parses");
    assert_eq!(rows.len(), original.len() - 1, "one row per event but FUND_CREATED");
    let plan = plan_ledger(&fresh, rows, now()).expect("the export passes every rule");
    let imported = appended(&fresh, &plan.rows);

    let end = original.iter().map(|e| e.effective_at).max().unwrap();
    // 20 dates spread at random over the history (a fixed LCG: the same dates every run).
    let span = (end - created).num_seconds() as u64;
    let mut x: u64 = 7;
    let mut dates: Vec<DateTime<Utc>> = (0..20)
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            created + Duration::seconds(((x >> 33) % (span + 1)) as i64)
        })
        .collect();
    dates.push(end);
    for date in dates {
        let a = state_at(&original, date, u64::MAX);
        let b = state_at(&imported, date, u64::MAX);
        assert_eq!(a.kpis(date), b.kpis(date), "KPIs at {date}");
        let companies = |s: &FundState| {
            s.companies
                .values()
                .map(|c| (c.name.clone(), c.stage, c.status.label(), c.invested, c.ownership, c.valuation, c.reserves_planned, c.reserves_deployed, c.proceeds))
                .collect::<std::collections::BTreeSet<_>>()
        };
        assert_eq!(companies(&a), companies(&b), "companies at {date}");
        let metrics = |s: &FundState| {
            s.companies
                .values()
                .map(|c| (c.name.clone(), c.metrics.iter().map(|(m, l)| (*m, l.forecast.as_ref().map(|f| (f.period, f.value)), l.actual.as_ref().map(|x| (x.period, x.value, x.source)))).collect::<Vec<_>>()))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        assert_eq!(metrics(&a), metrics(&b), "metrics at {date}");
        assert_eq!(a.reserve_assumptions.as_ref().map(|r| &r.assumptions), b.reserve_assumptions.as_ref().map(|r| &r.assumptions));
    }
    // And the export of the imported fund is the same file.
    assert_eq!(ledger_csv(&imported), csv);
}

#[test]
fn exported_cells_are_spreadsheet_safe_and_read_back_as_written() {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let history = new_fund("10000000", start);
    let csv = "type,effective_date,company,stage,sector\ncompany,2024-01-02,=HYPERLINK(\"https://evil/\"),Seed,@risk\ncompany,2024-01-02T10:30:00.25Z,-dash,Series D+,\n";
    let rows = parse(csv, &CompanyDirectory::default()).unwrap();
    let plan = plan_ledger(&history, rows, now()).unwrap();
    let exported = ledger_csv(&appended(&history, &plan.rows));
    assert!(exported.contains("'=HYPERLINK"), "{exported}");
    assert!(exported.contains("'@risk") && exported.contains("'-dash"), "{exported}");
    assert!(exported.contains("2024-01-02T10:30:00.250Z"), "{exported}");
    let again = parse(&exported, &CompanyDirectory::default()).unwrap();
    let names: Vec<String> = again
        .iter()
        .filter_map(|r| match &r.event.payload {
            EventPayload::CompanyAdded(c) => Some(format!("{}|{:?}", c.name, c.sector)),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["=HYPERLINK(\"https://evil/\")|Some(\"@risk\")", "-dash|None"]);
}
