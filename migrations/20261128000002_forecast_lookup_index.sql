-- Every append that records actuals looks up the forecasts of those companies (to raise variance
-- alerts in the same transaction). Without this index that lookup read every event of the fund,
-- so an append cost grew with the fund's history. Forecasts are a small share of the events, so
-- the partial index stays small and costs nothing on the other inserts.
CREATE INDEX fund_events_forecasts ON fund_events (fund_id, company_id) WHERE event_type = 'FORECAST_CREATED';
