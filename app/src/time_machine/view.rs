//! The fund at a date, shaped for JSON clients and the browser (shared by REST and server fns).

use chrono::{DateTime, Utc};
use domain::fund::{CompanyState, CompanyStatus, FundKpis, FundState, Stage};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StateResponse {
    pub fund_id: Uuid,
    pub as_of: DateTime<Utc>,
    pub known_at: Option<DateTime<Utc>>,
    /// Highest event version included.
    pub version: u64,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub state: StateView,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateView {
    pub name: String,
    pub exists: bool,
    #[serde(flatten)]
    pub kpis: FundKpis,
    pub companies: Vec<CompanyView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyView {
    pub id: Uuid,
    pub name: String,
    pub sector: Option<String>,
    pub stage: Stage,
    pub status: CompanyStatus,
    pub invested: Decimal,
    pub ownership: Decimal,
    pub valuation: Option<Decimal>,
    pub fair_value: Decimal,
    pub reserves_planned: Decimal,
    pub reserves_deployed: Decimal,
    pub proceeds: Decimal,
    pub first_investment_at: Option<DateTime<Utc>>,
}

impl StateView {
    pub fn new(state: &FundState, as_of: DateTime<Utc>) -> Self {
        let mut companies: Vec<CompanyView> = state.companies.values().map(|c| CompanyView::new(c)).collect();
        companies.sort_by(|a, b| b.fair_value.cmp(&a.fair_value).then_with(|| a.name.cmp(&b.name)));
        StateView { name: state.name.clone(), exists: state.exists, kpis: state.kpis(as_of), companies }
    }
}

impl CompanyView {
    pub fn new(c: &CompanyState) -> Self {
        CompanyView {
            id: c.id,
            name: c.name.clone(),
            sector: c.sector.clone(),
            stage: c.stage,
            status: c.status,
            invested: c.invested,
            ownership: c.ownership,
            valuation: c.valuation,
            fair_value: c.fair_value(),
            reserves_planned: c.reserves_planned,
            reserves_deployed: c.reserves_deployed,
            proceeds: c.proceeds,
            first_investment_at: c.first_investment_at,
        }
    }
}
