// Is the main loop still answering? For tests/bench/bench_files.sh (issue 22, item 1): while
// wrk loads lectern with file requests, every INTERVAL ms this asks the API for the catalogue
// (GET /api/v1/videos) and opens a /ws connection, says hello and waits for the welcome —
// both answered by the same main loop that serves the files. Prints one JSON line: for each,
// how many were asked, how many failed (an error, a wrong answer or no answer within 5 s) and
// the latency p50 / p95 / max in ms.
// Usage: node --experimental-websocket probe PORT SECONDS [INTERVAL_MS=100]
const [port, secondsText, intervalText = '100'] = process.argv.slice(2);
const base = `127.0.0.1:${port}`;
const until = Date.now() + Number(secondsText) * 1000;
const interval = Number(intervalText);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const results = { api: [], ws: [] };
const failed = { api: 0, ws: 0 };

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), ms); })])
    .finally(() => clearTimeout(timer));
}

async function api() {
  const t0 = performance.now();
  const res = await fetch(`http://${base}/api/v1/videos`, { signal: AbortSignal.timeout(5000) });
  const body = await res.json();
  if (res.status !== 200 || !Array.isArray(body.videos)) throw new Error(`answer ${res.status}`);
  return performance.now() - t0;
}

function wsHello() {
  const t0 = performance.now();
  return withTimeout(new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${base}/ws`);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello' }));
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      ws.close();
      if (m.type === 'welcome') resolve(performance.now() - t0);
      else reject(new Error(`answer ${m.type}`));
    };
    ws.onerror = () => reject(new Error('websocket error'));
  }), 5000);
}

async function probe(kind, fn) {
  try {
    results[kind].push(await fn());
  } catch {
    failed[kind]++;
  }
}

const pending = [];
while (Date.now() < until) {
  pending.push(probe('api', api), probe('ws', wsHello));
  await sleep(interval);
}
await Promise.all(pending);

function figures(kind) {
  const v = results[kind].slice().sort((a, b) => a - b);
  const at = (q) => (v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))] : null);
  const r = (x) => (x === null ? null : Math.round(x * 10) / 10);
  return { asked: v.length + failed[kind], failed: failed[kind], p50: r(at(0.5)), p95: r(at(0.95)), max: r(v.length ? v[v.length - 1] : null) };
}
console.log(JSON.stringify({ api: figures('api'), ws: figures('ws') }));
process.exit(0);
