use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::fund::{CompanyState, FundKpis, FundState};

/// What changed between two states of a fund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateDiff {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub kpis: Vec<KpiChange>,
    pub companies: Vec<CompanyChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiChange {
    pub kpi: String,
    pub from: Option<Decimal>,
    pub to: Option<Decimal>,
    pub delta: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyChange {
    pub company_id: Uuid,
    pub name: String,
    /// `added` when the company did not exist at `from`, otherwise `changed`.
    pub kind: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub from: String,
    pub to: String,
}

/// Compares the fund at `from` (state `a`) with the fund at `to` (state `b`). Only KPIs and
/// company fields that differ are listed.
pub fn diff(a: &FundState, from: DateTime<Utc>, b: &FundState, to: DateTime<Utc>) -> StateDiff {
    let kpis = kpi_changes(&a.kpis(from), &b.kpis(to));
    let mut companies = Vec::new();
    for (id, cb) in &b.companies {
        match a.companies.get(id) {
            None => companies.push(CompanyChange {
                company_id: *id,
                name: cb.name.clone(),
                kind: "added".into(),
                fields: company_fields(None, cb),
            }),
            Some(ca) => {
                let fields = company_fields(Some(ca), cb);
                if !fields.is_empty() {
                    companies.push(CompanyChange { company_id: *id, name: cb.name.clone(), kind: "changed".into(), fields });
                }
            }
        }
    }
    StateDiff { from, to, kpis, companies }
}

fn kpi_changes(a: &FundKpis, b: &FundKpis) -> Vec<KpiChange> {
    let pairs: [(&str, Option<Decimal>, Option<Decimal>); 11] = [
        ("committed", Some(a.committed), Some(b.committed)),
        ("called", Some(a.called), Some(b.called)),
        ("total_invested", Some(a.total_invested), Some(b.total_invested)),
        ("distributed", Some(a.distributed), Some(b.distributed)),
        ("nav", Some(a.nav), Some(b.nav)),
        ("reserves_planned", Some(a.reserves_planned), Some(b.reserves_planned)),
        ("reserves_deployed", Some(a.reserves_deployed), Some(b.reserves_deployed)),
        ("tvpi", a.tvpi, b.tvpi),
        ("dpi", a.dpi, b.dpi),
        ("rvpi", a.rvpi, b.rvpi),
        ("net_irr", a.net_irr, b.net_irr),
    ];
    pairs
        .into_iter()
        .filter(|(_, x, y)| x != y)
        .map(|(k, x, y)| KpiChange {
            kpi: k.to_string(),
            from: x,
            to: y,
            delta: match (x, y) {
                (Some(x), Some(y)) => Some(y - x),
                _ => None,
            },
        })
        .collect()
}

fn company_fields(a: Option<&CompanyState>, b: &CompanyState) -> Vec<FieldChange> {
    let show = |c: Option<&CompanyState>, f: fn(&CompanyState) -> String| c.map(f).unwrap_or_default();
    let getters: [(&str, fn(&CompanyState) -> String); 8] = [
        ("stage", |c| c.stage.label().to_string()),
        ("status", |c| c.status.label().to_string()),
        ("invested", |c| c.invested.to_string()),
        ("ownership", |c| c.ownership.normalize().to_string()),
        ("valuation", |c| c.valuation.map(|v| v.to_string()).unwrap_or_default()),
        ("fair_value", |c| c.fair_value().to_string()),
        ("reserves_planned", |c| c.reserves_planned.to_string()),
        ("reserves_deployed", |c| c.reserves_deployed.to_string()),
    ];
    getters
        .into_iter()
        .filter_map(|(name, f)| {
            let (x, y) = (show(a, f), f(b));
            (x != y).then(|| FieldChange { field: name.to_string(), from: x, to: y })
        })
        .collect()
}
