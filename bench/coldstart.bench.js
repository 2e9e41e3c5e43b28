#!/usr/bin/env node
/**
 * Cold-start and nightly-breadth benchmark (issue 10), 2,000 members x 6,300 sessions:
 *   (a) cold start to the first reading from an fs store: manifest, bars and the breadth
 *       series precomputed at refresh (no universe.bin), vs the baseline that reads the
 *       universe and computes breadth from it (the path before precomputation); bytes read.
 *   (b) a nightly increment of one session (refreshBreadth extending the stored series,
 *       with its overlap check) vs a full breadth recompute (memberBreadth).
 *   (c) the engine's full recompute vs the hand loop: bench/engine.bench.js, run as a child
 *       with BENCH_ROUNDS=3 (its last JSON line is repeated here).
 * Targets: (a) <= 0.5 s, (b) >= 20 x faster. Ratios are against baselines measured in the same run.
 *
 * Run: `npm run bench:coldstart` (builds api/dist/ first).
 * Env: BENCH_MEMBERS (2000), BENCH_SESSIONS (6300), BENCH_ROUNDS (5), BENCH_SKIP_ENGINE=1 (skip (c)).
 */
'use strict';

const path = require('path');
const fs = require('fs');
const os = require('os');
const { execFileSync } = require('child_process');

const DIST = path.join(__dirname, '..', 'api', 'dist');
const { intEnv, median } = require('./bench-util');
const MEMBERS = intEnv('BENCH_MEMBERS', 2000);
const SESSIONS = intEnv('BENCH_SESSIONS', 6300);
const ROUNDS = intEnv('BENCH_ROUNDS', 5);

if (!fs.existsSync(path.join(DIST, 'service', 'breadth-store.js'))) {
  console.error('coldstart.bench: api/dist/ not built; run `npm run bench:coldstart`');
  process.exit(2);
}
const { generateSample } = require(path.join(DIST, 'data', 'sample'));
const { snapshotOfSample, snapshotThrough } = require(path.join(DIST, 'service', 'snapshot-source'));
const bs = require(path.join(DIST, 'service', 'breadth-store'));
const { pairData } = require(path.join(DIST, 'service', 'market-data'));
const { readingWithContext } = require(path.join(DIST, 'service', 'views'));
const { computeHistory } = require(path.join(DIST, 'engine', 'engine'));
const { resolveProfile } = require(path.join(DIST, 'engine', 'profile'));
const { memberBreadth } = require(path.join(DIST, 'engine', 'member-breadth'));
const { createStore } = require(path.join(DIST, 'storage'));

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

const SAMPLE = snapshotOfSample(generateSample({ sessions: SESSIONS, members: MEMBERS }), '2026-01-01T00:00:00Z');
/** The sample as it stood after its first `sessions` days. */
const snapshotOf = (sessions) => snapshotThrough(SAMPLE, SAMPLE.bars.IWM.dates[sessions - 1]);

/** Bytes of the objects a read touches (the manifest's refs), plus manifest.json. */
function bytesRead(dir, manifest, universe) {
  let n = fs.statSync(path.join(dir, 'manifest.json')).size;
  for (const r of Object.values(manifest.bars)) n += r.bytes;
  for (const r of Object.values(manifest.series)) n += r.bytes;
  if (universe && manifest.universe) n += manifest.universe.bytes;
  return n;
}

async function coldStart(dir, universe) {
  const t0 = process.hrtime.bigint();
  const store = createStore({ kind: 'fs', dir });
  const manifest = await store.readManifest();
  const snapshot = await store.readSnapshot(manifest, { universe });
  const pair = pairData(snapshot, 'IWM', 'SPY', []);
  const h = computeHistory(pair.input, resolveProfile('iwm'));
  const reading = readingWithContext(h, h.length - 1, snapshot.series);
  const t = ms(t0);
  await store.close();
  return {
    ms: t,
    pct50: reading.breadth?.pct50 ?? h.breadth.pct50[h.length - 1],
    bytes: bytesRead(dir, manifest, universe),
  };
}

