//! The in-memory half of `import_history`: numbers a history as the appends would have stored it,
//! validates every event as its append would have (against the fund as known at its recorded
//! time, at its effective date), and works out the alerts those appends would have raised — in
//! one pass, without reading back what was written.
//!
//! A late event (effective before the latest effective date known) must be checked against the
//! fund at its effective date, which means replaying what is known after that date. The replay
//! starts from a "settled" state: the fold of every known event effective no later than the
//! earliest effective date still to come in the history, which no later event can precede. Late
//! records in a history arrive weeks late, not years, so each replay is short, and the settled
//! state only moves forward (every event is folded into it once).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use domain::demo::GeneratedEvent;
use domain::fund::{decide, evolve, FundEvent, FundState, NewEvent};
use domain::time_machine::replay::canonical_cmp;
use domain::variance::{AlertPlan, BreachBook, ForecastIndex, ForecastVersion};
use uuid::Uuid;

use super::alert_rules::AlertRule;
use super::alerts::{actuals_in, rule_refs, variance_lines, NewAlert};
use super::append::micros;
use super::StoreError;

/// What an import writes.
pub(super) struct ImportPlan {
    /// The events as stored, in version order.
    pub events: Vec<FundEvent>,
    /// The same events in canonical (effective date, version) order.
    pub canonical: Vec<FundEvent>,
    /// The alerts the appends would have raised, in the order they would have.
    pub alerts: Vec<NewAlert>,
}

