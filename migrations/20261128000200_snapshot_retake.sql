-- When the background pass re-took an automatic snapshot that a late event invalidated (NULL: not
-- yet). The partial index holds only the pending ones, so finding work stays cheap.
ALTER TABLE fund_snapshots ADD COLUMN retaken_at TIMESTAMPTZ;
CREATE INDEX fund_snapshots_to_retake ON fund_snapshots (fund_id, effective_at)
    WHERE invalidated_by IS NOT NULL AND retaken_at IS NULL AND kind = 'automatic';
