#!/usr/bin/env node
/**
 * Engine benchmark: full-history recompute of every layer for IWM + SPY + a 2,000-member
 * universe over 6,300 sessions (about 25 years), compared with
 *   (a) hand: an independent, hand-written Float64Array loop computing the same breadth
 *       (pct50/pct200) and primary indicators (EMA21, EMA63, ATR14, ROC10, ROC21,
 *       benchmark ROC10, SMA20 of volume, SMA50 of the IWM/SPY ratio). It computes far
 *       less than the engine (no layers, composite, levels, overlay): it is the floor.
 *   (b) ti: the same indicators through the `technicalindicators` package, per member,
 *       on plain arrays, the way a typical user would write it.
 *
 * Targets: engine <= 1.5 x hand, ti >= 10 x engine.
 *
 * Run: `npm run bench` (builds api/dist/ first), or
 *      `npx tsc -p tsconfig.build.json && node --expose-gc bench/engine.bench.js`.
 * Env: BENCH_WARMUP (default 2), BENCH_ROUNDS (default 9), BENCH_INNER (default 3: timings
 *      of engine and hand per round), BENCH_MEMBERS (default 2000), BENCH_SESSIONS (default 6300),
 *      BENCH_LOCAL_DATA=1 (use the bench's own fallback generator instead of generateSample).
 *
 * The last line of output is one JSON object:
 * {"engineMs":..,"handMs":..,"tiMs":..,"engineOverHand":..,"tiOverEngine":..,"peakMb":..}
 */
'use strict';

const path = require('path');
const fs = require('fs');

const DIST = path.join(__dirname, '..', 'api', 'dist');
const WARMUP = intEnv('BENCH_WARMUP', 2);
const ROUNDS = intEnv('BENCH_ROUNDS', 9);
/** Timings per round of the fast candidates (engine, hand); ti runs once per round. */
const INNER = Math.max(1, intEnv('BENCH_INNER', 3));
const MEMBERS = intEnv('BENCH_MEMBERS', 2000);
const SESSIONS = intEnv('BENCH_SESSIONS', 6300);
/** A ti round slower than this is measured on TI_SLOW_ROUNDS rounds only. */
const TI_SLOW_MS = 20000;
const TI_SLOW_ROUNDS = 3;
const ENGINE_OVER_HAND_TARGET = 1.5;
const TI_OVER_ENGINE_TARGET = 10;

