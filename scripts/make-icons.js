#!/usr/bin/env node
'use strict';
/**
 * Draws the add-in's icon (a rounded dark-blue square with a white rising bar chart and
 * a green trend line) and writes it as assets/icon-{16,32,64,80,192}.png for both manifests.
 * No dependencies: pixels are anti-aliased by supersampling and the PNG is written by
 * hand (zlib from node, CRC32 computed here). Usage: node scripts/make-icons.js [dir]
 *
 * Geometry is laid out on a 16-unit grid so bar edges fall on whole pixels at every
 * size (16, 32, 64, 80, 192 are multiples of 16); the trend line is drawn from 32 px up.
 */
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const SIZES = [16, 32, 64, 80, 192]; // 192: the unified manifest's colour icon
const SUPERSAMPLE = 4;

const BACKGROUND = [0x1b, 0x3a, 0x6b]; // dark blue
const BAR = [0xff, 0xff, 0xff];
const LINE = [0x4a, 0xde, 0x80]; // green

// Grid units (0..16, y down).
const CORNER_RADIUS = 3.5;
const BARS = [
  { x0: 3, x1: 5, top: 10 },
  { x0: 7, x1: 9, top: 7 },
  { x0: 11, x1: 13, top: 4 },
];
const BAR_BOTTOM = 13;
const TREND = [
  [2.25, 8.25],
  [6, 5.25],
  [9.75, 3.75],
  [13.75, 1.5],
];
const TREND_HALF_WIDTH = 0.55;

// ---- CRC32 (IEEE 802.3, as PNG chunks use) --------------------------------------------

const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c >>> 0;
}

function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---- PNG --------------------------------------------------------------------------------

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** RGBA8 pixels (row-major, width*height*4 bytes) -> PNG file bytes. */
function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- Drawing ------------------------------------------------------------------------------

function insideRoundedSquare(x, y) {
  const r = CORNER_RADIUS;
  const cx = Math.min(Math.max(x, r), 16 - r);
  const cy = Math.min(Math.max(y, r), 16 - r);
  return x >= 0 && x <= 16 && y >= 0 && y <= 16 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function insideBar(x, y) {
  return BARS.some((b) => x >= b.x0 && x < b.x1 && y >= b.top && y < BAR_BOTTOM);
}

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function onTrend(x, y) {
  for (let i = 1; i < TREND.length; i++) {
    if (distanceToSegment(x, y, TREND[i - 1], TREND[i]) <= TREND_HALF_WIDTH) return true;
  }
  return false;
}

/** Colour of one sample point in grid units, or null outside the icon. */
function sample(x, y, withTrend) {
  if (!insideRoundedSquare(x, y)) return null;
  if (withTrend && onTrend(x, y)) return LINE;
  if (insideBar(x, y)) return BAR;
  return BACKGROUND;
}

/** Renders the icon at size x size pixels as RGBA8. */
function render(size) {
  const rgba = Buffer.alloc(size * size * 4);
  const unit = 16 / size;
  const withTrend = size >= 32;
  const n = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLE) * unit;
          const y = (py + (sy + 0.5) / SUPERSAMPLE) * unit;
          const c = sample(x, y, withTrend);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          covered++;
        }
      }
      const o = (py * size + px) * 4;
      if (covered > 0) {
        rgba[o] = Math.round(r / covered);
        rgba[o + 1] = Math.round(g / covered);
        rgba[o + 2] = Math.round(b / covered);
        rgba[o + 3] = Math.round((255 * covered) / n);
      }
    }
  }
  return rgba;
}

function main() {
  const outDir = process.argv[2] ?? path.join(__dirname, '..', 'assets');
  fs.mkdirSync(outDir, { recursive: true });
  for (const size of SIZES) {
    const file = path.join(outDir, `icon-${size}.png`);
    const png = encodePng(size, size, render(size));
    fs.writeFileSync(file, png);
    console.log(`${path.relative(process.cwd(), file)}: ${size}x${size}, ${png.length} bytes`);
  }
}

if (require.main === module) main();

module.exports = { crc32, encodePng, render, SIZES };
