#!/usr/bin/env node
'use strict';
// The package's command. It runs the compiled CLI from api/dist/ (npm run build).
const fs = require('node:fs');
const path = require('node:path');

const entry = path.join(__dirname, '..', 'api', 'dist', 'cli', 'main.js');
// Only a missing entry file means "not built". Anything else that fails while loading (a
// module the CLI requires, a file the package forgot to ship) is reported as itself, with
// Node's require stack, so the cause is not hidden behind "run npm run build".
if (!fs.existsSync(entry)) {
  process.stderr.write(
    `iwm-signals: the compiled CLI is missing (${entry}); run "npm run build" in the package folder first.\n`,
  );
  process.exit(1);
}
let cli;
try {
  cli = require(entry);
} catch (err) {
  process.stderr.write(`iwm-signals: cannot load ${entry}:\n${(err && err.stack) || err}\n`);
  process.exit(1);
}
cli
  .runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text + '\n'),
    err: (text) => process.stderr.write(text + '\n'),
    env: process.env,
  })
  .then((code) => {
    process.exitCode = code;
  });
