// Entry point for the lab's quality test, bundled by the test (rolldown) and run with node inside
// pc-client: runs one engine quality measurement and prints its result as one JSON line.
// argv: turn <host> <port> <udp|tcp|tls> <targetKbps> <caFile> <username> <credential>
//       echo <host> <port>
import { readFileSync } from 'node:fs';
import { measureTurnQuality } from '#node/quality/turn-stream';
import { measureStunEcho } from '#node/quality/stun-echo';

const [kind, host, port, transport, target, caFile, username, credential] = process.argv.slice(2);
const t0 = performance.now();
const m =
  kind === 'echo'
    ? await measureStunEcho({ host: host!, port: Number(port), transport: 'udp' })
    : await measureTurnQuality(
        { host: host!, port: Number(port), transport: transport as 'udp' | 'tcp' | 'tls' },
        { username: username!, credential: credential! },
        {
          targetKbps: Number(target),
          tls: caFile ? { ca: readFileSync(caFile, 'utf8') } : undefined,
        },
      );
process.stdout.write(JSON.stringify({ ...m, wallMs: Math.round(performance.now() - t0) }) + '\n');
