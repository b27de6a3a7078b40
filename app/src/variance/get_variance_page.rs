use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::page_data::ChartData;
use super::page_data::VariancePageData;

/// Rows of the variance table per page (keyset pages follow); the CSV export has them all. The
/// heat map above the table is the overview, so a page is a screenful, not a dump.
pub const TABLE_PAGE_ROWS: usize = 50;

/// The Variance tab: the heat map, the table for the filters (`for_company` narrows it to one
/// company, as a heat-map cell does), and the chart for the picked company and metric
/// (`company`, `chart_metric`, which default to `for_company` and `metric`), or else for the
/// table's first row. `after` pages the table.
#[server(prefix = "/sfn", endpoint = "get_variance_page")]
pub async fn get_variance_page(
    fund_id: String,
    at: Option<String>,
    known_at: Option<String>,
    metric: Option<String>,
    severity: Option<String>,
    company: Option<String>,
    chart_metric: Option<String>,
    for_company: Option<String>,
    after: Option<String>,
) -> Result<VariancePageData, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Viewer).await?;
    let nonblank = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
    let company = nonblank(&company).or_else(|| nonblank(&for_company));
    let chart_metric = nonblank(&chart_metric).or_else(|| nonblank(&metric));
    let params = super::service::VarianceParams { at, known_at: known_at.clone(), metric, severity };
    let for_company_id = match for_company.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(crate::server::parse_uuid("for_company", c)?),
        None => None,
    };
    let (mut view, page) = super::service::variance_page(&store, id, &params, chrono::Utc::now(), for_company_id, after.as_deref(), TABLE_PAGE_ROWS)
        .await
        .map_err(crate::server::to_server_error)?;
    let for_company = match for_company_id {
        Some(company_id) => {
            let Some(company) = view.companies.iter().find(|o| o.id == company_id).cloned() else {
                return Err(crate::server::bad_argument("for_company", "is not a company of this fund"));
            };
            view.accuracy.retain(|a| a.company_id == company_id);
            Some(company)
        }
        None => None,
    };
    let picked = match (company.filter(|c| !c.is_empty()), chart_metric.filter(|m| !m.is_empty())) {
        (Some(c), Some(m)) => {
            let company_id = crate::server::parse_uuid("company", &c)?;
            let metric = domain::variance::csv_rows::parse_metric(&m).map_err(|e| crate::server::bad_argument("chart_metric", e))?;
            Some((company_id, metric))
        }
        _ => page.first,
    };
    let (total_rows, page_start, next_page) = (page.total, page.start, page.next);
    let chart = match picked {
        Some((company_id, metric)) => {
            let known = match known_at.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(s) => Some(crate::time_machine::dates::parse_moment(s, true).map_err(|m| crate::server::bad_argument("known_at", m))?),
                None => None,
            };
            let points = super::service::series_for(&store, id, company_id, metric, known).await.map_err(crate::server::to_server_error)?;
            let company = view.companies.iter().find(|c| c.id == company_id).map(|c| c.name.clone()).unwrap_or_default();
            Some(ChartData { company_id, company, metric, points })
        }
        None => None,
    };
    Ok(VariancePageData { view, chart, for_company, total_rows, page_start, next_page })
}