function intEnv(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer (got ${v})`);
  return n;
}

if (typeof global.gc !== 'function') {
  console.error('engine.bench: run with node --expose-gc (npm run bench does)');
  process.exit(2);
}
if (!fs.existsSync(path.join(DIST, 'engine', 'index.js'))) {
  console.error('engine.bench: api/dist/ not built; run `npm run bench` or `npx tsc -p tsconfig.build.json` first');
  process.exit(2);
}

const engine = require(path.join(DIST, 'engine'));
const ti = require('technicalindicators');

// ---- memory ----------------------------------------------------------------------------
let peakRss = 0;
function sampleRss() {
  const rss = process.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
}

// ---- data ------------------------------------------------------------------------------

/**
 * LOCAL FALLBACK GENERATOR, used only when api/dist/data/sample.js is missing.
 * Not the product's sample data: geometric random walks for IWM/SPY with plausible
 * bars, and members that follow IWM with beta + idiosyncratic noise, ~25 % listing
 * late, ~15 % delisting early and ~3 % with a short halt (a gap in their days), so the
 * breadth pass sees the same shapes as with the real generator.
 */
function localSample(sessions, members) {
  let s = 0x2545f491;
  const u = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const bars = (rets, start, volBase) => {
    const n = rets.length;
    const b = {
      dates: new Int32Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n),
    };
    let c = start;
    for (let t = 0, day = 10957; t < n; t++) {
      do day++;
      while ((day + 4) % 7 === 0 || (day + 4) % 7 === 6); // weekdays only (day 0 = Thursday)
      const o = Math.round(c * (1 + 0.002 * normal()) * 100) / 100;
      c = Math.round(c * Math.exp(rets[t]) * 100) / 100;
      b.dates[t] = day;
      b.open[t] = o;
      b.close[t] = c;
      b.high[t] = Math.max(o, c) + Math.round(c * 0.006 * -Math.log(1 - u()) * 100) / 100;
      b.low[t] = Math.min(o, c) - Math.round(c * 0.006 * -Math.log(1 - u()) * 100) / 100;
      b.volume[t] = Math.round(volBase * Math.exp(0.3 * normal()));
    }
    return b;
  };
  const mkt = new Float64Array(sessions);
  const iwmRet = new Float64Array(sessions);
  for (let t = 0; t < sessions; t++) {
    mkt[t] = 0.0003 + 0.011 * normal();
    iwmRet[t] = 1.2 * mkt[t] + 0.006 * normal();
  }
  const primary = bars(iwmRet, 48, 3e7);
  const benchmark = bars(mkt, 145, 9e7);
  const offsets = new Int32Array(members + 1);
  const dayList = [];
  const closeList = [];
  for (let m = 0; m < members; m++) {
    const first = u() < 0.25 ? Math.floor(u() * sessions * 0.8) : 0;
    const last = u() < 0.15 ? first + Math.floor(u() * (sessions - first)) : sessions - 1;
    const haltAt = u() < 0.03 ? first + Math.floor(u() * (last - first)) : -1;
    const beta = 0.6 + u();
    let lp = Math.log(5 + 60 * u());
    for (let t = first; t <= last; t++) {
      lp += beta * iwmRet[t] + 0.02 * normal();
      if (haltAt >= 0 && t >= haltAt && t < haltAt + 10) continue;
      dayList.push(t);
      closeList.push(Math.max(0.01, Math.round(Math.exp(lp) * 100) / 100));
    }
    offsets[m + 1] = dayList.length;
  }
  const universe = {
    kind: 'universe',
    symbols: Array.from({ length: members }, (_, m) => `M${m}`),
    offsets,
    dayIndex: Int32Array.from(dayList),
    close: Float64Array.from(closeList),
  };
  return { source: 'local-fallback', primary, benchmark, universe };
}

function loadData() {
  const samplePath = path.join(DIST, 'data', 'sample.js');
  if (process.env.BENCH_LOCAL_DATA !== '1' && fs.existsSync(samplePath)) {
    const { generateSample } = require(samplePath);
    const d = generateSample({ sessions: SESSIONS, members: MEMBERS });
    return { data: d, label: 'generateSample (api/dist/data/sample.js)' };
  }
  return {
    data: localSample(SESSIONS, MEMBERS),
    label: `LOCAL FALLBACK generator in bench/engine.bench.js (${fs.existsSync(samplePath) ? 'BENCH_LOCAL_DATA=1' : 'sample.js not built'})`,
  };
}

function loadEvents() {
  const calPath = path.join(DIST, 'data', 'calendar.js');
  if (fs.existsSync(calPath)) {
    const cal = require(calPath);
    if (Array.isArray(cal.DEFAULT_EVENTS)) return { events: cal.DEFAULT_EVENTS, label: 'DEFAULT_EVENTS' };
  }
  return { events: [], label: 'none (no DEFAULT_EVENTS)' };
}

// ---- (a) hand-written loop -------------------------------------------------------------

/**
 * Breadth of the packed universe in one pass over the closes. Tight but plain:
 * - the warm-up of each member is peeled into its own loops, so the steady-state loop
 *   has no look-back branches;
 * - the four per-session counters live interleaved in one Int32Array (above50,
 *   counted50, above200, counted200 for a day share a cache line);
 * - "close above its SMA" is added as 0/1 instead of branched on.
 * The arithmetic order of the running sums ((sum + c) - leaving) and the comparison
 * c > sum / n follow SIGNALS.md literally, so the counts are exact, not approximately equal.
 */
function handBreadth(offsets, dayIndex, close, n) {
  const acc = new Int32Array(4 * n); // [above50, counted50, above200, counted200] per day
  const members = offsets.length - 1;
  for (let m = 0; m < members; m++) {
    const start = offsets[m];
    const end = offsets[m + 1];
    let s50 = 0;
    let s200 = 0;
    let j = start;
    // bars 0..48: sums only
    const e49 = Math.min(end, start + 49);
    for (; j < e49; j++) {
      const c = close[j];
      s50 += c;
      s200 += c;
    }
    // bar 49: first SMA50, nothing leaves yet
    if (j < end) {
      const c = close[j];
      s50 += c;
      s200 += c;
      const d = dayIndex[j] << 2;
      acc[d] += (c > s50 / 50) | 0;
      acc[d + 1]++;
      j++;
    }
    // bars 50..198: SMA50 rolls, SMA200 still filling
    const e199 = Math.min(end, start + 199);
    for (; j < e199; j++) {
      const c = close[j];
      s50 = s50 + c - close[j - 50];
      s200 += c;
      const d = dayIndex[j] << 2;
      acc[d] += (c > s50 / 50) | 0;
      acc[d + 1]++;
    }
    // bar 199: first SMA200
    if (j < end) {
      const c = close[j];
      s50 = s50 + c - close[j - 50];
      s200 += c;
      const d = dayIndex[j] << 2;
      acc[d] += (c > s50 / 50) | 0;
      acc[d + 1]++;
      acc[d + 2] += (c > s200 / 200) | 0;
      acc[d + 3]++;
      j++;
    }
    // steady state
    for (; j < end; j++) {
      const c = close[j];
      s50 = s50 + c - close[j - 50];
      s200 = s200 + c - close[j - 200];
      const d = dayIndex[j] << 2;
      acc[d] += (c > s50 / 50) | 0;
      acc[d + 1]++;
      acc[d + 2] += (c > s200 / 200) | 0;
      acc[d + 3]++;
    }
  }
  const pct50 = new Float64Array(n);
  const pct200 = new Float64Array(n);
  for (let t = 0, d = 0; t < n; t++, d += 4) {
    const k50 = acc[d + 1];
    const k200 = acc[d + 3];
    pct50[t] = k50 > 0 ? (100 * acc[d]) / k50 : NaN;
    pct200[t] = k200 > 0 ? (100 * acc[d + 2]) / k200 : NaN;
  }
  return { pct50, pct200 };
}

function nanArray(n) {
  return new Float64Array(n).fill(NaN);
}

/** SMA(x, p) with TA-Lib indexing; NaN before index p-1. */
function handSma(x, p) {
  const n = x.length;
  const out = nanArray(n);
  if (n < p) return out;
  let s = 0;
  for (let i = 0; i < p; i++) s += x[i];
  out[p - 1] = s / p;
  for (let t = p; t < n; t++) {
    s += x[t] - x[t - p];
    out[t] = s / p;
  }
  return out;
}

function handEma(x, p) {
  const n = x.length;
  const out = nanArray(n);
  if (n < p) return out;
  const a = 2 / (p + 1);
  const b = 1 - a;
  let s = 0;
  for (let i = 0; i < p; i++) s += x[i];
  let e = s / p;
  out[p - 1] = e;
  for (let t = p; t < n; t++) {
    e = a * x[t] + b * e;
    out[t] = e;
  }
  return out;
}

function handRoc(x, p) {
  const n = x.length;
  const out = nanArray(n);
  for (let t = p; t < n; t++) out[t] = (x[t] / x[t - p] - 1) * 100;
  return out;
}

/** Wilder ATR: mean of TR[1..p] at index p, then (prev*(p-1)+TR)/p. TR computed inline. */
function handAtr(h, l, c, p) {
  const n = c.length;
  const out = nanArray(n);
  if (n <= p) return out;
  let s = 0;
  let a = 0;
  for (let t = 1; t < n; t++) {
    const pc = c[t - 1];
    const hl = h[t] - l[t];
    const hc = Math.abs(h[t] - pc);
    const lc = Math.abs(l[t] - pc);
    const tr = hl > hc ? (hl > lc ? hl : lc) : hc > lc ? hc : lc;
    if (t < p) {
      s += tr;
    } else if (t === p) {
      a = (s + tr) / p;
      out[t] = a;
    } else {
      a = (a * (p - 1) + tr) / p;
      out[t] = a;
    }
  }
  return out;
}

function runHand(input) {
  const { high, low, close, volume } = input.primary;
  const bClose = input.benchmarkClose;
  const n = close.length;
  const u = input.breadth;
  const breadth = handBreadth(u.offsets, u.dayIndex, u.close, n);
  const ratio = new Float64Array(n);
  for (let t = 0; t < n; t++) ratio[t] = close[t] / bClose[t];
  return {
    pct50: breadth.pct50,
    pct200: breadth.pct200,
    ema21: handEma(close, 21),
    ema63: handEma(close, 63),
    atr14: handAtr(high, low, close, 14),
    roc10: handRoc(close, 10),
    roc21: handRoc(close, 21),
    rocB10: handRoc(bClose, 10),
    volSma20: handSma(volume, 20),
    ratioSma50: handSma(ratio, 50),
  };
}

// ---- (b) technicalindicators -----------------------------------------------------------

/** Plain-array inputs a typical user would hold (built once, outside the timing). */
function tiInputs(input) {
  const u = input.breadth;
  const members = [];
  for (let m = 0; m + 1 < u.offsets.length; m++) {
    const a = u.offsets[m];
    const b = u.offsets[m + 1];
    members.push({ days: Array.from(u.dayIndex.subarray(a, b)), closes: Array.from(u.close.subarray(a, b)) });
  }
  const p = input.primary;
  return {
    n: p.close.length,
    members,
    high: Array.from(p.high),
    low: Array.from(p.low),
    close: Array.from(p.close),
    volume: Array.from(p.volume),
    bClose: Array.from(input.benchmarkClose),
  };
}

function runTi(x) {
  const n = x.n;
  const above50 = new Array(n).fill(0);
  const counted50 = new Array(n).fill(0);
  const above200 = new Array(n).fill(0);
  const counted200 = new Array(n).fill(0);
  for (const { days, closes } of x.members) {
    const sma50 = ti.SMA.calculate({ period: 50, values: closes });
    const sma200 = ti.SMA.calculate({ period: 200, values: closes });
    // ti returns only the defined values: sma50[0] belongs to bar 49.
    for (let i = 0; i < sma50.length; i++) {
      const k = i + 49;
      counted50[days[k]]++;
      if (closes[k] > sma50[i]) above50[days[k]]++;
    }
    for (let i = 0; i < sma200.length; i++) {
      const k = i + 199;
      counted200[days[k]]++;
      if (closes[k] > sma200[i]) above200[days[k]]++;
    }
  }
  const pct50 = counted50.map((c, t) => (c > 0 ? (100 * above50[t]) / c : NaN));
  const pct200 = counted200.map((c, t) => (c > 0 ? (100 * above200[t]) / c : NaN));
  const ratio = x.close.map((c, t) => c / x.bClose[t]);
  return {
    pct50,
    pct200,
    ema21: ti.EMA.calculate({ period: 21, values: x.close }),
    ema63: ti.EMA.calculate({ period: 63, values: x.close }),
    atr14: ti.ATR.calculate({ period: 14, high: x.high, low: x.low, close: x.close }),
    roc10: ti.ROC.calculate({ period: 10, values: x.close }),
    roc21: ti.ROC.calculate({ period: 21, values: x.close }),
    rocB10: ti.ROC.calculate({ period: 10, values: x.bClose }),
    volSma20: ti.SMA.calculate({ period: 20, values: x.volume }),
    ratioSma50: ti.SMA.calculate({ period: 50, values: ratio }),
  };
}

// ---- checks ----------------------------------------------------------------------------

/** Same length and every value equal, both NaN, or within `tol` relative. Returns worst diff. */
function compareSeries(name, got, want, tol) {
  if (got.length !== want.length) throw new Error(`check ${name}: length ${got.length} != ${want.length}`);
  let worst = 0;
  for (let t = 0; t < want.length; t++) {
    const g = got[t];
    const w = want[t];
    if (Number.isNaN(g) && Number.isNaN(w)) continue;
    if (Number.isNaN(g) !== Number.isNaN(w)) throw new Error(`check ${name}: index ${t}: hand ${g}, engine ${w}`);
    const diff = Math.abs(g - w) / Math.max(1, Math.abs(w));
    if (diff > worst) worst = diff;
    if (diff > tol) throw new Error(`check ${name}: index ${t}: hand ${g}, engine ${w} (rel diff ${diff})`);
  }
  return worst;
}

function checkHandAgainstEngine(hand, hist) {
  const mom = hist.momentum;
  const volAvg = mom.volumeNeeded.map((v) => (v * 3) / hist.profile.momentum.volumeWindow);
  const pairs = [
    ['breadth.pct50', hand.pct50, hist.breadth.pct50],
    ['breadth.pct200', hand.pct200, hist.breadth.pct200],
    ['trend.fast (EMA21)', hand.ema21, hist.trend.fast],
    ['trend.slow (EMA63)', hand.ema63, hist.trend.slow],
    ['atr (ATR14)', hand.atr14, hist.atr],
    ['momentum.rocShort (ROC10)', hand.roc10, mom.rocShort],
    ['momentum.rocLong (ROC21)', hand.roc21, mom.rocLong],
    ['rs.benchmarkRoc (ROC10 B)', hand.rocB10, hist.rs.benchmarkRoc],
    ['volume SMA20 (from volumeNeeded)', hand.volSma20, volAvg],
    ['rotation.ratioSma (SMA50)', hand.ratioSma50, hist.rotation.ratioSma],
  ];
  const out = [];
  for (const [name, got, want] of pairs) out.push([name, compareSeries(name, got, want, 1e-9)]);
  return out;
}

/** How far ti's breadth is from the engine's (informational: ti sums in another order). */
function tiBreadthDiff(tiRes, hist) {
  let sessions = 0;
  let worst = 0;
  for (const [a, b] of [
    [tiRes.pct50, hist.breadth.pct50],
    [tiRes.pct200, hist.breadth.pct200],
  ]) {
    for (let t = 0; t < b.length; t++) {
      if (Number.isNaN(a[t]) && Number.isNaN(b[t])) continue;
      const d = Math.abs(a[t] - b[t]);
      if (!(d <= 1e-9)) {
        sessions++;
        if (d > worst || Number.isNaN(d)) worst = d;
      }
    }
  }
  return { sessions, worst };
}

// ---- timing ----------------------------------------------------------------------------

function timeIt(fn) {
  global.gc();
  const t0 = process.hrtime.bigint();
  const result = fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  sampleRss();
  return { ms, result };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const pad = (s, w) => String(s).padStart(w);
const padEnd = (s, w) => String(s).padEnd(w);

// ---- main ------------------------------------------------------------------------------

function main() {
  const wall0 = Date.now();
  sampleRss();
  const { data, label: dataLabel } = loadData();
  const { events, label: eventLabel } = loadEvents();
  const input = {
    primary: data.primary,
    benchmarkClose: data.benchmark.close,
    breadth: data.universe,
    events,
  };
  const profile = engine.PRESETS.iwm;
  sampleRss();
  const tiX = tiInputs(input);
  sampleRss();

  const n = input.primary.dates.length;
  const u = input.breadth;
  const memberCount = u.offsets.length - 1;
  console.log('IWM signal engine benchmark: full-history recompute of every layer');
  console.log(`  data     : ${dataLabel}, source=${data.source}`);
  console.log(
    `  size     : ${n} sessions, ${memberCount} members, ${u.close.length.toLocaleString('en-US')} member bars, ${events.length} events (${eventLabel})`,
  );
  console.log(
    `  node     : ${process.version}, ${require('os').cpus().length} CPUs, ${WARMUP} warm-up + ${ROUNDS} measured rounds (engine/hand x${INNER} per round)`,
  );

  // Apples to apples: the hand loop must produce the engine's numbers (outside timing).
  const hist0 = engine.computeHistory(input, profile);
  const hand0 = runHand(input);
  const checks = checkHandAgainstEngine(hand0, hist0);
  sampleRss();
  console.log(
    '  check    : hand loop == engine (max rel diff): ' +
      checks.map(([k, v]) => `${k.split(' ')[0]} ${v === 0 ? '0' : v.toExponential(1)}`).join(', '),
  );

  const runs = {
    engine: () => engine.computeHistory(input, profile),
    hand: () => runHand(input),
    ti: () => runTi(tiX),
    // Informational: the engine's breadth pass alone, to split engine time into
    // breadth vs everything else (not part of the targets).
    'engine.breadth': () => engine.universeBreadth(u, n, profile.breadth.shortPeriod, profile.breadth.longPeriod),
  };
  const order = ['engine', 'hand', 'ti', 'engine.breadth'];
  const times = { engine: [], hand: [], ti: [], 'engine.breadth': [] };
  let tiRounds = ROUNDS;
  let tiSlow = false;
  let lastTi = null;
  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    const warm = r < WARMUP;
    const measured = r - WARMUP;
    // Rotate the order each round so no candidate always runs right after another. The
    // fast candidates run INNER times per round (interleaved), ti once: more samples
    // for the millisecond figures on a machine shared with other work.
    const rot = order.map((_, i) => order[(i + r) % order.length]);
    for (let rep = 0; rep < INNER; rep++) {
      for (const name of rot) {
        if (name === 'ti') {
          if (rep > 0) continue;
          if (warm && tiSlow) continue; // slow ti: one warm-up round is enough
          if (!warm && measured >= tiRounds) continue;
        }
        const { ms, result } = timeIt(runs[name]);
        if (name === 'ti') {
          lastTi = result;
          if (!tiSlow && ms > TI_SLOW_MS) {
            tiSlow = true;
            tiRounds = Math.min(ROUNDS, TI_SLOW_ROUNDS);
          }
        }
        if (!warm) times[name].push(ms);
      }
    }
  }
  sampleRss();

  const engineMs = median(times.engine);
  const handMs = median(times.hand);
  const tiMs = median(times.ti);
  const engineOverHand = engineMs / handMs;
  const tiOverEngine = tiMs / engineMs;
  const peakMb = peakRss / (1024 * 1024);
  const tiCmp = lastTi ? tiBreadthDiff(lastTi, hist0) : null;

  console.log('');
  const labels = {
    engine: 'engine  computeHistory(input, PRESETS.iwm), every layer',
    hand: 'hand    breadth + primary indicators only (the floor)',
    ti: 'ti      technicalindicators, per member, plain arrays',
    'engine.breadth': '(info)  engine universeBreadth alone',
  };
  console.log(
    `${padEnd('candidate', 16)}${pad('median ms', 11)}${pad('min ms', 10)}${pad('max ms', 10)}${pad('rounds', 8)}`,
  );
  for (const name of order) {
    const xs = times[name];
    console.log(
      `${padEnd(name, 16)}${pad(fmt(median(xs)), 11)}${pad(fmt(Math.min(...xs)), 10)}${pad(fmt(Math.max(...xs)), 10)}${pad(xs.length, 8)}   ${labels[name].slice(8)}`,
    );
  }
  const ubMs = median(times['engine.breadth']);
  const ubMin = Math.min(...times['engine.breadth']);
  const engMin = Math.min(...times.engine);
  console.log(
    `  engine split (by min, least disturbed): breadth pass ${fmt(ubMin)} of ${fmt(engMin)} ms (${fmt((100 * ubMin) / engMin, 0)} %), ` +
      `rest of computeHistory ~${fmt(engMin - ubMin)} ms; by median ${fmt(ubMs)} of ${fmt(median(times.engine))} ms`,
  );
  console.log(`  min-based engine / hand: ${fmt(engMin / Math.min(...times.hand), 2)}`);
  if (tiSlow) console.log(`  (ti took > ${TI_SLOW_MS / 1000} s per round: measured on ${tiRounds} rounds only)`);
  console.log('');
  const eOk = engineOverHand <= ENGINE_OVER_HAND_TARGET;
  const tOk = tiOverEngine >= TI_OVER_ENGINE_TARGET;
  console.log(`${padEnd('ratio', 16)}${pad('value', 8)}${pad('target', 10)}  result`);
  console.log(
    `${padEnd('engine / hand', 16)}${pad(fmt(engineOverHand, 2), 8)}${pad('<= ' + ENGINE_OVER_HAND_TARGET, 10)}  ${eOk ? 'PASS' : 'MISS'}`,
  );
  console.log(
    `${padEnd('ti / engine', 16)}${pad(fmt(tiOverEngine, 1), 8)}${pad('>= ' + TI_OVER_ENGINE_TARGET, 10)}  ${tOk ? 'PASS' : 'MISS'}`,
  );
  console.log('');
  console.log(`peak memory (rss, sampled after each step): ${fmt(peakMb, 0)} MB`);
  if (tiCmp) {
    console.log(
      `ti breadth vs engine: ${tiCmp.sessions} of ${2 * n} pct values differ by > 1e-9` +
        (tiCmp.sessions ? ` (worst ${fmt(tiCmp.worst, 4)} points; ti sums in another order)` : ''),
    );
  }
  console.log(`wall time: ${fmt((Date.now() - wall0) / 1000, 1)} s`);
  const r3 = (x) => Math.round(x * 1000) / 1000;
  console.log(
    JSON.stringify({
      engineMs: r3(engineMs),
      handMs: r3(handMs),
      tiMs: r3(tiMs),
      engineOverHand: r3(engineOverHand),
      tiOverEngine: r3(tiOverEngine),
      peakMb: r3(peakMb),
    }),
  );
}

main();
