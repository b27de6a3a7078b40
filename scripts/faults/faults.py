#!/usr/bin/env python3
"""The fault suite (issue 13), driven by scripts/faults.sh, which starts PostgreSQL and passes:
SERVER_BIN, DATABASE_URL, PG_DATADIR, PG_PORT, FAULTS_SECONDS (load per phase).

Phases, each against a server binary on loopback:
  1. kill -9 of the server under 16 clients appending single events with idempotency keys;
     restart; retry the unanswered keys -> 0 acknowledged lost, 0 duplicates, no version gaps.
  2. PostgreSQL fast-stopped for 5 s under 8 writers and 8 readers -> no 500s, the server
     recovers by itself within 5 s of the restart, every acknowledged write is stored.
  3. two server processes appending with expected_version -> contiguous versions; every 409
     carries current_version.
  4. 500 connections sending one header byte a second -> all dropped at the header timeout,
     /healthz p99 <= 50 ms meanwhile.
Prints one line per phase and exits 1 on the first broken promise. Standard library only.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

SERVER_BIN = os.environ["SERVER_BIN"]
DATABASE_URL = os.environ["DATABASE_URL"]
PG_DATADIR = os.environ["PG_DATADIR"]
PG_PORT = os.environ["PG_PORT"]
SECONDS = float(os.environ.get("FAULTS_SECONDS", "4"))
HEADER_TIMEOUT_MS = 2000
LOG_DIR = os.environ.get("FAULTS_LOG_DIR", "/tmp")
RESULTS = {}


def fail(message):
    print(f"faults: FAILED: {message}", flush=True)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name):
        self.name = name
        self.port = free_port()
        self.proc = None

    def start(self):
        env = dict(os.environ, DATABASE_URL=DATABASE_URL, BIND_ADDR=f"127.0.0.1:{self.port}", LEPTOS_SITE_ADDR=f"127.0.0.1:{self.port}",
                   COOKIE_SECURE="false", RUST_LOG="warn", HEADER_READ_TIMEOUT_MS=str(HEADER_TIMEOUT_MS), LOG_FORMAT="json")
        log = open(os.path.join(LOG_DIR, f"faults-{self.name}.log"), "ab")
        self.proc = subprocess.Popen([SERVER_BIN], env=env, stdout=log, stderr=log)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fail(f"server {self.name} exited at start (log {log.name})")
            try:
                status, _ = request(self, "GET", "/healthz", timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        fail(f"server {self.name} not healthy within 60 s")

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


TOKEN = None


def request(server, method, path, body=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if TOKEN:
        req.add_header("authorization", f"Bearer {TOKEN}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        text = e.read()
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, text.decode(errors="replace")


def psql(sql):
    out = subprocess.run(["psql", "-At", DATABASE_URL, "-c", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def pg(action):
    cmd = ["scripts/pg.sh", action, PG_DATADIR] + ([PG_PORT] if action == "start" else [])
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def call(key=None, expected=None):
    body = {"events": [{"type": "CAPITAL_CALLED", "payload": {"amount": "1"}}]}
    if key:
        body["idempotency_key"] = key
    if expected is not None:
        body["expected_version"] = expected
    return body


def history_check(fund, what):
    count, distinct, low, high = psql(f"SELECT count(*), count(DISTINCT version), min(version), max(version) FROM fund_events WHERE fund_id = '{fund}'").split("|")
    if not (int(count) == int(distinct) == int(high) - int(low) + 1):
        fail(f"{what}: versions not contiguous (count {count}, distinct {distinct}, {low}..{high})")
    return int(count)


def new_fund(server):
    status, body = request(server, "POST", "/api/funds", {"name": "Fault Fund", "size": "1000000000000", "effective_at": "2024-01-01"})
    if status != 201:
        fail(f"create fund: {status} {body}")
    return body["id"]


def phase_kill9(server):
    fund = new_fund(server)
    acked, unanswered, lock = set(), set(), threading.Lock()
    stop = threading.Event()

    def client(i):
        n = 0
        while not stop.is_set():
            key = f"k{i}-{n}"
            n += 1
            try:
                status, body = request(server, "POST", f"/api/funds/{fund}/events", call(key), timeout=5)
            except OSError:
                with lock:
                    unanswered.add(key)
                return
            with lock:
                if status == 201:
                    acked.add(key)
                else:
                    unanswered.add(key)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    time.sleep(SECONDS)
    server.kill9()
    stop.set()
    for t in threads:
        t.join()
    server.start()
    for key in sorted(unanswered):
        status, body = request(server, "POST", f"/api/funds/{fund}/events", call(key))
        if status != 201:
            fail(f"kill -9: retry of {key}: {status} {body}")
    stored = history_check(fund, "kill -9") - 1
    keys = len(acked | unanswered)
    if stored != keys:
        fail(f"kill -9: {stored} events stored for {keys} keys ({len(acked)} acknowledged before the kill)")
    RESULTS["kill9"] = {"acknowledged_before_kill": len(acked), "retried": len(unanswered), "stored": stored, "lost": 0, "duplicates": 0}
    print(f"faults: 1 kill -9: {len(acked)} acknowledged, {len(unanswered)} unanswered and retried, {stored} stored: 0 lost, 0 duplicates, no gaps", flush=True)


def phase_pg_stop(server, down_seconds):
    fund = new_fund(server)
    statuses, acked, lock = {}, set(), threading.Lock()
    stop = threading.Event()

    def worker(i, write):
        n = 0
        while not stop.is_set():
            n += 1
            key = f"p{down_seconds}-{i}-{n}"
            try:
                if write:
                    status, body = request(server, "POST", f"/api/funds/{fund}/events", call(key), timeout=15)
                else:
                    status, body = request(server, "GET", f"/api/funds/{fund}/state", timeout=15)
            except OSError as e:
                status, body = f"connection error: {e}", None
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if write and status == 201:
                    acked.add(key)
            if status != 201 and status != 200:
                time.sleep(0.05)

    threads = [threading.Thread(target=worker, args=(i, i < 8)) for i in range(16)]
    for t in threads:
        t.start()
    time.sleep(1)
    pg("stop")
    time.sleep(down_seconds)
    pg("start")
    restarted = time.time()
    recovered = None
    while time.time() - restarted < 30:
        try:
            status, _ = request(server, "GET", "/healthz", timeout=2)
        except OSError:
            status = None
        if status == 200:
            recovered = time.time() - restarted
            break
        time.sleep(0.1)
    time.sleep(1)
    stop.set()
    for t in threads:
        t.join()
    bad = {s: n for s, n in statuses.items() if s not in (200, 201, 503)}
    if bad:
        fail(f"PostgreSQL stopped {down_seconds} s: answers other than 200/201/503: {bad} (all: {statuses})")
    if recovered is None or recovered > 5:
        fail(f"PostgreSQL stopped {down_seconds} s: the server did not recover within 5 s of the restart ({recovered})")
    stored = set(psql(f"SELECT key FROM idempotency_keys WHERE fund_id = '{fund}'").split())
    lost = acked - stored
    if lost:
        fail(f"PostgreSQL stopped {down_seconds} s: {len(lost)} acknowledged writes not stored")
    history_check(fund, f"PostgreSQL stopped {down_seconds} s")
    RESULTS[f"pg_stop_{down_seconds}s"] = {"answers": {str(k): v for k, v in statuses.items()}, "recovered_after_s": round(recovered, 2), "acknowledged": len(acked), "lost": 0}
    print(f"faults: 2 PostgreSQL stopped {down_seconds} s: answers {statuses}, healthy again {recovered:.2f} s after the restart, {len(acked)} acknowledged writes all stored", flush=True)


def phase_two_processes(first):
    second = Server("second")
    second.start()
    try:
        fund = new_fund(first)
        counts, lock = {"201": 0, "409": 0}, threading.Lock()
        stop = threading.Event()

        def client(i):
            server = first if i % 2 == 0 else second
            while not stop.is_set():
                status, body = request(server, "GET", f"/api/funds/{fund}")
                version = body["version"]
                status, body = request(server, "POST", f"/api/funds/{fund}/events", call(expected=version))
                with lock:
                    if status == 201:
                        counts["201"] += 1
                    elif status == 409 and isinstance(body, dict) and isinstance(body.get("current_version"), int):
                        counts["409"] += 1
                    else:
                        stop.set()
                        counts["bad"] = f"{status} {body}"

        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        time.sleep(SECONDS)
        stop.set()
        for t in threads:
            t.join()
        if "bad" in counts:
            fail(f"two processes: {counts['bad']}")
        stored = history_check(fund, "two processes") - 1
        if stored != counts["201"]:
            fail(f"two processes: {stored} events stored, {counts['201']} acknowledged")
        RESULTS["two_processes"] = {"appended": counts["201"], "conflicts_409": counts["409"]}
        print(f"faults: 3 two processes: {counts['201']} appended, {counts['409']} answered 409 with current_version, versions contiguous", flush=True)
    finally:
        second.stop()


def phase_slow_connections(server, count=500):
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.setblocking(False)
        sockets.append(s)
    request_bytes = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
    latencies, closed_at = [], {}
    started = time.time()
    step = 0
    next_byte = time.time()
    while time.time() - started < HEADER_TIMEOUT_MS / 1000 + 4:
        if time.time() >= next_byte:
            for i, s in enumerate(sockets):
                if i in closed_at:
                    continue
                try:
                    s.send(request_bytes[step % len(request_bytes):step % len(request_bytes) + 1])
                    if s.recv(1) == b"":
                        closed_at[i] = time.time() - started
                except BlockingIOError:
                    pass
                except OSError:
                    closed_at[i] = time.time() - started
            step += 1
            next_byte += 1
        t0 = time.time()
        status, _ = request(server, "GET", "/healthz", timeout=5)
        latencies.append((time.time() - t0) * 1000)
        if status != 200:
            fail(f"slow connections: /healthz answered {status}")
        time.sleep(0.02)
    for s in sockets:
        s.close()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    if len(closed_at) < count:
        fail(f"slow connections: {count - len(closed_at)} of {count} still open {HEADER_TIMEOUT_MS / 1000 + 4:.0f} s after they started")
    if p99 > 50:
        fail(f"slow connections: /healthz p99 {p99:.1f} ms (> 50 ms)")
    RESULTS["slow_connections"] = {"connections": count, "dropped": len(closed_at), "latest_drop_s": round(max(closed_at.values()), 2), "healthz_p99_ms": round(p99, 1), "healthz_requests": len(latencies)}
    print(f"faults: 4 {count} slow connections: all dropped by {max(closed_at.values()):.1f} s (header timeout {HEADER_TIMEOUT_MS} ms); /healthz p99 {p99:.1f} ms over {len(latencies)} requests", flush=True)


def main():
    global TOKEN
    env = dict(os.environ, DATABASE_URL=DATABASE_URL, FUNDLENS_PASSWORD="faults-password-123")
    server = Server("first")
    server.start()
    subprocess.run([SERVER_BIN, "admin", "create-user", "faults@fundlens.local"], env=env, check=True, stdout=subprocess.DEVNULL)
    TOKEN = subprocess.run([SERVER_BIN, "admin", "mint-token", "faults@fundlens.local", "faults", "admin"], env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    try:
        phase_kill9(server)
        for down in [int(x) for x in os.environ.get("FAULTS_PG_DOWN", "5").split(",")]:
            phase_pg_stop(server, down)
        phase_two_processes(server)
        phase_slow_connections(server)
    finally:
        server.stop()
    print("faults: results " + json.dumps(RESULTS), flush=True)


if __name__ == "__main__":
    main()
