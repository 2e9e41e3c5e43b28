'use strict';
/** Small helpers the bench scripts share. */

/** A positive integer from the environment, or `fallback` when unset; anything else is an error naming it. */
function intEnv(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got ${v})`);
  return n;
}

/** The median (the upper one for an even count). */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

module.exports = { intEnv, median };
