// Lab "signaling" endpoint: a tiny HTTPS server (lab CA certificate) that answers every request with
// a short JSON body, so a client can prove it reaches sig.lab.test:443 with verified TLS.
// Usage: node sig.mjs --cert server.pem --key server.key --listen 10.77.2.20:443 [--listen [fd77:2::20]:443]
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name) => args[args.indexOf(name) + 1];
const listens = args.flatMap((a, i) => (a === '--listen' ? [args[i + 1]] : []));

const server = createServer({ cert: readFileSync(opt('--cert')), key: readFileSync(opt('--key')) }, (req, res) => {
  const body = JSON.stringify({ service: 'pathcheck-lab-signaling', ok: true, method: req.method, url: req.url });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.on('tlsClientError', () => {});

for (const l of listens) {
  const m = /^\[?([^\]]+)\]?:(\d+)$/.exec(l);
  const s = listens.indexOf(l) === 0 ? server : null;
  if (s) s.listen(Number(m[2]), m[1]);
  else {
    // A second listener on the same handler.
    createServer(
      { cert: readFileSync(opt('--cert')), key: readFileSync(opt('--key')) },
      server.listeners('request')[0],
    ).listen(Number(m[2]), m[1]);
  }
  console.log(`signaling listening on ${l}`);
}
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
