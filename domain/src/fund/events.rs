use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::state::{ActualSource, Metric, Stage};
use crate::error::DomainError;
use crate::reserves::ReserveAssumptions;

/// A stored fact about a fund. `effective_at` is when it is true in the business; `recorded_at`
/// when we learned it (set by the server, non-decreasing with `version`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundEvent {
    pub version: u64,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    #[serde(flatten)]
    pub payload: EventPayload,
}

/// An event a caller wants to append; the store gives it a version and a recorded time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub effective_at: DateTime<Utc>,
    #[serde(flatten)]
    pub payload: EventPayload,
}

/// Every kind of fact, with its payload. Serialised as `{"type": "INVESTMENT_MADE", "payload": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventPayload {
    FundCreated(FundCreated),
    CompanyAdded(CompanyAdded),
    InvestmentMade(InvestmentMade),
    ValuationUpdated(ValuationUpdated),
    CapitalCalled(CapitalCalled),
    DistributionMade(DistributionMade),
    ReserveAllocated(ReserveAllocated),
    ForecastCreated(ForecastCreated),
    ActualRecorded(ActualRecorded),
    CompanyExited(CompanyExited),
    CompanyWrittenOff(CompanyWrittenOff),
    /// The fund's reserve-model assumptions from now on; replaces the previous set as a whole. Boxed:
    /// the set is ~1 KB, and unboxed it would make every event in a replay that large.
    ReserveAssumptionsSet(Box<ReserveAssumptions>),
    /// A correction: the event with version `reverses` is cancelled, from that event's own
    /// effective moment, for everyone who knows this one (see `fund::reversal`).
    EventReversed(EventReversed),
}

/// The event types as stored in `fund_events.event_type`.
pub const EVENT_TYPES: [&str; 13] = [
    "FUND_CREATED",
    "COMPANY_ADDED",
    "INVESTMENT_MADE",
    "VALUATION_UPDATED",
    "CAPITAL_CALLED",
    "DISTRIBUTION_MADE",
    "RESERVE_ALLOCATED",
    "FORECAST_CREATED",
    "ACTUAL_RECORDED",
    "COMPANY_EXITED",
    "COMPANY_WRITTEN_OFF",
    "RESERVE_ASSUMPTIONS_SET",
    "EVENT_REVERSED",
];

/// Payload schema version written for new events. Bump per type when a payload changes shape, and
/// teach [`EventPayload::from_stored`] to upcast the older version.
pub const CURRENT_SCHEMA_VERSION: i32 = 1;

