-- wrk script for scripts/bench-reserves.sh: the same reserve-run request again and again, so every
-- answer comes from the cache (200 with the result). FUND_ID and TOKEN come from the environment.
local fund = os.getenv("FUND_ID")
local token = os.getenv("TOKEN")
local bad = 0

request = function()
  return wrk.format("POST", "/api/funds/" .. fund .. "/reserves/runs",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, '{"seed":"42"}')
end

response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("cached answers: requests/s %.0f  p50 %.2f ms  p99 %.2f ms  max %.1f ms  non-200 %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status))
end
