#!/usr/bin/env node
/**
 * Add-in load benchmark (issue 12, "Fast to open"): how big the two bundles are and how soon
 * the taskpane paints and is ready in headless Chromium, for the development build served
 * plain (what `npm start` served before: the baseline) against the production build served
 * compressed (what `npm start` serves now), plus the two mixed cases.
 *
 * It builds the add-in twice into temp folders (webpack --mode development / production,
 * the dev manifests), serves each from the local add-in host (api/dist/host/addin-host.js,
 * HTTPS with a generated certificate, the sample-data API on the same origin), and opens
 * taskpane.html in a fresh browser context per round (nothing cached), with office.js from
 * the local npm copy as the browser tests do. Two networks: loopback, and a throttled link
 * (BENCH_MBPS Mbit/s, BENCH_RTT_MS ms round trip) like Excel reaching a remote host.
 *   first paint: the page's first-contentful-paint;
 *   scripts run: DOMContentLoaded, which waits for the two bundles (deferred scripts) to be
 *     downloaded, parsed and run: the part of the start the build and the compression change;
 *   ready: body[data-ready] set, i.e. the taskpane has drawn its status and Today card (this
 *     includes office.js starting outside Office and the API's answers, the same in every case).
 * Ratios are against the baseline measured in the same run. Nothing here is a test.
 *
 * Run: `npm run bench:addin` (builds api/dist/ first). Needs /usr/bin/chromium (or IWM_CHROMIUM).
 * Env: BENCH_ROUNDS (5), BENCH_MBPS (10), BENCH_RTT_MS (40).
 */
'use strict';
/* global document, window, performance, MutationObserver -- in the page's functions (page.evaluate, addInitScript) */

const path = require('path');
const fs = require('fs');
const os = require('os');
const { execFileSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'api', 'dist');
const OFFICE_DIST = path.join(ROOT, 'node_modules', '@microsoft', 'office-js', 'dist');
const OFFICE_CDN = 'https://appsforoffice.microsoft.com/lib/1/hosted/';
const CHROMIUM = process.env.IWM_CHROMIUM ?? '/usr/bin/chromium';
const BUNDLES = ['functions.js', 'taskpane.js'];

const { intEnv, median } = require('./bench-util');
const ROUNDS = intEnv('BENCH_ROUNDS', 5);
const MBPS = intEnv('BENCH_MBPS', 10);
const RTT_MS = intEnv('BENCH_RTT_MS', 40);

if (!fs.existsSync(path.join(DIST, 'host', 'addin-host.js'))) {
  console.error('addin-load.bench: api/dist/ not built; run `npm run bench:addin`');
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) {
  console.error(`addin-load.bench: ${CHROMIUM} is missing (apt-get install chromium, or set IWM_CHROMIUM)`);
  process.exit(2);
}
const { chromium } = require('playwright-core');
const { createAddinHost } = require(path.join(DIST, 'host', 'addin-host'));
const { compress } = require(path.join(DIST, 'host', 'compression'));
const { resolveDevCertificate } = require(path.join(DIST, 'host', 'dev-certs'));
const { createRequestHandler } = require(path.join(DIST, 'host', 'local-host'));
const { createRuntime } = require(path.join(DIST, 'service', 'runtime'));
const { MemoryStore } = require(path.join(DIST, 'storage', 'memory-store'));

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

function build(mode, out) {
  const webpack = path.join(ROOT, 'node_modules', 'webpack-cli', 'bin', 'cli.js');
  const env = { ...process.env };
  delete env.IWM_SOURCE_MAPS;
  delete env.IWM_ADDIN_URL;
  execFileSync(process.execPath, [webpack, '--mode', mode, '--output-path', out], { cwd: ROOT, env, stdio: 'pipe' });
}

