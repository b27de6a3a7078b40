-- wrk script: GET the Time Machine page of one fund at dates that rotate through the fund's
-- history (a realistic scrubbing load rather than one cached URL). FUND_ID comes from the env.
local fund = os.getenv("FUND_ID")
local cookie = os.getenv("COOKIE")
local days = tonumber(os.getenv("DATES") or "1")
-- TAB: which hub tab (default time-machine); MISS=1 adds a unique parameter per request, so every
-- request misses the page cache and renders.
local tab = os.getenv("TAB") or "time-machine"
local miss = os.getenv("MISS") == "1"
local statuses = {}
local counter = 0

request = function()
  counter = counter + 1
  local at
  if days <= 1 then
    at = "2024-06-30"
  else
    -- Month ends between 2021 and 2026.
    local k = counter % days
    local year = 2021 + math.floor(k / 12) % 6
    local month = k % 12 + 1
    at = string.format("%04d-%02d-28", year, month)
  end
  local path = "/funds/" .. fund .. "/" .. tab .. "?at=" .. at
  if miss then
    path = path .. "&r=" .. counter .. "-" .. math.random(1, 1e9)
  end
  return wrk.format("GET", path, cookie and { ["Cookie"] = cookie } or nil)
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("requests/s %.0f  p50 %.1f ms  p99 %.1f ms  max %.1f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
