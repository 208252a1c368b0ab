// Lab TLS-inspecting middlebox ("Corp Inspection"): runs in pc-router. nftables DNATs the client's
// TCP 443 connections to one of our listeners; we terminate TLS with a certificate forged by the
// Corp Inspection CA (same names as the real server), open a new TLS connection to the real
// upstream (verified against the lab CA, as inspection boxes do) and pipe bytes both ways.
// Usage: node mitm.mjs --cert mitm.pem --key mitm.key --upstream-ca ca.pem --map 10.77.1.1:8441=10.77.2.10:443 ...
import { createServer, connect } from 'node:tls';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name) => args[args.indexOf(name) + 1];
const maps = args.flatMap((a, i) => (a === '--map' ? [args[i + 1]] : []));
const cert = readFileSync(opt('--cert'));
const key = readFileSync(opt('--key'));
const upstreamCa = readFileSync(opt('--upstream-ca'));

for (const m of maps) {
  const [listen, upstream] = m.split('=');
  // host:port or [v6]:port
  const hp = (x) => /^\[?([^\]]+?)\]?:(\d+)$/.exec(x).slice(1);
  const [lhost, lport] = hp(listen);
  const [uhost, uport] = hp(upstream);
  const server = createServer({ cert, key }, (client) => {
    const sni = client.servername || undefined;
    const up = connect({
      host: uhost,
      port: Number(uport),
      servername: sni,
      ca: upstreamCa,
      checkServerIdentity: () => undefined, // the upstream address is fixed by our own map
    });
    up.on('secureConnect', () => {
      console.log(`inspected ${client.remoteAddress}:${client.remotePort} sni=${sni ?? '-'} -> ${upstream}`);
      client.pipe(up);
      up.pipe(client);
    });
    const close = () => {
      client.destroy();
      up.destroy();
    };
    up.on('error', (e) => {
      console.log(`upstream ${upstream} failed: ${e.message}`);
      close();
    });
    client.on('error', close);
    up.on('close', close);
    client.on('close', close);
  });
  server.on('tlsClientError', () => {});
  server.listen(Number(lport), lhost, () => console.log(`mitm listening on ${listen} -> ${upstream}`));
}
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
