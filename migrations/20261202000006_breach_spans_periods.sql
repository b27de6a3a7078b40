-- One alert per breach across periods: a company's metric that stays behind plan period after
-- period is one open alert that moves on to the newest period (domain::variance::breaches).
-- `period` stays the newest period the alert covers; `first_period` is where the breach began
-- and `periods_in_breach` how many periods it has covered. Existing alerts cover one period each.
ALTER TABLE alerts ADD COLUMN first_period DATE;
ALTER TABLE alerts ADD COLUMN periods_in_breach INTEGER NOT NULL DEFAULT 1 CHECK (periods_in_breach >= 1);
UPDATE alerts SET first_period = period;
ALTER TABLE alerts ALTER COLUMN first_period SET NOT NULL;
ALTER TABLE alerts ADD CONSTRAINT alerts_first_period_not_after_period CHECK (first_period <= period);