impl EventPayload {
    pub fn event_type(&self) -> &'static str {
        match self {
            EventPayload::FundCreated(_) => "FUND_CREATED",
            EventPayload::CompanyAdded(_) => "COMPANY_ADDED",
            EventPayload::InvestmentMade(_) => "INVESTMENT_MADE",
            EventPayload::ValuationUpdated(_) => "VALUATION_UPDATED",
            EventPayload::CapitalCalled(_) => "CAPITAL_CALLED",
            EventPayload::DistributionMade(_) => "DISTRIBUTION_MADE",
            EventPayload::ReserveAllocated(_) => "RESERVE_ALLOCATED",
            EventPayload::ForecastCreated(_) => "FORECAST_CREATED",
            EventPayload::ActualRecorded(_) => "ACTUAL_RECORDED",
            EventPayload::CompanyExited(_) => "COMPANY_EXITED",
            EventPayload::CompanyWrittenOff(_) => "COMPANY_WRITTEN_OFF",
            EventPayload::ReserveAssumptionsSet(_) => "RESERVE_ASSUMPTIONS_SET",
            EventPayload::EventReversed(_) => "EVENT_REVERSED",
        }
    }

    /// The company the event is about, if any.
    pub fn company_id(&self) -> Option<Uuid> {
        match self {
            EventPayload::CompanyAdded(p) => Some(p.company_id),
            EventPayload::InvestmentMade(p) => Some(p.company_id),
            EventPayload::ValuationUpdated(p) => Some(p.company_id),
            EventPayload::DistributionMade(p) => p.company_id,
            EventPayload::ReserveAllocated(p) => Some(p.company_id),
            EventPayload::ForecastCreated(p) => Some(p.company_id),
            EventPayload::ActualRecorded(p) => Some(p.company_id),
            EventPayload::CompanyExited(p) => Some(p.company_id),
            EventPayload::CompanyWrittenOff(p) => Some(p.company_id),
            EventPayload::FundCreated(_)
            | EventPayload::CapitalCalled(_)
            | EventPayload::ReserveAssumptionsSet(_)
            | EventPayload::EventReversed(_) => None,
        }
    }

    /// The payload as stored in the `payload` JSONB column (without the type tag).
    pub fn to_stored(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut map)) => map.remove("payload").unwrap_or_default(),
            // Serialising plain data structs cannot fail or produce anything but an object.
            _ => serde_json::Value::Null,
        }
    }

    /// `from_stored` from the payload's JSON text, in one pass: building a `serde_json::Value`
    /// first was most of the time a replay spent decoding events.
    pub fn from_stored_text(event_type: &str, schema_version: i32, payload: &str) -> Result<Self, DomainError> {
        if schema_version != CURRENT_SCHEMA_VERSION {
            // Upcasters work on the JSON value.
            let value: serde_json::Value =
                serde_json::from_str(payload).map_err(|e| DomainError::invalid("payload", format!("{event_type}: {e}")))?;
            return Self::from_stored(event_type, schema_version, value);
        }
        let tag = serde_json::to_string(event_type).map_err(|e| DomainError::invalid("type", e.to_string()))?;
        // The tag first: serde then decodes the payload straight into its variant's type.
        let tagged = format!("{{\"type\":{tag},\"payload\":{payload}}}");
        serde_json::from_str(&tagged).map_err(|e| DomainError::invalid("payload", format!("{event_type}: {e}")))
    }

    /// Rebuilds a payload from its stored form, upcasting older schema versions.
    pub fn from_stored(
        event_type: &str,
        schema_version: i32,
        payload: serde_json::Value,
    ) -> Result<Self, DomainError> {
        if schema_version != CURRENT_SCHEMA_VERSION {
            return Err(DomainError::invalid(
                "schema_version",
                format!("no upcaster from version {schema_version} of {event_type}"),
            ));
        }
        let tagged = serde_json::json!({ "type": event_type, "payload": payload });
        serde_json::from_value(tagged)
            .map_err(|e| DomainError::invalid("payload", format!("{event_type}: {e}")))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundCreated {
    pub name: String,
    /// Committed capital.
    #[serde(deserialize_with = "crate::amount::strict")]
    pub size: Decimal,
    #[serde(default)]
    pub vintage: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyAdded {
    pub company_id: Uuid,
    pub name: String,
    pub stage: Stage,
    #[serde(default)]
    pub sector: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvestmentMade {
    pub company_id: Uuid,
    #[serde(deserialize_with = "crate::amount::strict")]
    pub amount: Decimal,
    /// The fund's fully diluted ownership after this round.
    #[serde(default)]
    #[serde(deserialize_with = "crate::amount::strict_option")]
    pub ownership: Option<Decimal>,
    /// Post-money valuation of the round; sets the company's valuation.
    #[serde(default)]
    #[serde(deserialize_with = "crate::amount::strict_option")]
    pub post_money: Option<Decimal>,
    /// The round's stage, when the company moved up.
    #[serde(default)]
    pub stage: Option<Stage>,
    /// Follow-on cheques draw on the company's planned reserves.
    #[serde(default)]
    pub follow_on: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValuationUpdated {
    pub company_id: Uuid,
    #[serde(deserialize_with = "crate::amount::strict")]
    pub post_money: Decimal,
    #[serde(default)]
    #[serde(deserialize_with = "crate::amount::strict_option")]
    pub ownership: Option<Decimal>,
    #[serde(default)]
    pub stage: Option<Stage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapitalCalled {
    #[serde(deserialize_with = "crate::amount::strict")]
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionMade {
    #[serde(deserialize_with = "crate::amount::strict")]
    pub amount: Decimal,
    /// The company whose proceeds are distributed, when known.
    #[serde(default)]
    pub company_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveAllocated {
    pub company_id: Uuid,
    /// The company's planned follow-on reserve from now on (replaces the previous plan).
    #[serde(deserialize_with = "crate::amount::strict")]
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastCreated {
    pub company_id: Uuid,
    pub metric: Metric,
    /// Last day of the forecast period.
    pub period: NaiveDate,
    #[serde(deserialize_with = "crate::amount::strict")]
    pub value: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActualRecorded {
    pub company_id: Uuid,
    pub metric: Metric,
    /// Last day of the period the actual covers; defaults to the event's effective date.
    #[serde(default)]
    pub period: Option<NaiveDate>,
    #[serde(deserialize_with = "crate::amount::strict")]
    pub value: Decimal,
    #[serde(default)]
    pub source: ActualSource,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyExited {
    pub company_id: Uuid,
    /// The fund's share of the sale proceeds.
    #[serde(deserialize_with = "crate::amount::strict")]
    pub proceeds: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyWrittenOff {
    pub company_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventReversed {
    /// The version of the event this one cancels.
    pub reverses: u64,
    /// Why, in the words of whoever corrected it (shown in the event list).
    pub reason: String,
}