async function main() {
  console.log(`coldstart.bench: ${MEMBERS} members x ${SESSIONS} sessions, ${ROUNDS} rounds (median)`);
  const full = snapshotOf(SESSIONS);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'iwm-coldstart-bench-'));
  try {
    // (a) two stores: with breadth precomputed, and without (the baseline reads universe.bin).
    const plain = path.join(tmp, 'plain');
    const pre = path.join(tmp, 'pre');
    for (const d of [plain, pre]) fs.mkdirSync(d);
    const sPlain = createStore({ kind: 'fs', dir: plain });
    await sPlain.init();
    await sPlain.writeSnapshot({ ...full, series: {}, notes: { ...full.notes } });
    const withBreadth = { ...full, series: {}, notes: { ...full.notes } };
    bs.addUniverseBreadth(withBreadth, 'IWM', null);
    const sPre = createStore({ kind: 'fs', dir: pre });
    await sPre.init();
    await sPre.writeSnapshot(withBreadth);
    const a = { pre: [], base: [] };
    let last;
    for (let r = 0; r < ROUNDS + 1; r++) {
      const x = await coldStart(pre, false);
      const y = await coldStart(plain, true);
      if (x.pct50 !== y.pct50 && !(Number.isNaN(x.pct50) && Number.isNaN(y.pct50)))
        throw new Error(`cold starts disagree: pct50 ${x.pct50} vs ${y.pct50}`);
      if (r > 0) {
        a.pre.push(x.ms);
        a.base.push(y.ms);
      }
      last = { pre: x, base: y };
    }
    const aPre = median(a.pre);
    const aBase = median(a.base);
    console.log(
      `(a) cold start to first reading: precomputed ${aPre.toFixed(0)} ms, ${(last.pre.bytes / 1e6).toFixed(2)} MB read` +
        ` | baseline (reads universe) ${aBase.toFixed(0)} ms, ${(last.base.bytes / 1e6).toFixed(2)} MB read` +
        ` | baseline/precomputed ${(aBase / aPre).toFixed(1)} x (target <= 500 ms: ${aPre <= 500 ? 'met' : 'MISSED'})`,
    );

    // (b) nightly increment of one session vs a full recompute.
    const before = snapshotOf(SESSIONS - 1);
    bs.addUniverseBreadth(before, 'IWM', null);
    const calendar = full.bars.IWM.dates;
    const P = bs.DEFAULT_BREADTH_PERIODS;
    const b = { inc: [], full: [] };
    const WARM = 3; // the increment is a few ms: let the JIT settle first
    for (let r = 0; r < ROUNDS + WARM; r++) {
      let t0 = process.hrtime.bigint();
      const inc = bs.refreshBreadth(full.universe, calendar, null, P, before);
      const ti = ms(t0);
      t0 = process.hrtime.bigint();
      const all = memberBreadth(full.universe, calendar, null, P);
      const tf = ms(t0);
      if (!inc.incremental) throw new Error(`not extended: ${inc.fullBecause}`);
      const n = calendar.length - 1;
      if (inc.breadth.counted50[n] !== all.counted50[n] || inc.breadth.pct50[n] !== all.pct50[n])
        throw new Error('incremental and full breadth disagree on the new session');
      if (r >= WARM) {
        b.inc.push(ti);
        b.full.push(tf);
      }
    }
    const bInc = median(b.inc);
    const bFull = median(b.full);
    console.log(
      `(b) nightly breadth, 1 new session (+${bs.OVERLAP_SESSIONS} re-checked): ${bInc.toFixed(2)} ms | full recompute ${bFull.toFixed(0)} ms` +
        ` | full/incremental ${(bFull / bInc).toFixed(0)} x (target >= 20 x: ${bFull / bInc >= 20 ? 'met' : 'MISSED'})`,
    );
    let engineLine = null;
    if (!process.env.BENCH_SKIP_ENGINE) {
      const out = execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'engine.bench.js')], {
        env: { ...process.env, BENCH_ROUNDS: '3', BENCH_WARMUP: '1' },
        encoding: 'utf8',
      });
      engineLine = JSON.parse(out.trim().split('\n').pop());
      console.log(
        `(c) engine full recompute ${engineLine.engineMs.toFixed(0)} ms vs hand loop ${engineLine.handMs.toFixed(0)} ms: ${engineLine.engineOverHand.toFixed(2)} x (bench/engine.bench.js)`,
      );
    }
    console.log(
      JSON.stringify({
        coldPrecomputedMs: aPre,
        coldBaselineMs: aBase,
        coldBytes: last.pre.bytes,
        baselineBytes: last.base.bytes,
        nightlyMs: bInc,
        fullBreadthMs: bFull,
        fullOverNightly: bFull / bInc,
        engineOverHand: engineLine ? engineLine.engineOverHand : null,
      }),
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