async function sizes(dir) {
  const out = {};
  for (const name of BUNDLES) {
    const body = fs.readFileSync(path.join(dir, name));
    out[name] = {
      raw: body.length,
      gzip: (await compress(body, 'gzip')).length,
      br: (await compress(body, 'br')).length,
    };
  }
  return out;
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

/** One page load in a fresh context: first paint, ready, and the bytes the bundles took on the wire. */
async function load(browser, origin, throttled) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 360, height: 900 } });
  try {
    await context.route(
      (url) => !url.href.startsWith(origin),
      async (route) => {
        const url = route.request().url();
        if (!url.startsWith(OFFICE_CDN)) return route.abort();
        const file = path.resolve(OFFICE_DIST, url.slice(OFFICE_CDN.length).split(/[?#]/)[0]);
        if (!file.startsWith(OFFICE_DIST + path.sep) || !fs.existsSync(file)) return route.fulfill({ status: 404 });
        return route.fulfill({ contentType: 'text/javascript', body: fs.readFileSync(file) });
      },
    );
    await context.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.body && document.body.dataset.ready === 'true') {
          window.__readyAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
    });
    const page = await context.newPage();
    if (throttled) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: RTT_MS,
        downloadThroughput: (MBPS * 1e6) / 8,
        uploadThroughput: (MBPS * 1e6) / 8,
      });
    }
    await page.goto(`${origin}/taskpane.html`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    return await page.evaluate((bundles) => {
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      const navigation = performance.getEntriesByType('navigation')[0];
      const wire = performance
        .getEntriesByType('resource')
        .filter((e) => bundles.some((b) => e.name.endsWith(`/${b}`)))
        .reduce((n, e) => n + e.encodedBodySize, 0);
      return {
        paint: paint ? paint.startTime : NaN,
        scripts: navigation ? navigation.domContentLoadedEventEnd : NaN,
        ready: window.__readyAt,
        wire,
      };
    }, BUNDLES);
  } finally {
    await context.close();
  }
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'iwm-addin-bench-'));
  const servers = [];
  let browser;
  let runtime;
  try {
    const dev = path.join(tmp, 'dev');
    const prod = path.join(tmp, 'prod');
    console.log('addin-load.bench: building the add-in (development and production)...');
    build('development', dev);
    build('production', prod);
    const size = { dev: await sizes(dev), prod: await sizes(prod) };
    for (const name of BUNDLES) {
      const d = size.dev[name];
      const p = size.prod[name];
      console.log(
        `${name}: development ${kb(d.raw)} raw, ${kb(d.gzip)} gzip, ${kb(d.br)} br | production ${kb(p.raw)} raw, ` +
          `${kb(p.gzip)} gzip, ${kb(p.br)} br | development raw / production br ${(d.raw / p.br).toFixed(1)} x`,
      );
    }

    const certificate = await resolveDevCertificate(
      {},
      { officeDir: path.join(tmp, 'no-office-certs'), cacheDir: path.join(tmp, 'certs') },
    );
    runtime = await createRuntime(
      { IWM_STORE: 'memory', IWM_SAMPLE_SESSIONS: '1500', IWM_SAMPLE_MEMBERS: '120' },
      { store: new MemoryStore() },
    );
    const api = createRequestHandler({ runtime, functionKeys: [], corsOrigins: [] });
    const cases = [
      { name: 'development, plain (baseline: npm start before)', dir: dev, compress: false },
      { name: 'development, compressed', dir: dev, compress: true },
      { name: 'production, plain', dir: prod, compress: false },
      { name: 'production, compressed (npm start now)', dir: prod, compress: true },
    ];
    for (const c of cases) {
      const server = createAddinHost({ dir: c.dir, api, tls: certificate, compress: c.compress });
      servers.push(server);
      c.origin = `https://localhost:${await listen(server)}`;
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-quic'],
    });
    const result = {};
    for (const throttled of [false, true]) {
      const network = throttled ? `${MBPS} Mbit/s, ${RTT_MS} ms RTT` : 'loopback';
      const runs = cases.map(() => ({ paint: [], scripts: [], ready: [], wire: 0 }));
      // One warm-up round (compression cache, JIT), then the cases interleaved round by round.
      for (let r = 0; r < ROUNDS + 1; r++)
        for (const [i, c] of cases.entries()) {
          const m = await load(browser, c.origin, throttled);
          if (r === 0) continue;
          runs[i].paint.push(m.paint);
          runs[i].scripts.push(m.scripts);
          runs[i].ready.push(m.ready);
          runs[i].wire = m.wire;
        }
      const base = { paint: median(runs[0].paint), scripts: median(runs[0].scripts), ready: median(runs[0].ready) };
      console.log(`\n${network} (median of ${ROUNDS}; ratio = baseline / case):`);
      for (const [i, c] of cases.entries()) {
        const paint = median(runs[i].paint);
        const scripts = median(runs[i].scripts);
        const ready = median(runs[i].ready);
        console.log(
          `  ${c.name.padEnd(48)} bundles on the wire ${kb(runs[i].wire).padStart(9)} | first paint ${paint.toFixed(0).padStart(5)} ms` +
            ` (${(base.paint / paint).toFixed(2)} x) | scripts run ${scripts.toFixed(0).padStart(5)} ms (${(base.scripts / scripts).toFixed(2)} x) | ready ${ready.toFixed(0).padStart(5)} ms (${(base.ready / ready).toFixed(2)} x)`,
        );
        result[
          `${throttled ? 'throttled' : 'loopback'}:${c.compress ? 'compressed' : 'plain'}:${c.dir === dev ? 'development' : 'production'}`
        ] = {
          paintMs: paint,
          scriptsMs: scripts,
          readyMs: ready,
          wireBytes: runs[i].wire,
        };
      }
    }
    console.log(JSON.stringify({ sizes: size, loads: result }));
  } finally {
    if (browser) await browser.close();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
    if (runtime) await runtime.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
