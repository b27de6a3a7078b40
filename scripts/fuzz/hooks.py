"""schemathesis hooks for scripts/fuzz-api.sh: the check that a refused request wrote nothing.

Before every write (POST, PUT, DELETE) the fund data's fingerprint is read from PostgreSQL; after
a 4xx answer it must be unchanged. The fingerprint covers what a request can change: events,
funds, members, alert rules and alerts' state, notification settings, reserve runs (how many, and
how many asked to cancel: a running worker updates their progress), scenarios, snapshots,
idempotency keys, share links, the audit trail and accounts. Sessions, token use times,
sign-in counters and `funds.revision` (the page cache's counter, which a reserve worker bumps
when a run of an earlier request finishes) are left out.

FUZZ_DATABASE_URL: the server's database (psql connection string).
"""

import os
import subprocess

import schemathesis

FINGERPRINT_SQL = """
SELECT concat_ws(' | ',
  (SELECT count(*) FROM fund_events),
  (SELECT md5(coalesce(string_agg(concat_ws(',', f.id, f.name, f.size, f.vintage, f.version, f.last_recorded_at, f.max_effective_at), ';' ORDER BY f.id), '')) FROM funds f),
  (SELECT md5(coalesce(string_agg(m::text, ',' ORDER BY m.fund_id, m.user_id), '')) FROM fund_members m),
  (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY r.id), '')) FROM alert_rules r),
  (SELECT md5(coalesce(string_agg(concat_ws(',', a.id, a.state, a.resolution_note, a.read_at, a.resolved_at, a.resolved_by), ';' ORDER BY a.id), '')) FROM alerts a),
  (SELECT md5(coalesce(string_agg(n::text, ',' ORDER BY n.fund_id), '')) FROM notification_settings n),
  (SELECT count(*) FROM reserve_runs), (SELECT count(*) FROM reserve_runs WHERE cancel_requested),
  (SELECT md5(coalesce(string_agg(s::text, ',' ORDER BY s.id), '')) FROM reserve_scenarios s),
  (SELECT count(*) FROM fund_snapshots),
  (SELECT count(*) FROM idempotency_keys),
  (SELECT md5(coalesce(string_agg(l::text, ',' ORDER BY l.id), '')) FROM share_links l),
  (SELECT count(*) FROM audit_log),
  (SELECT count(*) FROM users)
)
"""

NAMES = ["events", "funds", "members", "alert rules", "alerts", "notification settings", "reserve runs",
         "runs asked to cancel", "scenarios", "snapshots", "idempotency keys", "share links", "audit entries", "users"]
WRITES = {"POST", "PUT", "DELETE", "PATCH"}
_before = {}


def fingerprint():
    out = subprocess.run(
        ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", os.environ["FUZZ_DATABASE_URL"], "-c", FINGERPRINT_SQL],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() in WRITES:
        _before[id(case)] = fingerprint()


@schemathesis.check
def refused_requests_write_nothing(ctx, response, case):
    """A 4xx answer to a write leaves every piece of fund data as it was."""
    before = _before.pop(id(case), None)
    if before is None or not 400 <= response.status_code < 500:
        return None
    after = fingerprint()
    if after != before:
        changed = [f"{NAMES[i]}: {b} -> {a}" for i, (b, a) in enumerate(zip(before.split(" | "), after.split(" | "))) if a != b]
        raise AssertionError(f"{case.method} {case.path} answered {response.status_code} but changed stored data: {'; '.join(changed)}")
    return None
