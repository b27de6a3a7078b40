// Reserve runs over HTTP against a running server (see scripts/bench-reserves.sh):
//   1. POST → first `progress` event and POST → `result` event, for fresh runs (unique seeds);
// (the cached answer is measured with wrk, scripts/bench/reserves_cached.lua);
//   2. 200 SSE listeners on one long run: all receive the result, /healthz stays responsive.
// BASE_URL, TOKEN and FUND come from the environment. Loopback only; bounded in time.
const { BASE_URL, TOKEN, FUND } = process.env;
const RUNS = Number(process.env.RUNS || 30);
const ITERATIONS = Number(process.env.ITERATIONS || 10000);
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const now = () => performance.now();
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const fmt = (xs) => `p50 ${pct(xs, 50).toFixed(1)} ms  p95 ${pct(xs, 95).toFixed(1)} ms  p99 ${pct(xs, 99).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms  (n=${xs.length})`;

async function post(body) {
  const res = await fetch(`${BASE_URL}/api/funds/${FUND}/reserves/runs`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** Reads an event stream until its final event; calls onEvent(name, elapsed) for each. */
async function follow(eventsUrl, onEvent) {
  const res = await fetch(`${BASE_URL}${eventsUrl}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let i;
    while ((i = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const name = block.split('\n').find((l) => l.startsWith('event:'))?.slice(6).trim();
      if (name) {
        onEvent(name);
        if (name === 'result' || name === 'failed' || name === 'cancelled') { reader.cancel().catch(() => {}); return; }
      }
    }
  }
}

const firstProgress = [], toResult = [];
for (let i = 0; i < RUNS; i += 1) {
  const t0 = now();
  const { status, json } = await post({ iterations: ITERATIONS, seed: String(1_000_000 + Math.floor(Math.random() * 1e12)) });
  if (status !== 202) throw new Error(`POST answered ${status}: ${JSON.stringify(json)}`);
  let first = null;
  await follow(json.events_url, (name) => {
    if (name === 'progress' && first === null) first = now() - t0;
    if (name === 'result') toResult.push(now() - t0);
  });
  firstProgress.push(first ?? NaN);
}
console.log(`fresh runs, ${ITERATIONS} iterations, demo fund:`);
console.log(`  POST → first progress event: ${fmt(firstProgress)}`);
console.log(`  POST → result event:         ${fmt(toResult)}`);

const LISTENERS = Number(process.env.LISTENERS || 200);
const { json: long } = await post({ iterations: 1_000_000, seed: String(Math.floor(Math.random() * 1e12)) });
let results = 0;
const health = [], healthConnecting = [];
let connected = 0;
let watching = true;
const pinger = (async () => {
  while (watching) {
    const t0 = now();
    const res = await fetch(`${BASE_URL}/healthz`);
    await res.arrayBuffer();
    (connected < LISTENERS ? healthConnecting : health).push(now() - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
})();
const t0 = now();
await Promise.all(Array.from({ length: LISTENERS }, () => {
  let first = true;
  return follow(long.events_url, (name) => {
    if (first) { first = false; connected += 1; }
    if (name === 'result') results += 1;
  });
}));
watching = false;
await pinger;
console.log(`${LISTENERS} SSE listeners on one ${1_000_000}-iteration run: ${results} received the result after ${((now() - t0) / 1000).toFixed(1)} s`);
console.log(`  /healthz while the ${LISTENERS} connect (until each has its first event): ${fmt(healthConnecting)}`);
console.log(`  /healthz while all ${LISTENERS} listen:                              ${health.length ? fmt(health) : 'no sample'}`);
