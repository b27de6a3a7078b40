use chrono::{DateTime, Utc};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::state::FundState;
use super::xirr::xirr;

/// The fund's headline figures at a date. Multiples are rounded to 4 places, IRR to 6.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundKpis {
    pub committed: Decimal,
    pub called: Decimal,
    pub uncalled: Decimal,
    pub total_invested: Decimal,
    pub distributed: Decimal,
    pub realized: Decimal,
    pub nav: Decimal,
    pub reserves_planned: Decimal,
    pub reserves_deployed: Decimal,
    /// (distributed + NAV) / called; absent before the first call.
    pub tvpi: Option<Decimal>,
    pub dpi: Option<Decimal>,
    pub rvpi: Option<Decimal>,
    /// Net IRR: XIRR over calls (negative), distributions and the NAV at `as_of` (positive).
    pub net_irr: Option<Decimal>,
    pub active_companies: usize,
}

impl FundState {
    pub fn kpis(&self, as_of: DateTime<Utc>) -> FundKpis {
        let nav = self.nav();
        let ratio = |num: Decimal| {
            if self.called.is_zero() {
                None
            } else {
                Some((num / self.called).round_dp(4))
            }
        };
        let mut flows: Vec<(DateTime<Utc>, f64)> = self
            .cash_flows
            .iter()
            .map(|f| (f.date, f.amount.to_f64().unwrap_or(0.0)))
            .collect();
        if !nav.is_zero() {
            flows.push((as_of, nav.to_f64().unwrap_or(0.0)));
        }
        let net_irr = xirr(&flows).and_then(Decimal::from_f64).map(|r| r.round_dp(6));
        let (reserves_planned, reserves_deployed) = self
            .companies
            .values()
            .filter(|c| c.is_active())
            .fold((Decimal::ZERO, Decimal::ZERO), |(p, d), c| (p + c.reserves_planned, d + c.reserves_deployed));
        FundKpis {
            committed: self.committed,
            called: self.called,
            uncalled: self.committed - self.called,
            total_invested: self.invested,
            distributed: self.distributed,
            realized: self.realized,
            nav,
            reserves_planned,
            reserves_deployed,
            tvpi: ratio(self.distributed + nav),
            dpi: ratio(self.distributed),
            rvpi: ratio(nav),
            net_irr,
            active_companies: self.companies.values().filter(|c| c.is_active()).count(),
        }
    }
}
