//! The fund ledger: a fund's history as one spreadsheet, one row per event, with a `type` column.
//! Imported whole or not at all ([`parse_ledger_csv`] then [`plan_ledger`], which checks every row
//! with the same `decide` and folds it with the same `evolve` as an append), and exported in the
//! same format ([`ledger_csv`]), so export → import into a new fund gives the same fund.
//!
//! Format (header required, columns in any order, unused columns may be left out):
//! `type,effective_date,company,amount,post_money,ownership,stage,sector,follow_on,metric,period,value,source,assumptions`.
//! Which columns each type needs is [`RowType::columns`]; companies are referred to by name.

pub mod export;
pub mod format;
pub mod parse;
pub mod plan;

pub use export::{ledger_cells, ledger_csv};
pub use format::{RowType, LEDGER_COLUMNS, LEDGER_TEMPLATE};
pub use parse::{parse_ledger_csv, LedgerRow};
pub use plan::{plan_ledger, LedgerPlan, LedgerPreview, PreviewCompany, TypeCount};
