#!/usr/bin/env node
'use strict';
// The package's command. It runs the compiled CLI from api/dist/ (npm run build).
const path = require('node:path');
let cli;
try {
  cli = require(path.join(__dirname, '..', 'api', 'dist', 'cli', 'main.js'));
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND') {
    process.stderr.write(
      'iwm-signals: the compiled CLI is missing; run "npm run build" in the package folder first.\n',
    );
    process.exit(1);
  }
  throw err;
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
