#!/usr/bin/env node
'use strict';
/**
 * Checks the engine against a folder of real daily bars (not part of the tests: a
 * user's clone has no market data). Usage:
 *   npm run check:real -- <folder with IWM.csv and SPY.csv> [YYYY-MM]
 * Prints the month's price returns of IWM and SPY from month-end closes, and compares
 * the engine's indicators on the real series with the technicalindicators package
 * (TA-Lib conventions) where its conventions agree with TA-Lib's.
 */
const path = require('node:path');
const dist = path.join(__dirname, '..', 'api', 'dist');
const { loadDataset } = require(path.join(dist, 'data', 'dataset.js'));
const engine = require(path.join(dist, 'engine', 'index.js'));
const ti = require('technicalindicators');

async function main() {
  const dir = process.argv[2];
  const month = process.argv[3] ?? '2024-11';
  if (!dir) throw new Error('usage: check-real-data.js <data-dir> [YYYY-MM]');
  const ds = await loadDataset({ source: 'csv', dataDir: dir, symbol: 'IWM', benchmark: 'SPY' });
  const h = engine.computeHistory(ds.input, engine.PRESETS.iwm);
  const dates = Array.from(h.dates, engine.formatDay);
  const last = dates.findLastIndex((d) => d.startsWith(month));
  const prevEnd = dates.findIndex((d) => d.startsWith(month)) - 1;
  if (last < 0 || prevEnd < 0) throw new Error(`no sessions in ${month}`);
  const pct = (a, b) => ((a / b - 1) * 100).toFixed(2);
  console.log(`${month}: ${dates[prevEnd]} -> ${dates[last]}`);
  console.log(`  IWM ${h.close[prevEnd]} -> ${h.close[last]}: ${pct(h.close[last], h.close[prevEnd])} %`);
  console.log(
    `  SPY ${h.benchmarkClose[prevEnd]} -> ${h.benchmarkClose[last]}: ${pct(h.benchmarkClose[last], h.benchmarkClose[prevEnd])} %`,
  );

  const close = Array.from(h.close);
  const checks = [
    ['EMA21', h.trend.fast, ti.EMA.calculate({ period: 21, values: close }), 20],
    ['EMA63', h.trend.slow, ti.EMA.calculate({ period: 63, values: close }), 62],
    ['ATR14', h.atr, ti.ATR.calculate({ period: 14, high: Array.from(h.high), low: Array.from(h.low), close }), 14],
    ['ROC10', h.momentum.rocShort, ti.ROC.calculate({ period: 10, values: close }), 10],
    ['SMA20(volume)', engine.sma(h.volume, 20), ti.SMA.calculate({ period: 20, values: Array.from(h.volume) }), 19],
  ];
  for (const [name, ours, theirs, lookback] of checks) {
    let worst = 0;
    for (let i = 0; i < theirs.length; i++) {
      const a = ours[i + lookback];
      const b = theirs[i];
      worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 1e-12));
    }
    const firstDefined = Array.prototype.findIndex.call(ours, (v) => !Number.isNaN(v));
    console.log(
      `  ${name.padEnd(14)} first defined index ${firstDefined} (TA-Lib ${lookback}), worst relative difference ${worst.toExponential(2)} over ${theirs.length} values ${worst <= 1e-9 ? 'OK' : 'MISMATCH'}`,
    );
  }
  const r = engine.readingAt(h, last);
  console.log(
    `  reading ${dates[last]}: composite ${r.composite.rating} (score ${r.composite.score}), rotation ${r.rotation.state}, sizing ${r.sizing.fraction}`,
  );
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
