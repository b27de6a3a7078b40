//! Sharing and tokens, between the server functions and the store (server side).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::page_data::{ApiTokenRow, LinkStatus, ShareLinkRow, SharedReport};
use super::principal::Principal;
use super::share_token::{self, ShareTokenError};
use crate::store::accounts::{ApiTokenInfo, ShareLink};
use crate::store::{Store, StoreError};
use crate::time_machine::dates::end_of;

/// Longest a share link may live.
pub const MAX_SHARE_DAYS: i64 = 365;
pub const DEFAULT_SHARE_DAYS: i64 = 30;

pub struct ShareRequest {
    pub tab: String,
    pub at: Option<String>,
    pub known_at: Option<String>,
    pub expires_in_days: Option<String>,
}

/// Why a shared report is not shown: a message for the reader, or a store failure.
#[derive(Debug)]
pub enum ShareError {
    Refused(String),
    Store(StoreError),
}

impl From<StoreError> for ShareError {
    fn from(e: StoreError) -> Self {
        ShareError::Store(e)
    }
}

pub async fn create_share_link(
    store: &Store,
    fund_id: Uuid,
    by: &Principal,
    actor: &crate::store::AuditActor,
    req: &ShareRequest,
    now: DateTime<Utc>,
) -> Result<ShareLinkRow, StoreError> {
    let days = match req.expires_in_days.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => DEFAULT_SHARE_DAYS,
        Some(raw) => match raw.parse::<i64>() {
            Ok(d) if (1..=MAX_SHARE_DAYS).contains(&d) => d,
            _ => return Err(StoreError::invalid("expires_in_days", format!("{raw:?}: give a whole number of days from 1 to {MAX_SHARE_DAYS}"))),
        },
    };
    // Resolve the dates the way the hub does (and refuse bad ones by name); known-at is kept to the day.
    let params = crate::time_machine::service::DateParams { at: req.at.clone(), known_at: req.known_at.clone(), compare: None };
    let (as_of, known_at) = crate::time_machine::service::resolve_dates(&params, now)?;
    let known_at = known_at.map(|k| end_of(k.date_naive()));
    let link = store.create_share_link(actor, fund_id, req.tab.trim(), as_of.date_naive(), known_at, by.user.id, now + Duration::days(days)).await?;
    let secret = store.server_secret(share_token::SECRET_NAME).await?;
    Ok(link_row(&secret, link, now))
}

pub async fn share_link_rows(store: &Store, fund_id: Uuid, now: DateTime<Utc>) -> Result<Vec<ShareLinkRow>, StoreError> {
    let secret = store.server_secret(share_token::SECRET_NAME).await?;
    Ok(store.share_links(fund_id).await?.iter().cloned().map(|l| link_row(&secret, l, now)).collect())
}

fn link_row(secret: &[u8], link: ShareLink, now: DateTime<Utc>) -> ShareLinkRow {
    let status = if link.revoked_at.is_some() {
        LinkStatus::Revoked
    } else if link.expires_at <= now {
        LinkStatus::Expired
    } else {
        LinkStatus::Active
    };
    ShareLinkRow {
        id: link.id,
        tab: link.tab,
        at: link.as_of,
        known_at: link.known_at.map(|k| k.date_naive()),
        path: (status == LinkStatus::Active).then(|| format!("/share/{}", share_token::sign(secret, link.id, link.expires_at))),
        created_by: link.created_by_email,
        created_at: link.created_at,
        expires_at: link.expires_at,
        status,
    }
}

/// The report behind a share token, after checking signature, expiry and revocation.
pub async fn shared_report(store: &Store, token: &str, now: DateTime<Utc>) -> Result<SharedReport, ShareError> {
    // A link signed with a retired key verifies while such a link can still be unexpired.
    let secrets = store.server_secrets_for_verifying(share_token::SECRET_NAME, Duration::days(MAX_SHARE_DAYS)).await?;
    let link_id = share_token::verify_any(&secrets, token.trim(), now).map_err(|e| {
        ShareError::Refused(match e {
            ShareTokenError::Malformed | ShareTokenError::BadSignature => "This share link is not valid: it may have been mistyped or altered.".into(),
            ShareTokenError::Expired(at) => format!("This share link expired on {}.", at.format("%-d %b %Y")),
        })
    })?;
    let Some(link) = store.share_link(link_id).await? else {
        return Err(ShareError::Refused("This share link is not valid: it may have been mistyped or altered.".into()));
    };
    if let Some(revoked) = link.revoked_at {
        return Err(ShareError::Refused(format!("This share link was revoked on {}.", revoked.format("%-d %b %Y"))));
    }
    // The stored expiry rules, not only the signed one (a link's expiry may have been shortened).
    if link.expires_at <= now {
        return Err(ShareError::Refused(format!("This share link expired on {}.", link.expires_at.format("%-d %b %Y"))));
    }
    let fund = store.fund(link.fund_id).await?;
    let at = Some(link.as_of.to_string());
    let known_at = link.known_at.map(|k| k.date_naive().to_string());
    let (dated, variance, reserves) = match link.tab.as_str() {
        "variance" => {
            let params = crate::variance::service::VarianceParams { at, known_at, metric: None, severity: None };
            (None, Some(crate::variance::service::variance_view(store, link.fund_id, &params, now).await?), None)
        }
        "reserves" => {
            let settings = leptos::prelude::use_context::<crate::reserves::ReserveSettings>().unwrap_or_default();
            let query = crate::reserves::page_data::ReservesQuery { at, known_at, ..Default::default() };
            let viewer = crate::reserves::page::Viewer { role: domain::access::Role::Viewer, name: "a share link", default_iterations: settings.default_iterations };
            let page = crate::reserves::page::reserves_page(store, link.fund_id, &query, &viewer, now).await?;
            (None, None, Some(page))
        }
        _ => {
            let params = crate::time_machine::service::DateParams { at, known_at, compare: None };
            (Some(crate::time_machine::service::dated_view(store, link.fund_id, &params, now).await?.as_ref().clone()), None, None)
        }
    };
    Ok(SharedReport {
        fund_name: fund.name,
        tab: link.tab,
        at: link.as_of,
        known_at: link.known_at.map(|k| k.date_naive()),
        expires_at: link.expires_at,
        dated,
        variance,
        reserves,
    })
}

pub fn token_row(t: ApiTokenInfo) -> ApiTokenRow {
    ApiTokenRow { id: t.id, name: t.name, max_role: t.max_role, created_at: t.created_at, last_used_at: t.last_used_at, revoked_at: t.revoked_at, expires_at: t.expires_at }
}

/// The audit-trail paging parameters (`before`: an entry id; `limit`: 1 to MAX_AUDIT_LIMIT), each
/// refused by name when malformed.
pub fn audit_paging(before: Option<&str>, limit: Option<&str>) -> Result<(Option<i64>, u32), StoreError> {
    let before = match before.map(str::trim).filter(|b| !b.is_empty()) {
        Some(raw) => Some(raw.parse::<i64>().ok().filter(|b| *b > 0).ok_or_else(|| StoreError::invalid("before", format!("{raw:?} is not an entry id")))?),
        None => None,
    };
    let max = crate::store::MAX_AUDIT_LIMIT;
    let limit = match limit.map(str::trim).filter(|l| !l.is_empty()) {
        Some(raw) => raw.parse::<u32>().ok().filter(|l| (1..=max).contains(l)).ok_or_else(|| StoreError::invalid("limit", format!("{raw:?}: give a whole number from 1 to {max}")))?,
        None => super::page_data::DEFAULT_AUDIT_LIMIT,
    };
    Ok((before, limit))
}
