use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fund::{evolve, in_force, FundEvent, FundState};

/// The one order in which events are folded: by effective date, then by version (the order in
/// which we learned them). A late event therefore lands where it belongs in business time.
pub fn canonical_cmp(a: &FundEvent, b: &FundEvent) -> Ordering {
    (a.effective_at, a.version).cmp(&(b.effective_at, b.version))
}

/// Folds events (already in canonical order) onto a state, leaving out those a reversal among
/// them cancels (see `fund::reversal`: a selection by effective range and known version holds a
/// reversal only with the event it reverses).
pub fn replay<'a>(state: FundState, events: impl IntoIterator<Item = &'a FundEvent>) -> FundState {
    in_force(events).into_iter().fold(state, evolve)
}

/// Reference answer: the fund as of `as_of`, knowing only events up to `known_version`, by a full
/// replay. The store must give the same answer from any snapshot.
pub fn state_at(events: &[FundEvent], as_of: DateTime<Utc>, known_version: u64) -> FundState {
    let mut chosen: Vec<&FundEvent> =
        events.iter().filter(|e| e.effective_at <= as_of && e.version <= known_version).collect();
    chosen.sort_by(|a, b| canonical_cmp(a, b));
    replay(FundState::default(), chosen)
}

/// What a snapshot covers: every event with `version <= version` and `effective_at <= effective_at`
/// (that is the whole fund as known at `version`, since `effective_at` is the latest effective date
/// among those events). `invalidated_by` is the first later version whose effective date is not
/// after the snapshot's: from that knowledge on, the snapshot no longer equals a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotMeta {
    pub version: u64,
    pub effective_at: DateTime<Utc>,
    pub invalidated_by: Option<u64>,
}

impl SnapshotMeta {
    /// A snapshot can start the replay for (as_of, known_version) when all it holds qualifies and
    /// nothing that qualifies sorts before its last event without being in it. The remaining events
    /// are then exactly those with `effective_at` in (snapshot.effective_at, as_of] and
    /// `version <= known_version`.
    pub fn usable_for(&self, as_of: DateTime<Utc>, known_version: u64) -> bool {
        self.effective_at <= as_of
            && self.version <= known_version
            && self.invalidated_by.is_none_or(|v| v > known_version)
    }

    /// Whether a newly appended event invalidates this snapshot.
    pub fn invalidated_by_event(&self, effective_at: DateTime<Utc>) -> bool {
        self.invalidated_by.is_none() && effective_at <= self.effective_at
    }
}

/// The state from the best usable snapshot plus replay of what follows it, for in-memory event
/// lists (used by the property test and the demo generator). The store does the same in SQL.
pub fn state_from_snapshots(
    events: &[FundEvent],
    snapshots: &[(SnapshotMeta, FundState)],
    as_of: DateTime<Utc>,
    known_version: u64,
) -> FundState {
    let best = snapshots
        .iter()
        .filter(|(m, _)| m.usable_for(as_of, known_version))
        .max_by_key(|(m, _)| (m.effective_at, m.version));
    let (start, base) = match best {
        Some((m, s)) => (Some(m.effective_at), s.clone()),
        None => (None, FundState::default()),
    };
    let mut rest: Vec<&FundEvent> = events
        .iter()
        .filter(|e| e.version <= known_version && e.effective_at <= as_of && start.is_none_or(|t| e.effective_at > t))
        .collect();
    rest.sort_by(|a, b| canonical_cmp(a, b));
    replay(base, rest)
}
