-- Corrections: an EVENT_REVERSED event names the version it cancels in payload.reverses. Queries
-- that read events of one type (variance facts, alert forecasts, the company list, the timeline)
-- leave reversed events out with an anti-join on this index; folds do it in memory.
CREATE INDEX fund_events_reversals ON fund_events (fund_id, ((payload->>'reverses')::bigint))
    WHERE event_type = 'EVENT_REVERSED';
