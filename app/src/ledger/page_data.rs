//! What the import pages and the ledger API answer.

use chrono::{DateTime, Utc};
use domain::ledger::LedgerPreview;
use domain::variance::RowError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An uploaded ledger file and what importing it would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerUploadView {
    pub fund_id: Uuid,
    pub upload_id: Uuid,
    pub file_name: String,
    pub uploaded_at: DateTime<Utc>,
    pub check: LedgerCheck,
}

/// Every row passes (and this is the fund after the import), or these rows do not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LedgerCheck {
    Ready(LedgerPreview),
    Invalid(Vec<RowError>),
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LedgerImportOutcome {
    pub imported: usize,
    pub first_version: u64,
    pub version: u64,
    /// Alerts raised by the file's actuals (written in the same transaction).
    pub alerts: usize,
    /// The fund at the file's last date.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub preview: LedgerPreview,
}
