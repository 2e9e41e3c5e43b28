#!/usr/bin/env node
/**
 * API benchmark on loopback: the local host (the same handlers Azure runs) in a child
 * process on the full embedded sample (2,000 members x 6,300 sessions), loaded from this
 * process with autocannon.
 *
 *   signal     GET /api/v1/signal?asOf=<one of 250 recent sessions>, 100 connections
 *   baseline   the same load against a bare Node http server in a child process that
 *              answers a fixed body of the same size: the floor of Node HTTP on this
 *              machine, measured in the same run, so the ratio is stable on a noisy box.
 *              The two alternate over several rounds (ABBA) and each figure is the
 *              median of its rounds, so a burst of load elsewhere on the machine cannot
 *              land on one side only; the ratio is the median of the rounds' ratios.
 *   batch      POST /api/v1/batch with 1,000 IWM.COMPOSITE-style calls (fn "field",
 *              composite.rating over 1,000 different sessions), one connection, in a loop
 *
 * Aims: signal within 2x of the baseline's req/s with p99 < 20 ms at 100 connections; a
 * 1,000-call batch in < 100 ms; zero errors.
 * Run: `npm run bench:api`. Env: BENCH_SECONDS per round (default 5), BENCH_ROUNDS (5),
 * BENCH_CONNECTIONS (100), BENCH_BATCH_ROUNDS (60).
 * The last line is one JSON object with the figures.
 */
'use strict';

const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const os = require('node:os');
const fs = require('node:fs');
const autocannon = require('autocannon');

const SECONDS = Number(process.env.BENCH_SECONDS || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 100);
const BATCH_ROUNDS = Number(process.env.BENCH_BATCH_ROUNDS || 60);
const MAIN = path.join(__dirname, '..', 'api', 'dist', 'host', 'main.js');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts a child and resolves once it prints `ready` on stdout. */
function startChild(args, env, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`child did not start in 120 s:\n${out}`)), 120_000);
    const onData = (d) => {
      out += d;
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code}:\n${out}`));
    });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

function load(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ duration: SECONDS, connections: CONNECTIONS, pipelining: 1, ...opts }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmt = (v, d = 2) => Number(v).toFixed(d);

async function main() {
  if (!fs.existsSync(MAIN)) throw new Error('api/dist is not built; run `npm run bench:api`');
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iwm-bench-'));
  const port = await freePort();
  const api = await startChild(
    [MAIN],
    {
      IWM_API_PORT: String(port),
      IWM_ADDIN_PORT: 'off',
      IWM_STORE: 'memory',
      IWM_STORE_DIR: storeDir,
      IWM_DATA_SOURCE: 'sample',
    },
    /listening on/,
  );
  const base = `http://127.0.0.1:${port}/api/v1`;
  try {
    const status = await (await fetch(`${base}/status`)).json();
    const hist = await (await fetch(`${base}/history?fields=date&from=2020-01-01`)).json();
    const dates = hist.rows.map((r) => r[0]);
    const recent = dates.slice(-250);
    const sampleBody = await (await fetch(`${base}/signal?asOf=${recent[0]}`)).text();

    // Warm up the JIT and the reading cache of the 250 sessions (what a day of use looks like).
    for (const d of recent) await fetch(`${base}/signal?asOf=${d}`).then((r) => r.text());

    const requests = recent.map((d) => ({ method: 'GET', path: `/api/v1/signal?asOf=${d}` }));

    // Baseline: a bare Node server answering the same number of bytes.
    const bport = await freePort();
    const bareSrc = `require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'application/json'});s.end(B)}).listen(${bport},'127.0.0.1',()=>console.log('ready'));`;
    const bare = await startChild(['-e', `const B=${JSON.stringify(sampleBody)};${bareSrc}`], {}, /ready/);
    const rounds = [];
    try {
      const loadSignal = () => load({ url: `http://127.0.0.1:${port}`, requests });
      const loadBaseline = () => load({ url: `http://127.0.0.1:${bport}/` });
      for (let r = 0; r < ROUNDS; r++) {
        // ABBA order, so a slow drift in the machine's load favours neither side.
        if (r % 2 === 0) {
          const signal = await loadSignal();
          rounds.push({ signal, baseline: await loadBaseline() });
        } else {
          const baseline = await loadBaseline();
          rounds.push({ signal: await loadSignal(), baseline });
        }
      }
    } finally {
      await stop(bare);
    }

    // Batch: 1,000 composite calls over different sessions per request.
    const span = dates.slice(-1000);
    const body = JSON.stringify(span.map((d) => ({ fn: 'field', args: { field: 'composite.rating', asOf: d } })));
    const times = [];
    let batchErrors = 0;
    for (let i = 0; i < BATCH_ROUNDS + 5; i++) {
      const t0 = process.hrtime.bigint();
      const res = await fetch(`${base}/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const out = await res.json();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.status !== 200 || out.length !== 1000 || out.some((o) => !('value' in o))) batchErrors++;
      if (i >= 5) times.push(ms);
    }
    times.sort((a, b) => a - b);

    const of = (side, pick) => median(rounds.map((r) => pick(r[side])));
    const fig = {
      signalRps: Math.round(of('signal', (x) => x.requests.average)),
      signalP50Ms: of('signal', (x) => x.latency.p50),
      signalP99Ms: of('signal', (x) => x.latency.p99),
      signalErrors: rounds.reduce((n, r) => n + r.signal.errors + r.signal.non2xx + r.signal.timeouts, 0),
      baselineRps: Math.round(of('baseline', (x) => x.requests.average)),
      baselineP99Ms: of('baseline', (x) => x.latency.p99),
      signalOverBaselineRps: Number(
        median(rounds.map((r) => r.baseline.requests.average / r.signal.requests.average)).toFixed(2),
      ),
      batch1000P50Ms: Number(percentile(times, 50).toFixed(2)),
      batch1000P99Ms: Number(percentile(times, 99).toFixed(2)),
      batchErrors,
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      bodyBytes: Buffer.byteLength(sampleBody),
    };
    console.log(
      `API benchmark (${status.source} data to ${status.lastBarDate}, ${status.universeMembers} members; ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s each side, medians; 2 processes on ${os.cpus().length} cores)`,
    );
    console.log(
      `  signal    ${fig.signalRps} req/s  p50 ${fmt(fig.signalP50Ms)} ms  p99 ${fmt(fig.signalP99Ms)} ms  errors ${fig.signalErrors}   (aim: p99 < 20 ms)`,
    );
    console.log(
      `  baseline  ${fig.baselineRps} req/s  p99 ${fmt(fig.baselineP99Ms)} ms  (bare Node HTTP, same body size: ${fig.bodyBytes} bytes)`,
    );
    console.log(`  ratio     baseline/signal throughput ${fmt(fig.signalOverBaselineRps)}x   (aim: < 2x)`);
    console.log(
      `  batch     1,000 calls: p50 ${fmt(fig.batch1000P50Ms)} ms  p99 ${fmt(fig.batch1000P99Ms)} ms over ${BATCH_ROUNDS} requests  errors ${batchErrors}   (aim: < 100 ms)`,
    );
    console.log(JSON.stringify(fig));
    if (fig.signalErrors || batchErrors) process.exitCode = 1;
  } finally {
    await stop(api);
    fs.rmSync(storeDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`api.bench: ${err.stack || err}`);
  process.exit(1);
});
