-- One alert per breach (domain::variance::breaches): an alert names every rule the actual
-- breached, and escalations deliver again, as a new outbox round.

ALTER TABLE alerts ADD COLUMN rule_ids UUID[] NOT NULL DEFAULT '{}';
ALTER TABLE alerts ADD COLUMN rule_descriptions TEXT[] NOT NULL DEFAULT '{}';
UPDATE alerts SET rule_ids = CASE WHEN rule_id IS NULL THEN '{}' ELSE ARRAY[rule_id] END,
                  rule_descriptions = ARRAY[rule_description];

ALTER TABLE alert_outbox ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alert_outbox DROP CONSTRAINT alert_outbox_one_per_channel;
ALTER TABLE alert_outbox ADD CONSTRAINT alert_outbox_one_per_channel_and_round UNIQUE (alert_id, channel, round);

-- Merge the alerts one actual raised under several rules into the most severe of them (ties: the
-- earliest raised). The kept alert names every rule, is unread if any of them was, resolved only
-- if all were; the others' deliveries move to it as later rounds, so nothing is lost.
CREATE TEMPORARY TABLE alert_merge ON COMMIT DROP AS
SELECT id, keeper, position
FROM (
    SELECT id,
           first_value(id) OVER w AS keeper,
           row_number() OVER w - 1 AS position,
           count(*) OVER (PARTITION BY fund_id, actual_version) AS n
    FROM alerts
    WINDOW w AS (PARTITION BY fund_id, actual_version
                 ORDER BY CASE severity WHEN 'urgent' THEN 4 WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END DESC,
                          created_at, id)
) ranked
WHERE n > 1;

UPDATE alerts k SET
    rule_ids = m.rule_ids,
    rule_descriptions = m.rule_descriptions,
    state = m.state,
    read_at = CASE WHEN m.state = 'unread' THEN NULL ELSE COALESCE(k.read_at, m.read_at) END,
    resolved_at = CASE WHEN m.state = 'resolved' THEN COALESCE(k.resolved_at, m.resolved_at) ELSE NULL END,
    resolution_note = CASE WHEN m.state = 'resolved' THEN COALESCE(k.resolution_note, m.resolution_note) ELSE NULL END,
    resolved_by = CASE WHEN m.state = 'resolved' THEN COALESCE(k.resolved_by, m.resolved_by) ELSE NULL END
FROM (
    SELECT g.keeper,
           array_agg(a.rule_id ORDER BY g.position) FILTER (WHERE a.rule_id IS NOT NULL) AS rule_ids,
           array_agg(a.rule_description ORDER BY g.position) AS rule_descriptions,
           CASE WHEN bool_or(a.state = 'unread') THEN 'unread'
                WHEN bool_and(a.state = 'resolved') THEN 'resolved'
                ELSE 'read' END AS state,
           min(a.read_at) AS read_at,
           max(a.resolved_at) AS resolved_at,
           string_agg(a.resolution_note, ' / ' ORDER BY g.position) AS resolution_note,
           (array_agg(a.resolved_by ORDER BY g.position) FILTER (WHERE a.resolved_by IS NOT NULL))[1] AS resolved_by
    FROM alert_merge g JOIN alerts a ON a.id = g.id
    GROUP BY g.keeper
) m
WHERE k.id = m.keeper;

UPDATE alert_outbox o SET alert_id = g.keeper, round = g.position
FROM alert_merge g WHERE o.alert_id = g.id AND g.position > 0;

DELETE FROM alerts a USING alert_merge g WHERE a.id = g.id AND g.position > 0;

-- One actual raises at most one alert now.
ALTER TABLE alerts DROP CONSTRAINT alerts_one_per_rule_and_actual;
ALTER TABLE alerts ADD CONSTRAINT alerts_one_per_actual UNIQUE (fund_id, actual_version);

-- The open alerts of a breach, read on every actual that can raise one.
CREATE INDEX alerts_open_by_breach ON alerts (fund_id, company_id, metric, period) WHERE state <> 'resolved';
