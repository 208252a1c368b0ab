// A minimal, independent STUN Binding client for the lab's own infrastructure tests (deliberately not
// Pathcheck's engine). Sends one Binding request to each target from ONE local UDP socket (so mapped
// ports can be compared across destinations), or over a fresh TCP connection per target with --tcp.
// Prints one JSON object: { local, results: [{ target, ok, mapped, error, ms }] }.
// Usage: node stun-probe.mjs [--6] [--tcp | --tls [--ca ca.pem]] [--timeout ms] [--local-port n] host:port [host:port ...]
// --6: resolve AAAA and send over IPv6 (targets may be [v6]:port).
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';

const argv = process.argv.slice(2);
const tls = argv.includes('--tls');
const tcp = tls || argv.includes('--tcp');
const v6 = argv.includes('--6');
const caFile = argv.includes('--ca') ? argv[argv.indexOf('--ca') + 1] : undefined;
const num = (name, d) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : d);
const timeoutMs = num('--timeout', 2000);
const localPort = num('--local-port', 0);
const targets = argv.filter(
  (a, i) => !a.startsWith('--') && !['--timeout', '--local-port', '--ca'].includes(argv[i - 1]),
);

const MAGIC = 0x2112a442;
function request() {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt32BE(MAGIC, 4);
  randomBytes(12).copy(b, 8);
  return b;
}
function parse(msg) {
  if (msg.length < 20 || msg.readUInt16BE(0) !== 0x0101) return null;
  const len = msg.readUInt16BE(2);
  let off = 20;
  let mapped = null;
  while (off + 4 <= 20 + len && off + 4 <= msg.length) {
    const type = msg.readUInt16BE(off);
    const alen = msg.readUInt16BE(off + 2);
    const v = msg.subarray(off + 4, off + 4 + alen);
    if ((type === 0x0020 || type === 0x0001) && v[1] === 0x02 && v.length >= 20) {
      // IPv6: XOR with the magic cookie and the transaction id (RFC 8489 §14.2).
      const xor = type === 0x0020;
      const port = v.readUInt16BE(2) ^ (xor ? MAGIC >>> 16 : 0);
      const key = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), msg.subarray(8, 20)]);
      const bytes = Buffer.from(v.subarray(4, 20).map((b, i) => (xor ? b ^ key[i] : b)));
      const groups = [];
      for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
      // The URL parser prints the RFC 5952 form (fd77:1::2), in brackets.
      const m = { address: new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1), port };
      if (xor || !mapped) mapped = m;
    }
    if ((type === 0x0020 || type === 0x0001) && v[1] === 0x01) {
      const xor = type === 0x0020;
      const port = v.readUInt16BE(2) ^ (xor ? MAGIC >>> 16 : 0);
      const a = v.readUInt32BE(4) ^ (xor ? MAGIC : 0);
      const m = { address: [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.'), port };
      if (xor || !mapped) mapped = m;
    }
    off += 4 + alen + ((4 - (alen % 4)) % 4);
  }
  return { txid: msg.subarray(8, 20).toString('hex'), mapped };
}
async function resolve(t) {
  const i = t.lastIndexOf(':');
  const host = t.slice(0, i).replace(/^\[|\]$/g, '');
  const { address } = await lookup(host, { family: v6 ? 6 : 4 });
  return { host, address, port: Number(t.slice(i + 1)) };
}

async function viaUdp() {
  const sock = createSocket(v6 ? 'udp6' : 'udp4');
  await new Promise((r) => sock.bind(localPort, r));
  const pending = new Map();
  sock.on('message', (msg) => {
    const p = parse(msg);
    const w = p && pending.get(p.txid);
    if (w) w(p.mapped);
  });
  const results = [];
  for (const t of targets) {
    const started = Date.now();
    const dst = await resolve(t);
    const req = request();
    const res = await new Promise((done) => {
      const timer = setTimeout(() => done({ ok: false, error: 'timeout' }), timeoutMs);
      pending.set(req.subarray(8, 20).toString('hex'), (mapped) => {
        clearTimeout(timer);
        done({ ok: true, mapped });
      });
      sock.send(req, dst.port, dst.address, (err) => {
        if (err) {
          clearTimeout(timer);
          done({ ok: false, error: err.code ?? String(err) });
        }
      });
    });
    results.push({ target: t, ...res, ms: Date.now() - started });
  }
  const local = sock.address();
  sock.close();
  return { local, results };
}

async function viaTcp() {
  const results = [];
  for (const t of targets) {
    const started = Date.now();
    const dst = await resolve(t);
    const res = await new Promise((done) => {
      const s = tls
        ? tlsConnect({
            host: dst.address,
            port: dst.port,
            servername: dst.host,
            ca: caFile ? readFileSync(caFile) : undefined,
          })
        : connect({ host: dst.address, port: dst.port });
      let issuer;
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => {
        s.destroy();
        done({ ok: false, error: 'timeout' });
      }, timeoutMs);
      s.on(tls ? 'secureConnect' : 'connect', () => {
        if (tls) issuer = s.getPeerCertificate()?.issuer?.CN;
        s.write(request());
      });
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 20 && buf.length >= 20 + buf.readUInt16BE(2)) {
          clearTimeout(timer);
          s.destroy();
          done({ ok: true, mapped: parse(buf)?.mapped ?? null, ...(tls ? { issuer } : {}) });
        }
      });
      s.on('error', (e) => {
        clearTimeout(timer);
        done({ ok: false, error: e.code ?? String(e) });
      });
    });
    results.push({ target: t, ...res, ms: Date.now() - started });
  }
  return { local: null, results };
}

const out = tcp ? await viaTcp() : await viaUdp();
process.stdout.write(JSON.stringify(out) + '\n');