/// Numbers, validates and evaluates `history` (in recorded order; events sharing a recorded time
/// form one append). `rules` are the fund's enabled alert rules. The first error names the
/// offending event by its index in `history` (`events[i].field`).
pub(super) fn plan_import(history: &[GeneratedEvent], rules: &[AlertRule]) -> Result<ImportPlan, StoreError> {
    let (events, nows) = numbered(history);
    let appends = appends_of(&events);
    // The earliest effective date among appends[i..]: nothing recorded from append i on can
    // precede an event effective no later than this.
    let mut earliest_to_come: Vec<Option<DateTime<Utc>>> = vec![None; appends.len() + 1];
    for (i, range) in appends.iter().enumerate().rev() {
        let min = events[range.clone()].iter().map(|e| e.effective_at).min();
        earliest_to_come[i] = match (min, earliest_to_come[i + 1]) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    let mut known = KnownHistory::default();
    let mut alerts = AlertReplay::new(rules);
    for (i, range) in appends.iter().enumerate() {
        let batch = &events[range.clone()];
        known.record(batch, range.start, nows[range.start])?;
        alerts.record(batch);
        if let Some(bound) = earliest_to_come[i + 1] {
            known.settle(bound);
        }
    }
    Ok(ImportPlan { events, canonical: known.timeline, alerts: alerts.raised })
}

/// The stored form of each event: versions in recorded order, times truncated to microseconds
/// (as PostgreSQL keeps them), recorded times never going back. Also each event's "now" (its
/// recorded time as given), which `decide` compares effective dates with.
fn numbered(history: &[GeneratedEvent]) -> (Vec<FundEvent>, Vec<DateTime<Utc>>) {
    let mut events = Vec::with_capacity(history.len());
    let mut nows = Vec::with_capacity(history.len());
    let mut last_recorded = DateTime::<Utc>::MIN_UTC;
    for (i, e) in history.iter().enumerate() {
        let now = micros(e.recorded_at);
        last_recorded = last_recorded.max(now);
        events.push(FundEvent { version: i as u64 + 1, effective_at: micros(e.effective_at), recorded_at: last_recorded, payload: e.payload.clone() });
        nows.push(now);
    }
    (events, nows)
}

/// Index ranges of the appends: runs of events sharing a recorded time.
fn appends_of(events: &[FundEvent]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=events.len() {
        if i == events.len() || events[i].recorded_at != events[start].recorded_at {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// The events recorded so far, and the states validation starts from.
#[derive(Default)]
struct KnownHistory {
    /// Known events in canonical order.
    timeline: Vec<FundEvent>,
    /// How many of `timeline` are folded into `settled_state`.
    settled: usize,
    settled_state: FundState,
    /// The fold of all of `timeline`.
    latest: FundState,
}

impl KnownHistory {
    /// Validates one append's events (in version order; `first_index` is the first one's index in
    /// the history) as `append_in` does: each against the state just before it in canonical
    /// order, as known with the events before it. Then adds them.
    fn record(&mut self, batch: &[FundEvent], first_index: usize, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut new: Vec<&FundEvent> = batch.iter().collect();
        new.sort_by(|a, b| canonical_cmp(a, b));
        let first_version = batch[0].version;
        let check = |state: &FundState, e: &FundEvent| {
            let candidate = NewEvent { effective_at: e.effective_at, payload: e.payload.clone() };
            decide(state, &candidate, now).map_err(|err| StoreError::from_domain(first_index + (e.version - first_version) as usize, err))
        };
        let chronological = self.timeline.last().is_none_or(|last| new[0].effective_at >= last.effective_at);
        if chronological {
            for e in new {
                check(&self.latest, e)?;
                self.latest = evolve(std::mem::take(&mut self.latest), e);
                self.timeline.push(e.clone());
            }
            return Ok(());
        }
        // A late append: replay the unsettled events with the new ones merged in.
        let mut running = self.settled_state.clone();
        let unsettled = self.timeline.split_off(self.settled);
        let mut merged = Vec::with_capacity(unsettled.len() + new.len());
        let mut known = unsettled.into_iter().peekable();
        let mut new = new.into_iter().peekable();
        loop {
            let take_new = match (known.peek(), new.peek()) {
                (Some(k), Some(n)) => canonical_cmp(n, k).is_lt(),
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (None, None) => break,
            };
            if take_new {
                let e = new.next().expect("peeked");
                check(&running, e)?;
                running = evolve(running, e);
                merged.push(e.clone());
            } else {
                let e = known.next().expect("peeked");
                running = evolve(running, &e);
                merged.push(e);
            }
        }
        self.timeline.extend(merged);
        self.latest = running;
        Ok(())
    }

    /// Folds into the settled state every known event effective no later than `bound` (the
    /// earliest effective date still to come: later events sort after these).
    fn settle(&mut self, bound: DateTime<Utc>) {
        while let Some(e) = self.timeline.get(self.settled).filter(|e| e.effective_at <= bound) {
            self.settled_state = evolve(std::mem::take(&mut self.settled_state), e);
            self.settled += 1;
        }
    }
}

/// The alerts each append would have raised (`alerts::raise_alerts_in`), with the forecasts known
/// by then held in memory rather than read back. Escalations and resolutions fold into the alerts
/// raised earlier in the history: each is written once, as it stands at the end.
struct AlertReplay<'a> {
    rules: &'a [AlertRule],
    forecasts: HashMap<Uuid, Vec<ForecastVersion>>,
    book: BreachBook,
    raised: Vec<NewAlert>,
    position: HashMap<Uuid, usize>,
}

impl<'a> AlertReplay<'a> {
    fn new(rules: &'a [AlertRule]) -> Self {
        AlertReplay { rules, forecasts: HashMap::new(), book: BreachBook::new(), raised: Vec::new(), position: HashMap::new() }
    }

    fn record(&mut self, batch: &[FundEvent]) {
        // The append's own forecasts count: it inserts its events before evaluating.
        for e in batch {
            if let Some(f) = ForecastVersion::from_event(e) {
                self.forecasts.entry(f.company_id).or_default().push(f);
            }
        }
        if self.rules.is_empty() {
            return;
        }
        let actuals = actuals_in(batch);
        if actuals.is_empty() {
            return;
        }
        let companies: BTreeSet<Uuid> = actuals.iter().map(|a| a.company_id).collect();
        let forecasts = companies.iter().filter_map(|c| self.forecasts.get(c)).flatten().cloned();
        let index = ForecastIndex::new(forecasts);
        let lines = variance_lines(&actuals, &index);
        if lines.is_empty() {
            return;
        }
        for plan in self.book.plan(&lines, &rule_refs(self.rules), &mut Uuid::new_v4) {
            match plan {
                AlertPlan::Raise { alert_id, breach, since, periods, resolution } => {
                    self.position.insert(alert_id, self.raised.len());
                    self.raised.push(NewAlert { id: alert_id, breach, since, periods, resolution });
                }
                AlertPlan::Update { alert_id, breach, escalated, periods_added } => {
                    if let Some(&i) = self.position.get(&alert_id) {
                        let alert = &mut self.raised[i];
                        if escalated {
                            alert.breach = breach;
                        } else {
                            alert.breach.line = breach.line;
                        }
                        alert.periods += periods_added;
                    }
                }
                AlertPlan::Resolve { alert_id, note } => {
                    if let Some(&i) = self.position.get(&alert_id) {
                        self.raised[i].resolution = Some(note);
                    }
                }
            }
        }
    }
}
