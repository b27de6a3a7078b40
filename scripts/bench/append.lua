-- wrk script for scripts/bench-http.sh: POST /api/funds/{id}/events with valid events.
--
--   wrk -t<T> -c<T> -d20s -s scripts/bench/append.lua http://127.0.0.1:<port> -- <per_request> <fund:company>...
--
-- Each wrk thread (give it one connection: -c equal to -t) appends to one fund, taken round-robin
-- from the list, so "16 clients on one fund" passes one pair and "16 clients on 16 funds" passes
-- sixteen. Events are ACTUAL_RECORDED for a company the script added beforehand (the bulk of a
-- real fund's events: operating metrics), cycling through the five metrics, and every 100th is a
-- CAPITAL_CALLED (a small call against a huge commitment, so it never exceeds the uncalled amount;
-- calls are rare in real funds, and each one adds a cash flow that the fund state keeps for
-- XIRR). CALL_EVERY=<n> in the environment makes every n-th a call instead: CALL_EVERY=2 is the
-- half-and-half mix of the figures before 2026-11-28. A single-event run cycles through 100 prepared requests; a batch holds <per_request>
-- such events. Effective dates default to the server's "now", so every append is chronological,
-- the common case. The response hook counts statuses per thread and done() prints one
-- machine-readable RESULT line: the caller fails the run on any non-201.

local threads = {}
local counter = 0

function setup(thread)
    thread:set("index", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

local metrics = { "REVENUE", "EBITDA", "CASH_BURN", "ARR", "VALUATION" }
local call_every = tonumber(os.getenv("CALL_EVERY") or "100")

local function event_json(i, company)
    if i % call_every == 0 then
        return '{"type":"CAPITAL_CALLED","payload":{"amount":"1000"}}'
    end
    return string.format(
        '{"type":"ACTUAL_RECORDED","payload":{"company_id":"%s","metric":"%s","value":"%d"}}',
        company, metrics[1 + i % #metrics], 100000 + i)
end

function init(args)
    per_request = tonumber(args[1])
    local pairs_given = #args - 1
    assert(per_request and per_request > 0 and pairs_given > 0, "usage: -- <per_request> <fund:company>...")
    local pair = args[2 + (index % pairs_given)]
    local fund, company = pair:match("^([^:]+):([^:]+)$")
    assert(fund and company, "bad fund:company pair " .. tostring(pair))
    local path = "/api/funds/" .. fund .. "/events"
    local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN is not set") }
    prepared = {}
    if per_request == 1 then
        for i = 1, 100 do
            prepared[i] = wrk.format("POST", path, headers, '{"events":[' .. event_json(i, company) .. ']}')
        end
    else
        local events = {}
        for i = 1, per_request do
            events[i] = event_json(i, company)
        end
        prepared[1] = wrk.format("POST", path, headers, '{"events":[' .. table.concat(events, ",") .. ']}')
    end
    next_request = 0
    statuses = {}
end

function request()
    next_request = next_request % #prepared + 1
    return prepared[next_request]
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    -- Keep one failing body per thread so the run explains itself.
    if status ~= 201 and not first_error then
        first_error = tostring(status) .. " " .. string.sub(body or "", 1, 300)
    end
end

function done(summary, latency, requests)
    local counts, ok, bad = {}, 0, 0
    local example
    for _, t in ipairs(threads) do
        for status, n in pairs(t:get("statuses") or {}) do
            counts[status] = (counts[status] or 0) + n
        end
        example = example or t:get("first_error")
    end
    local parts = {}
    for status, n in pairs(counts) do
        if status == 201 then ok = ok + n else bad = bad + n end
        table.insert(parts, status .. "=" .. n)
    end
    table.sort(parts)
    local per = threads[1]:get("per_request")
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%d ok=%d non201=%d socket_errors=%d seconds=%.2f req_per_s=%.1f " ..
        "events_per_request=%d events_per_s=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f statuses=%s\n",
        summary.requests, ok, bad, e.connect + e.read + e.write + e.timeout, seconds,
        ok / seconds, per, ok * per / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000, table.concat(parts, ",")))
    if example then
        io.write("FIRST_ERROR " .. example .. "\n")
    end
end
