// Draws the Pathcheck icon (the header's mark: a path across a tile) and writes it as PNG, ICO and
// ICNS without any image tool: `node build/icons/generate.mjs`. The outputs are committed;
// electron-builder reads icon.png (Linux), icon.ico (Windows) and icon.icns (macOS).
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const TILE = [0x1f, 0x55, 0xc4];
const MARK = [0xff, 0xff, 0xff];
const POINTS = [
  [8, 22],
  [14, 14],
  [18, 18],
  [24, 10],
]; // in the 32-unit view box of AppHeader.vue
const STROKE = 2.4;
const DOT = 2.4;

function roundedRectDistance(x, y) {
  const [cx, cy, half, r] = [16, 16, 15, 8];
  const qx = Math.abs(x - cx) - (half - r);
  const qy = Math.abs(y - cy) - (half - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

function segmentDistance(x, y, [ax, ay], [bx, by]) {
  const [dx, dy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

function markDistance(x, y) {
  let d = Infinity;
  for (let i = 1; i < POINTS.length; i++) d = Math.min(d, segmentDistance(x, y, POINTS[i - 1], POINTS[i]) - STROKE / 2);
  for (const p of [POINTS[0], POINTS.at(-1)]) d = Math.min(d, Math.hypot(x - p[0], y - p[1]) - DOT);
  return d;
}

/** RGBA pixels of the icon at `size` px, anti-aliased from signed distances. */
function render(size) {
  const unit = size / 32;
  const px = Buffer.alloc(size * size * 4);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const [x, y] = [(i + 0.5) / unit, (j + 0.5) / unit];
      const tile = Math.min(1, Math.max(0, 0.5 - roundedRectDistance(x, y) * unit));
      const mark = Math.min(1, Math.max(0, 0.5 - markDistance(x, y) * unit));
      const o = (j * size + i) * 4;
      for (let c = 0; c < 3; c++) px[o + c] = Math.round(TILE[c] * (1 - mark) + MARK[c] * mark);
      px[o + 3] = Math.round(tile * 255);
    }
  }
  return px;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size) {
  const px = render(size);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let j = 0; j < size; j++) px.copy(raw, j * (size * 4 + 1) + 1, j * size * 4, (j + 1) * size * 4);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** ICO with PNG-compressed entries (Windows Vista and later). */
function ico(sizes) {
  const images = sizes.map((s) => png(s));
  const header = Buffer.alloc(6 + 16 * sizes.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(sizes.length, 4);
  let offset = header.length;
  sizes.forEach((s, k) => {
    const e = 6 + 16 * k;
    header.writeUInt8(s >= 256 ? 0 : s, e);
    header.writeUInt8(s >= 256 ? 0 : s, e + 1);
    header.writeUInt16LE(1, e + 4); // colour planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(images[k].length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += images[k].length;
  });
  return Buffer.concat([header, ...images]);
}

/** ICNS with PNG entries (macOS 10.7 and later). */
function icns(entries) {
  const parts = entries.map(([type, size]) => {
    const data = png(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

const out = (name) => new URL(name, import.meta.url);
writeFileSync(out('icon.png'), png(1024));
for (const s of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(out(`${s}x${s}.png`), png(s));
writeFileSync(out('icon.ico'), ico([16, 24, 32, 48, 64, 128, 256]));
writeFileSync(
  out('icon.icns'),
  icns([
    ['icp4', 16],
    ['icp5', 32],
    ['icp6', 64],
    ['ic07', 128],
    ['ic08', 256],
    ['ic09', 512],
    ['ic10', 1024],
  ]),
);
