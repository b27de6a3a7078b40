use chrono::{DateTime, Utc};
use domain::fund::Metric;
use domain::variance::Severity;
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The Overview's cross-feature panel: the top reserve recommendations and the open alerts at the
/// same date, each linking to its tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewPanel {
    /// The newest ranking computed for the date (None: not yet, or the feature is off).
    pub ranking_as_of: Option<DateTime<Utc>>,
    pub ranking_current: bool,
    pub recommendations: Vec<Recommendation>,
    /// Open (unresolved) alerts effective by the date, worst first, at most `MAX_ALERTS`.
    pub alerts: Vec<OpenAlert>,
    pub open_alerts: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub company: String,
    pub follow_on_multiple: f64,
    pub change: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenAlert {
    pub severity: Severity,
    pub company: String,
    pub metric: Metric,
    pub rule: String,
    pub effective_at: DateTime<Utc>,
}

/// Recommendations and alerts shown at most.
pub const MAX_ITEMS: usize = 5;

#[server(prefix = "/sfn", endpoint = "get_overview_panel")]
pub async fn get_overview_panel(fund_id: String, at: Option<String>, known_at: Option<String>) -> Result<OverviewPanel, ServerFnError> {
    use crate::reserves::run_spec::{RawRunSpec, RunSpec};
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    let features = use_context::<crate::features::Features>().unwrap_or_default();
    let raw = RawRunSpec { as_of: at, known_at, ..Default::default() };
    let spec = RunSpec::parse(&raw, 10_000, Utc::now()).map_err(crate::server::to_server_error)?;
    let mut panel = OverviewPanel { ranking_as_of: None, ranking_current: false, recommendations: Vec::new(), alerts: Vec::new(), open_alerts: 0 };
    if features.optimal_reserves {
        if let Some((run, report)) = store.latest_reserve_ranking(id, spec.as_of, spec.known_at).await.map_err(crate::server::to_server_error)? {
            let now = store.state(id, spec.as_of, spec.known_at).await.map_err(crate::server::to_server_error)?;
            panel.ranking_as_of = Some(run.as_of);
            panel.ranking_current = now.state.last_version == run.fund_version;
            panel.recommendations = report
                .companies
                .iter()
                .filter(|c| c.follow_on_not_applicable.is_none())
                .take(MAX_ITEMS)
                .map(|c| Recommendation { company: c.name.clone(), follow_on_multiple: c.follow_on_multiple, change: c.change })
                .collect();
        }
    }
    if features.variance {
        let (open, worst) = store.open_alerts_by(id, spec.as_of, MAX_ITEMS).await.map_err(crate::server::to_server_error)?;
        let companies = store.companies(id).await.map_err(crate::server::to_server_error)?;
        let name = |company_id: uuid::Uuid| companies.iter().find(|c| c.id == company_id).map(|c| c.name.clone());
        panel.open_alerts = open;
        panel.alerts = worst
            .into_iter()
            .map(|a| OpenAlert {
                severity: a.severity,
                company: name(a.company_id).unwrap_or_else(|| a.company_id.to_string()),
                metric: a.metric,
                rule: a.rule,
                effective_at: a.actual_effective_at,
            })
            .collect();
    }
    Ok(panel)
}
