-- Adaptive alert rules (domain::variance::rules::RuleSpec::adaptive): the rule fires only when a
-- miss is also outside the company's usual error band for the metric. Existing rules stay fixed.
ALTER TABLE alert_rules ADD COLUMN adaptive BOOLEAN NOT NULL DEFAULT false;
