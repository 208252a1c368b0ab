// Pathcheck network lab: network namespaces, veth links, a real coturn, an nftables reflector,
// firewall scenarios (local / perimeter), NAT (cone / symmetric), squid and a TLS-inspecting middlebox.
//
// Plain Node ESM so it runs without a build. Everything happens inside three namespaces that this
// module creates (pc-client, pc-router, pc-server); no interface of the host namespace is touched,
// and no namespace has a route to the host, so nothing ever leaves the machine.
// Every external command is run with execFile/spawn argument arrays, never through a shell.

import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  chownSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

// ---------------------------------------------------------------------------------------------
// Plan: names, addresses, ports, credentials
// ---------------------------------------------------------------------------------------------

export const ns = Object.freeze({ client: 'pc-client', router: 'pc-router', server: 'pc-server' });

/** Address plan. 10.77.0.0/16 and fd77::/16 exist only inside the lab's namespaces. */
export const addr = Object.freeze({
  client: '10.77.1.2',
  client6: 'fd77:1::2',
  routerInside: '10.77.1.1',
  routerInside6: 'fd77:1::1', // client's default gateway, squid, MITM
  routerOutside: '10.77.2.1',
  routerOutside6: 'fd77:2::1', // router's address on the "internet" side (NAT source)
  turnA: '10.77.2.10',
  turnA6: 'fd77:2::10', // coturn primary (RFC 5780 primary)
  turnB: '10.77.2.11',
  turnB6: 'fd77:2::11', // coturn alternate (RFC 5780 other address)
  web: '10.77.2.20',
  web6: 'fd77:2::20', // signaling HTTPS 443, "media" server, reflector name
  clientNet: '10.77.1.0/24',
  clientNet6: 'fd77:1::/64',
  serverNet: '10.77.2.0/24',
  serverNet6: 'fd77:2::/64',
});

/** Names in /etc/netns/<ns>/hosts (bind-mounted over /etc/hosts by `ip netns exec`). */
export const hosts = Object.freeze({
  'turn.lab.test': addr.turnA,
  'turn-alt.lab.test': addr.turnB,
  'stun.lab.test': addr.turnA,
  'sig.lab.test': addr.web,
  'media.lab.test': addr.web,
  'reflect.lab.test': addr.web,
  'proxy.lab.test': addr.routerInside,
  'turn6.lab.test': addr.turnA6,
  'turn-alt6.lab.test': addr.turnB6,
  'sig6.lab.test': addr.web6,
});

/**
 * AAAA records of the dual-stack names (written beside `hosts`): every server name the lab profile
 * uses has both families, so the profile is dual-stack; the *6 names above are IPv6-only.
 */
export const hosts6 = Object.freeze({
  'turn.lab.test': addr.turnA6,
  'turn-alt.lab.test': addr.turnB6,
  'stun.lab.test': addr.turnA6,
  'sig.lab.test': addr.web6,
  'media.lab.test': addr.web6,
  'reflect.lab.test': addr.web6,
});

export const ports = Object.freeze({
  stun: 3478, // coturn UDP+TCP (plain STUN/TURN) on turnA and turnB
  stunAlt: 3479, // coturn RFC 5780 alternate port (UDP+TCP)
  turnTls: 443, // coturn TLS (and DTLS) on turnA and turnB
  turnTlsAlt: 5349, // coturn TLS (and DTLS) second port (coturn's --alt-tls-listening-port)
  restStun: 3480, // second coturn instance (TURN REST shared secret) UDP+TCP, turnA only
  restTls: 5350, // second coturn instance TLS, turnA only
  signaling: 443, // HTTPS on addr.web
  // coturn relay range, below the media ranges so the reflector can cover 10000-65535 in full:
  // 5000-5029 the static instance, 5030-5049 the REST instance (clear of 5349/5350, TLS).
  relayMin: 5000,
  relayMax: 5049,
  reflectorMin: 10000,
  reflectorMax: 65535, // every port redirected to 3478 of the same address
  proxy: 3128, // squid on addr.routerInside
  proxyAuth: 3129, // a second squid on addr.routerInside that asks for Basic credentials (proxyAuthCredentials)
  mitm: { [addr.turnA]: 8441, [addr.turnB]: 8442, [addr.web]: 8443 }, // MITM listeners on addr.routerInside
  mitm6: { [addr.turnA6]: 8451, [addr.turnB6]: 8452, [addr.web6]: 8453 }, // the same over IPv6, on addr.routerInside6
});

export const credentials = Object.freeze({
  username: 'labuser',
  credential: 'labpass',
  realm: 'lab.test',
  restSecret: 'pathcheck-lab-rest-secret',
});

export const runDir = '/run/pathcheck-lab';
export const paths = Object.freeze({
  dir: runDir,
  caPem: join(runDir, 'ca.pem'), // lab CA (signs every lab server certificate)
  mitmCaPem: join(runDir, 'corp-inspection-ca.pem'), // "Corp Inspection CA" (re-signs in tls-inspection)
  serverCert: join(runDir, 'server.pem'),
  serverKey: join(runDir, 'server.key'),
  profile: join(here, 'profile.json'),
  state: join(runDir, 'state.json'),
  logs: runDir,
});

export const proxyUrl = `http://${addr.routerInside}:${ports.proxy}`;

/** Basic credentials the authenticating squid (ports.proxyAuth) accepts (basic_ncsa_auth, htpasswd made at bring-up). */
export const proxyAuthCredentials = Object.freeze({
  username: 'proxyuser',
  password: 'proxypass',
  realm: 'Pathcheck Lab Proxy',
});
/** The authenticating squid without credentials, and with them in the URL (as the CLI takes them). */
export const proxyAuthUrl = `http://${addr.routerInside}:${ports.proxyAuth}`;
export const proxyAuthUrlWithCredentials = `http://${proxyAuthCredentials.username}:${proxyAuthCredentials.password}@${addr.routerInside}:${ports.proxyAuth}`;

const NAT_MODES = ['none', 'cone', 'symmetric'];
const LAYERS = ['local', 'perimeter'];

// ---------------------------------------------------------------------------------------------
// Scenarios. `allow` lists what the client may send (outbound, new flows); 'all' means no filter.
// Signaling (TCP 443) stays allowed everywhere except `blocked` and `proxy-only` (which reaches it
// through squid), or a client could not even join a room.
// ---------------------------------------------------------------------------------------------

const udp = (from, to = from) => ({ proto: 'udp', from, to });
const tcp = (from, to = from) => ({ proto: 'tcp', from, to });

export const SCENARIOS = Object.freeze({
  open: { allow: 'all', description: 'nothing filtered' },
  'only-udp-10000-60000': {
    allow: [udp(10000, 60000), udp(3478), tcp(443)],
    description: 'UDP 10000-60000, UDP 3478 and TCP 443 out; everything else dropped',
  },
  'only-udp-3478': {
    allow: [udp(3478), tcp(443)],
    description: 'UDP 3478 (STUN/TURN) and TCP 443 (signaling, TURN-TLS) out; everything else dropped',
  },
  'only-tcp-443': { allow: [tcp(443)], description: 'TCP 443 out only; all UDP dropped' },
  'proxy-only': {
    allow: [],
    proxy: true,
    description: `no direct traffic at all; only squid at ${addr.routerInside}:${ports.proxy} (CONNECT to port 443 only)`,
  },
  blocked: { allow: [], description: 'nothing allowed out' },
  'nat-cone': {
    allow: 'all',
    nat: 'cone',
    description: 'open, behind masquerade (endpoint-independent mapping, port-restricted filtering)',
  },
  'nat-symmetric': {
    allow: 'all',
    nat: 'symmetric',
    description: 'open, behind masquerade fully-random (new port per destination)',
  },
  // Inspection boxes usually keep a bypass list (banking, health, pinned business apps); here the
  // signaling host is on it, so a client can still join and only TURN-TLS meets the re-signing.
  'tls-inspection': {
    allow: 'all',
    inspect: 'turn',
    description:
      'open, but TCP 443 to the TURN servers (A, B) is terminated by a middlebox that re-signs with the Corp Inspection CA; signaling (C) is on its bypass list',
  },
  'tls-inspection-all': {
    allow: 'all',
    inspect: 'all',
    description:
      'open, but every TCP 443 connection to the server side (signaling included) is re-signed by the Corp Inspection CA',
  },
  'tls-inspection-tcp-443': {
    allow: [tcp(443)],
    inspect: 'turn',
    description:
      'only TCP 443 out, and TCP 443 to the TURN servers is TLS-inspected (Corp Inspection CA); signaling bypassed',
  },
  'drop-udp-3478': { allow: 'all', drop: [udp(3478)], description: 'open except UDP 3478 dropped' },
  'local-drop-udp-3478': {
    alias: 'drop-udp-3478',
    layer: 'local',
    description: "UDP 3478 dropped by the client's own firewall (sends fail with EPERM)",
  },
  'perimeter-drop-udp-3478': {
    alias: 'drop-udp-3478',
    layer: 'perimeter',
    description: 'UDP 3478 dropped on the path (packets vanish)',
  },
  'udp-partial': {
    allow: [udp(10000, 29999), udp(40000, 60000), udp(3478), tcp(443)],
    description: 'UDP 10000-29999 and 40000-60000 (30000-39999 closed), UDP 3478, TCP 443',
  },
  'udp-hole': {
    allow: 'all',
    drop: [udp(30000, 30999)],
    description: 'open except UDP 30000-30999 dropped (one blocked sub-range; the range-discovery benchmark)',
  },
  'proxy-auth-only': {
    allow: [],
    proxy: ports.proxyAuth,
    description: `no direct traffic at all; only the authenticating squid at ${addr.routerInside}:${ports.proxyAuth} (Basic, CONNECT to 443 only)`,
  },
  // IPv6 scenarios: rules apply to both families unless `allow6`/`drop6` say otherwise.
  'v6-dropped': {
    allow: 'all',
    drop6: true,
    description: 'IPv4 open; every IPv6 packet dropped at the perimeter (advertised but black-holed)',
  },
  'v6-only': {
    allow: 'all',
    noIpv4Route: true,
    description: 'the client has no IPv4 default route: only IPv6 reaches the servers',
  },
  'v4-tcp-443-v6-open': {
    allow: [tcp(443)],
    allow6: 'all',
    description: 'IPv4: TCP 443 out only (all UDP dropped); IPv6: nothing filtered (media can use IPv6 UDP)',
  },
  'no-udp': { allow: [tcp(1, 65535)], description: 'all TCP out, no UDP at all (TURN-TCP 3478 and TLS 443 work)' },
  'reject-udp': {
    allow: 'all',
    reject: [udp(1, 65535)],
    description: 'all UDP rejected with ICMP port-unreachable (ECONNREFUSED on connected sockets), TCP open',
  },
});

export function scenarioNames() {
  return Object.keys(SCENARIOS);
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sleepSync = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function run(cmd, args, { input, timeoutMs = 20_000, allowFail = false, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: env ?? process.env },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        if (err && !allowFail) {
          reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${String(stderr).trim() || err.message}`));
        } else resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (input !== undefined) child.stdin.end(input);
  });
}

function runSync(cmd, args, { input } = {}) {
  try {
    return {
      code: 0,
      stdout: execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 10_000 }).toString(),
    };
  } catch (e) {
    return { code: e.status ?? 1, stdout: String(e.stdout ?? ''), stderr: String(e.stderr ?? '') };
  }
}

function nsName(which) {
  return ns[which] ?? which;
}

const ip = (args, opts) => run('ip', args, opts);
const inNs = (which, argv, opts) => run('ip', ['netns', 'exec', nsName(which), ...argv], opts);

function namespacesPresent() {
  const r = runSync('ip', ['netns', 'list']);
  const names = r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter(Boolean);
  return Object.values(ns).filter((n) => names.includes(n));
}

function readState() {
  try {
    return JSON.parse(readFileSync(paths.state, 'utf8'));
  } catch {
    return null;
  }
}

function writeState(s) {
  writeFileSync(paths.state, JSON.stringify(s, null, 2));
}

function pidAlive(pid) {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function pidCmd(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// exec inside a namespace
// ---------------------------------------------------------------------------------------------

/**
 * Runs argv inside a lab namespace ('client' | 'router' | 'server' or the full name) and resolves
 * with { code, signal, stdout, stderr, timedOut, durationMs }. Never rejects for a non-zero exit.
 */
export function exec(which, argv, { timeoutMs = 30_000, input, env, cwd } = {}) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', nsName(which), ...argv], {
      env: env ? { ...process.env, ...env } : process.env,
      cwd: cwd ?? repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr, timedOut, durationMs: Date.now() - started });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

export const clientExec = (argv, opts) => exec('client', argv, opts);
export const routerExec = (argv, opts) => exec('router', argv, opts);
export const serverExec = (argv, opts) => exec('server', argv, opts);

// ---------------------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------------------

const labNames = Object.keys(hosts);
const labIps = [addr.turnA, addr.turnB, addr.web, addr.turnA6, addr.turnB6, addr.web6];

async function makeCa(dir, base, subject) {
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    join(dir, `${base}.key`),
    '-out',
    join(dir, `${base}.pem`),
    '-days',
    '30',
    '-subj',
    subject,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

async function makeLeaf(dir, base, caBase, subject) {
  const ext = join(dir, `${base}.ext`);
  writeFileSync(
    ext,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${[...labNames.map((n) => `DNS:${n}`), ...labIps.map((i) => `IP:${i}`)].join(',')}`,
      '',
    ].join('\n'),
  );
  await run('openssl', [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    join(dir, `${base}.key`),
    '-out',
    join(dir, `${base}.csr`),
    '-subj',
    subject,
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    join(dir, `${base}.csr`),
    '-CA',
    join(dir, `${caBase}.pem`),
    '-CAkey',
    join(dir, `${caBase}.key`),
    '-set_serial',
    `0x${Date.now().toString(16)}${Math.floor(Math.random() * 1e6).toString(16)}`,
    '-days',
    '30',
    '-extfile',
    ext,
    '-out',
    join(dir, `${base}.pem`),
  ]);
}

// ---------------------------------------------------------------------------------------------
// nftables text
// ---------------------------------------------------------------------------------------------

function reflectorRules() {
  const r = [];
  // The whole media range: the relay ports live below it (ports.relayMin..relayMax < reflectorMin).
  const high = `${ports.reflectorMin}-${ports.reflectorMax}`;
  const targets = [
    ['ip', addr.turnA, addr.turnA],
    ['ip', addr.web, addr.web],
    ['ip', addr.turnB, addr.turnB],
    ['ip6', addr.turnA6, `[${addr.turnA6}]`],
    ['ip6', addr.web6, `[${addr.web6}]`],
    ['ip6', addr.turnB6, `[${addr.turnB6}]`],
  ];
  for (const [fam, dst, to] of targets) {
    for (const proto of ['udp', 'tcp']) {
      r.push(`    ${fam} daddr ${dst} ${proto} dport ${high} dnat ${fam} to ${to}:${ports.stun}`);
    }
  }
  return `table inet pc_reflect {}
delete table inet pc_reflect
table inet pc_reflect {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
${r.join('\n')}
  }
}
`;
}

function portExpr(p) {
  return p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`;
}

function ruleLines(def, verdictFor) {
  const lines = [];
  for (const p of def.drop ?? []) lines.push(`${p.proto} dport ${portExpr(p)} counter drop`);
  for (const p of def.reject ?? []) {
    lines.push(`${p.proto} dport ${portExpr(p)} counter reject${p.proto === 'tcp' ? ' with tcp reset' : ''}`);
  }
  if (def.allow === 'all') lines.push('counter accept');
  else for (const p of def.allow) lines.push(`${p.proto} dport ${portExpr(p)} counter ${verdictFor}`);
  return lines;
}

/** nft text that replaces table inet pc_fw in one namespace. Exposed for docs and debugging. */
export function firewallRules(name, layer) {
  const def = resolveScenario(name).def;
  const head = 'table inet pc_fw {}\ndelete table inet pc_fw\n';
  const filtered = def.allow !== 'all' || def.drop || def.reject || def.drop6 || def.allow6;
  if (!filtered && !def.proxy) return head;
  const body = familyRuleLines(def);
  if (layer === 'local') {
    const proxyPort = typeof def.proxy === 'number' ? def.proxy : ports.proxy;
    const proxy = def.proxy ? [`ip daddr ${addr.routerInside} tcp dport ${proxyPort} counter accept`] : [];
    return `${head}table inet pc_fw {
  chain local_out {
    type filter hook output priority filter; policy ${def.allow === 'all' ? 'accept' : 'drop'};
    oifname "lo" accept
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } accept
    ct state established,related accept
${[...proxy, ...body].map((l) => `    ${l}`).join('\n')}
  }
}
`;
  }
  // perimeter: the router's forward chain; a stateful firewall drops unsolicited inbound too.
  return `${head}table inet pc_fw {
  chain perimeter {
    type filter hook forward priority filter; policy ${def.allow === 'all' ? 'accept' : 'drop'};
    ct state established,related accept
${body.map((l) => `    iifname "r-c" ${l}`).join('\n')}
  }
}
`;
}

/**
 * The scenario's rules for both families: `drop6` drops every IPv6 packet first; `allow6` gives
 * IPv6 its own allow list (then the IPv4 list is limited to IPv4 with `meta nfproto ipv4`).
 * Without either, one list applies to both families (an inet table), as before.
 */
function familyRuleLines(def) {
  const v6 = def.drop6 ? ['meta nfproto ipv6 counter drop'] : [];
  if (def.allow6 === undefined) return [...v6, ...ruleLines(def, 'accept')];
  const only = (fam, lines) => lines.map((l) => `meta nfproto ${fam} ${l}`);
  return [
    ...v6,
    ...only('ipv6', ruleLines({ allow: def.allow6 }, 'accept')),
    ...only('ipv4', ruleLines(def, 'accept')),
  ];
}

function natRules(mode) {
  // Both families: a NATed lab network translates IPv6 too (NAT66), so a NAT scenario means the same
  // for IPv6 twins as for IPv4 checks (and the engine's NAT66 detection has something to find).
  const head = 'table ip pc_nat {}\ndelete table ip pc_nat\ntable ip6 pc_nat6 {}\ndelete table ip6 pc_nat6\n';
  if (mode === 'none') return head;
  const random = mode === 'symmetric' ? ' fully-random' : '';
  return `${head}table ip pc_nat {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "r-s" ip saddr ${addr.clientNet} masquerade${random}
  }
}
table ip6 pc_nat6 {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "r-s" ip6 saddr ${addr.clientNet6} masquerade${random}
  }
}
`;
}

/** which: false (no inspection) | 'turn' (TCP 443 to A and B) | 'all' (A, B and C, i.e. signaling too). */
function inspectRules(which) {
  const head =
    'table inet pc_inspect {}\ndelete table inet pc_inspect\ntable ip pc_inspect {}\ndelete table ip pc_inspect\n';
  if (!which) return head;
  const targets =
    which === 'turn'
      ? [addr.turnA, addr.turnB, addr.turnA6, addr.turnB6]
      : [...Object.keys(ports.mitm), ...Object.keys(ports.mitm6)];
  const lines = [
    ...Object.entries(ports.mitm)
      .filter(([dst]) => targets.includes(dst))
      .map(([dst, p]) => `    iifname "r-c" ip daddr ${dst} tcp dport 443 dnat ip to ${addr.routerInside}:${p}`),
    ...Object.entries(ports.mitm6)
      .filter(([dst]) => targets.includes(dst))
      .map(([dst, p]) => `    iifname "r-c" ip6 daddr ${dst} tcp dport 443 dnat ip6 to [${addr.routerInside6}]:${p}`),
  ];
  return `${head}table inet pc_inspect {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
${lines.join('\n')}
  }
}
`;
}

async function nft(which, text) {
  await inNs(which, ['nft', '-f', '-'], { input: text });
}

let conntrackWarned = false;
async function flushConntrack() {
  // Without the flush, old NAT mappings and firewall verdicts of live flows survive a scenario switch.
  const rs = await Promise.all(Object.keys(ns).map((w) => inNs(w, ['conntrack', '-F'], { allowFail: true })));
  if (!conntrackWarned && rs.some((r) => /No such file|not found/.test(r.stderr))) {
    conntrackWarned = true;
    console.warn(
      '[lab] conntrack not installed (apt-get install conntrack): flows from before a scenario switch keep their old NAT/filter state',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Daemons
// ---------------------------------------------------------------------------------------------

function spawnDaemon(which, argv, logName) {
  const out = openSync(join(runDir, logName), 'a');
  const child = spawn('ip', ['netns', 'exec', nsName(which), ...argv], {
    detached: true,
    stdio: ['ignore', out, out],
    cwd: runDir,
  });
  closeSync(out);
  child.on('error', () => {});
  child.unref();
  return child.pid;
}

function coturnArgs({ listen, port, tlsPort, altTlsPort, altPort, minPort, maxPort, log, auth }) {
  return [
    'turnserver',
    '-n',
    '--no-cli',
    ...listen.flatMap((a) => ['-L', a]),
    '--listening-port',
    String(port),
    ...(altPort ? ['--alt-listening-port', String(altPort)] : []),
    '--tls-listening-port',
    String(tlsPort),
    ...(altTlsPort ? ['--alt-tls-listening-port', String(altTlsPort)] : []),
    '--cert',
    paths.serverCert,
    '--pkey',
    paths.serverKey,
    '--realm',
    credentials.realm,
    '--fingerprint',
    ...auth,
    '--min-port',
    String(minPort),
    '--max-port',
    String(maxPort),
    '--log-file',
    join(runDir, log),
    '--simple-log',
    '--no-stdout-log',
    '--pidfile',
    join(runDir, `${log}.pid`),
    '--userdb',
    join(runDir, `${log}.db`),
    '--no-tlsv1',
    '--no-tlsv1_1',
  ];
}

function squidConf() {
  return `# pathcheck lab squid (router namespace)
http_port ${addr.routerInside}:${ports.proxy}
acl SSL_ports port 443
acl Safe_ports port 80 443
acl CONNECT method CONNECT
acl lab_clients src ${addr.clientNet} ${addr.clientNet6}
http_access deny !Safe_ports
http_access deny CONNECT !SSL_ports
http_access allow lab_clients
http_access deny all
cache deny all
cache_mem 8 MB
pinger_enable off
dns_nameservers 127.0.0.1
hosts_file /etc/hosts
pid_filename none
cache_effective_user proxy
cache_log ${join(runDir, 'squid', 'cache.log')}
access_log stdio:${join(runDir, 'squid', 'access.log')}
coredump_dir ${join(runDir, 'squid')}
shutdown_lifetime 0 seconds
visible_hostname proxy.lab.test
`;
}

/** The authenticating squid: same policy as squidConf, but every request needs Basic credentials. */
function squidAuthConf() {
  const dir = join(runDir, 'squid-auth');
  return `# pathcheck lab squid with Basic authentication (router namespace)
http_port ${addr.routerInside}:${ports.proxyAuth}
auth_param basic program /usr/lib/squid/basic_ncsa_auth ${join(runDir, 'proxy-htpasswd')}
auth_param basic realm ${proxyAuthCredentials.realm}
auth_param basic children 2
acl SSL_ports port 443
acl Safe_ports port 80 443
acl CONNECT method CONNECT
acl lab_clients src ${addr.clientNet} ${addr.clientNet6}
acl authed proxy_auth REQUIRED
http_access deny !Safe_ports
http_access deny CONNECT !SSL_ports
http_access deny !lab_clients
http_access allow authed
http_access deny all
cache deny all
cache_mem 8 MB
pinger_enable off
dns_nameservers 127.0.0.1
hosts_file /etc/hosts
pid_filename none
cache_effective_user proxy
cache_log ${join(dir, 'cache.log')}
access_log stdio:${join(dir, 'access.log')}
coredump_dir ${dir}
shutdown_lifetime 0 seconds
visible_hostname proxy-auth.lab.test
`;
}

async function listening(which) {
  const r = await inNs(which, ['ss', '-Hlntu'], { allowFail: true });
  const set = new Set();
  for (const line of r.stdout.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5) continue;
    set.add(`${cols[0]} ${cols[4].replace(/%\S+?:/, ':')}`);
  }
  return set;
}

function readyExpectations() {
  const e = { server: [], router: [] };
  for (const a of [addr.turnA, addr.turnB]) {
    e.server.push(
      `udp ${a}:${ports.stun}`,
      `tcp ${a}:${ports.stun}`,
      `tcp ${a}:${ports.turnTls}`,
      `tcp ${a}:${ports.turnTlsAlt}`,
    );
  }
  e.server.push(
    `udp ${addr.turnA}:${ports.restStun}`,
    `tcp ${addr.turnA}:${ports.restTls}`,
    `tcp ${addr.web}:${ports.signaling}`,
    `udp ${addr.web}:${ports.stun}`,
  );
  e.router.push(`tcp ${addr.routerInside}:${ports.proxy}`, `tcp ${addr.routerInside}:${ports.proxyAuth}`);
  for (const p of Object.values(ports.mitm)) e.router.push(`tcp ${addr.routerInside}:${p}`);
  for (const p of Object.values(ports.mitm6)) e.router.push(`tcp [${addr.routerInside6}]:${p}`);
  return e;
}

function tailLogs() {
  const out = [];
  for (const f of [
    'turnserver.log',
    'turnserver-rest.log',
    'reflector.log',
    'sig.log',
    'mitm.log',
    'squid.out',
    join('squid', 'cache.log'),
    'squid-auth.out',
    join('squid-auth', 'cache.log'),
  ]) {
    try {
      const t = readFileSync(join(runDir, f), 'utf8').split('\n').slice(-8).join('\n');
      out.push(`--- ${f}\n${t}`);
    } catch {}
  }
  return out.join('\n');
}

async function waitReady(deadlineMs, pids) {
  const want = readyExpectations();
  const stop = Date.now() + deadlineMs;
  let missing = [];
  while (Date.now() < stop) {
    const [s, r] = await Promise.all([listening('server'), listening('router')]);
    missing = [...want.server.filter((x) => !s.has(x)), ...want.router.filter((x) => !r.has(x))];
    if (missing.length === 0) return;
    const dead = Object.entries(pids)
      .filter(([, pid]) => !pidAlive(pid))
      .map(([n]) => n);
    if (dead.length) throw new Error(`lab: ${dead.join(', ')} exited during bring-up\n${tailLogs()}`);
    await sleep(100);
  }
  throw new Error(`lab: services not listening after ${deadlineMs} ms: ${missing.join(', ')}\n${tailLogs()}`);
}

// ---------------------------------------------------------------------------------------------
// Lock: the lab is a machine-wide singleton (fixed namespace names). A process that brings it up
// owns it until down(); another process waits (PATHCHECK_LAB_WAIT_MS, default 100 s) instead of
// tearing it down under its owner. A lock whose owner is gone is stale and taken over.
// ---------------------------------------------------------------------------------------------

export const lockFile = '/run/pathcheck-lab.lock';

function lockOwner() {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function acquireLock() {
  const waitMs = Number(process.env.PATHCHECK_LAB_WAIT_MS ?? 100_000);
  const stop = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const owner = lockOwner();
    if (owner === process.pid) return;
    if (owner === null || !pidAlive(owner)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > stop) {
      throw new Error(`lab: in use by pid ${owner} (${pidCmd(owner).join(' ').slice(0, 120)}); waited ${waitMs} ms`);
    }
    if (!told) {
      console.warn(`[lab] in use by pid ${owner}; waiting up to ${waitMs} ms`);
      told = true;
    }
    await sleep(250);
  }
}

function releaseLock() {
  const owner = lockOwner();
  if (owner === process.pid || owner === null || !pidAlive(owner)) rmSync(lockFile, { force: true });
}

/** Pid of another live process that owns the lab, or null. */
export function lockedBy() {
  const owner = lockOwner();
  return owner !== null && owner !== process.pid && pidAlive(owner) ? owner : null;
}

// ---------------------------------------------------------------------------------------------
// up / down
// ---------------------------------------------------------------------------------------------

let cleanupRegistered = false;
function registerCleanup() {
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  process.once('exit', () => downSync());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      downSync();
      process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[sig] ?? 0));
    });
  }
}

/** True when all three namespaces exist and every lab daemon recorded in the state file is alive. */
export function isUp() {
  const st = readState();
  if (!st || namespacesPresent().length !== 3) return false;
  return Object.values(st.pids ?? {}).every(pidAlive);
}

/**
 * Brings the lab up (or reuses a healthy one) and applies `scenario` (default 'open').
 * options: { nat: 'none'|'cone'|'symmetric' (base NAT for scenarios that do not set one),
 *            scenario, layer, keep: true to leave the lab up when this process exits (CLI) }
 * Resolves with { ms, reused }.
 */
export async function up({ nat = 'none', scenario: scen = 'open', layer = 'perimeter', keep = false } = {}) {
  if (!NAT_MODES.includes(nat)) throw new Error(`lab: nat must be one of ${NAT_MODES.join(', ')}`);
  const started = Date.now();
  await acquireLock();
  if (!keep) registerCleanup();
  if (isUp()) {
    const st = readState();
    st.baseNat = nat;
    writeState(st);
    await scenario(scen, { layer });
    if (keep) releaseLock();
    return { ms: Date.now() - started, reused: true };
  }
  teardown(); // leftovers of a crashed run (we hold the lock)
  try {
    await bringUp(nat);
    await scenario(scen, { layer });
  } catch (e) {
    downSync();
    throw e;
  }
  if (keep) releaseLock(); // a kept lab (CLI) belongs to nobody: the next user takes it over
  return { ms: Date.now() - started, reused: false };
}

async function bringUp(nat) {
  mkdirSync(runDir, { recursive: true, mode: 0o755 });
  mkdirSync(join(runDir, 'squid'), { recursive: true });
  chownSync(join(runDir, 'squid'), uidOf('proxy'), gidOf('proxy'));
  mkdirSync(join(runDir, 'squid-auth'), { recursive: true });
  chownSync(join(runDir, 'squid-auth'), uidOf('proxy'), gidOf('proxy'));
  writeState({ createdAt: new Date().toISOString(), pids: {}, baseNat: nat, owner: process.pid });

  // Certificates in parallel with the network.
  const certs = (async () => {
    await Promise.all([
      makeCa(runDir, 'ca', '/O=Pathcheck Lab/CN=Pathcheck Lab CA'),
      makeCa(runDir, 'corp-inspection-ca', '/O=Corp/CN=Corp Inspection CA'),
    ]);
    await Promise.all([
      makeLeaf(runDir, 'server', 'ca', '/O=Pathcheck Lab/CN=turn.lab.test'),
      makeLeaf(runDir, 'mitm', 'corp-inspection-ca', '/O=Corp/CN=turn.lab.test'),
    ]);
  })();

  // Name resolution and resolv.conf (pointing at nothing) for every namespace.
  const hostsText =
    '127.0.0.1 localhost\n::1 localhost\n' +
    [...Object.entries(hosts), ...Object.entries(hosts6)].map(([n, a]) => `${a} ${n}`).join('\n') +
    '\n';
  for (const n of Object.values(ns)) {
    mkdirSync(`/etc/netns/${n}`, { recursive: true });
    writeFileSync(`/etc/netns/${n}/hosts`, hostsText);
    writeFileSync(`/etc/netns/${n}/resolv.conf`, 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  }

  for (const n of Object.values(ns)) await ip(['netns', 'add', n]);
  // No duplicate address detection on the veths' link-local addresses either (the global ones are
  // added `nodad`): while they are tentative (~1 s after link up) the first IPv6 packet across a hop
  // waits one neighbour-discovery retransmit (1 s), which ate a third of an IPv6 quality stream's
  // budget right after bring-up (docs/quality.md, "Address families").
  await Promise.all(
    Object.keys(ns).map((w) =>
      inNs(w, ['sysctl', '-q', '-w', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']),
    ),
  );
  const C = ns.client,
    R = ns.router,
    S = ns.server;
  // veths are created inside the namespaces directly: the host namespace never sees them.
  await Promise.all([
    ip(['-n', C, 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'r-c', 'netns', R]),
    ip(['-n', S, 'link', 'add', 's0', 'type', 'veth', 'peer', 'name', 'r-s', 'netns', R]),
  ]);
  const cmds = [
    [C, 'addr', 'add', `${addr.client}/24`, 'dev', 'c0'],
    [C, 'addr', 'add', `${addr.client6}/64`, 'dev', 'c0', 'nodad'],
    [R, 'addr', 'add', `${addr.routerInside}/24`, 'dev', 'r-c'],
    [R, 'addr', 'add', `${addr.routerInside6}/64`, 'dev', 'r-c', 'nodad'],
    [R, 'addr', 'add', `${addr.routerOutside}/24`, 'dev', 'r-s'],
    [R, 'addr', 'add', `${addr.routerOutside6}/64`, 'dev', 'r-s', 'nodad'],
    [S, 'addr', 'add', `${addr.turnA}/24`, 'dev', 's0'],
    [S, 'addr', 'add', `${addr.turnB}/24`, 'dev', 's0'],
    [S, 'addr', 'add', `${addr.web}/24`, 'dev', 's0'],
    [S, 'addr', 'add', `${addr.turnA6}/64`, 'dev', 's0', 'nodad'],
    [S, 'addr', 'add', `${addr.turnB6}/64`, 'dev', 's0', 'nodad'],
    [S, 'addr', 'add', `${addr.web6}/64`, 'dev', 's0', 'nodad'],
  ];
  for (const n of [C, R, S]) cmds.push([n, 'link', 'set', 'lo', 'up']);
  cmds.push(
    [C, 'link', 'set', 'c0', 'up'],
    [R, 'link', 'set', 'r-c', 'up'],
    [R, 'link', 'set', 'r-s', 'up'],
    [S, 'link', 'set', 's0', 'up'],
  );
  await Promise.all(cmds.map(([n, ...a]) => ip(['-n', n, ...a])));
  await Promise.all([
    ip(['-n', C, 'route', 'add', 'default', 'via', addr.routerInside]),
    ip(['-n', C, '-6', 'route', 'add', 'default', 'via', addr.routerInside6]),
    ip(['-n', S, 'route', 'add', 'default', 'via', addr.routerOutside]),
    ip(['-n', S, '-6', 'route', 'add', 'default', 'via', addr.routerOutside6]),
    inNs('router', ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']),
    // Let an unprivileged or root process in the client bind low ports freely; keep ephemeral range default.
    nft('server', reflectorRules()),
  ]);
  // Resolve the client's neighbours (the router, both families) now, as on any network in use: a cold
  // neighbour cache drops all but the first few packets of a burst while it resolves.
  await Promise.all(
    [addr.routerInside, addr.routerInside6].map((a) =>
      inNs('client', ['ping', '-c', '1', '-W', '1', a], { allowFail: true }),
    ),
  );

  await certs;
  writeFileSync(join(runDir, 'squid.conf'), squidConf());
  writeFileSync(join(runDir, 'squid-auth.conf'), squidAuthConf());
  // An htpasswd line with an APR1 (MD5) hash, which basic_ncsa_auth reads (squid runs as `proxy`).
  const hash = (await run('openssl', ['passwd', '-apr1', proxyAuthCredentials.password])).stdout.trim();
  writeFileSync(join(runDir, 'proxy-htpasswd'), `${proxyAuthCredentials.username}:${hash}\n`, { mode: 0o644 });

  const pids = {};
  pids.coturn = spawnDaemon(
    'server',
    coturnArgs({
      listen: [addr.turnA, addr.turnB, addr.turnA6, addr.turnB6],
      port: ports.stun,
      altPort: ports.stunAlt,
      tlsPort: ports.turnTls,
      altTlsPort: ports.turnTlsAlt,
      minPort: ports.relayMin,
      maxPort: ports.relayMin + 29,
      log: 'turnserver.log',
      auth: ['--lt-cred-mech', '--user', `${credentials.username}:${credentials.credential}`],
    }),
    'turnserver.out',
  );
  pids.coturnRest = spawnDaemon(
    'server',
    coturnArgs({
      listen: [addr.turnA, addr.turnA6],
      port: ports.restStun,
      tlsPort: ports.restTls,
      minPort: ports.relayMin + 30,
      maxPort: ports.relayMax,
      log: 'turnserver-rest.log',
      auth: ['--use-auth-secret', '--static-auth-secret', credentials.restSecret],
    }),
    'turnserver-rest.out',
  );
  // The reflector's own STUN responder on the web address (a STUN-only coturn), so a redirected
  // probe to web:N is answered from web:3478 and does not clash with flows to coturn on turnA.
  pids.reflector = spawnDaemon(
    'server',
    [
      'turnserver',
      '-n',
      '--no-cli',
      '--stun-only',
      '--no-tls',
      '--no-dtls',
      '-L',
      addr.web,
      '-L',
      addr.web6,
      '--listening-port',
      String(ports.stun),
      '--log-file',
      join(runDir, 'reflector.log'),
      '--simple-log',
      '--no-stdout-log',
      '--pidfile',
      join(runDir, 'reflector.pid'),
      '--userdb',
      join(runDir, 'reflector.db'),
    ],
    'reflector.out',
  );
  pids.signaling = spawnDaemon(
    'server',
    [
      process.execPath,
      join(here, 'sig.mjs'),
      '--cert',
      paths.serverCert,
      '--key',
      paths.serverKey,
      '--listen',
      `${addr.web}:443`,
      '--listen',
      `[${addr.web6}]:443`,
    ],
    'sig.log',
  );
  pids.squid = spawnDaemon('router', ['squid', '-N', '-f', join(runDir, 'squid.conf')], 'squid.out');
  pids.squidAuth = spawnDaemon('router', ['squid', '-N', '-f', join(runDir, 'squid-auth.conf')], 'squid-auth.out');
  const mitmArgs = [
    process.execPath,
    join(here, 'mitm.mjs'),
    '--cert',
    join(runDir, 'mitm.pem'),
    '--key',
    join(runDir, 'mitm.key'),
    '--upstream-ca',
    paths.caPem,
  ];
  for (const [dst, p] of Object.entries(ports.mitm)) mitmArgs.push('--map', `${addr.routerInside}:${p}=${dst}:443`);
  for (const [dst, p] of Object.entries(ports.mitm6))
    mitmArgs.push('--map', `[${addr.routerInside6}]:${p}=[${dst}]:443`);
  pids.mitm = spawnDaemon('router', mitmArgs, 'mitm.log');
  const st = readState();
  st.pids = pids;
  writeState(st);

  await waitReady(15_000, pids);
}

function uidOf(user) {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  return line ? Number(line.split(':')[2]) : 0;
}
function gidOf(user) {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  return line ? Number(line.split(':')[3]) : 0;
}

/** Pids of every process inside the lab namespaces (started by the lab or by tests inside it). */
function pidsInNamespaces() {
  const out = [];
  for (const n of namespacesPresent()) {
    const r = runSync('ip', ['netns', 'pids', n]);
    for (const p of r.stdout.split(/\s+/)) if (/^\d+$/.test(p)) out.push(Number(p));
  }
  return out;
}

/**
 * Tears everything down, synchronously: stops the lab's daemons by pid and waits for them, then
 * any other process left inside the lab namespaces, deletes the namespaces (and with them the veths
 * and nft tables), /etc/netns/<ns> and the run directory. Safe to call when nothing is up.
 * Does nothing while another live process owns the lab (unless force).
 */
export function downSync({ force = false } = {}) {
  const other = lockedBy();
  if (other && !force) {
    if (!downWarned) console.warn(`[lab] not tearing down: the lab belongs to pid ${other}`);
    downWarned = true;
    return false;
  }
  teardown();
  releaseLock();
  return true;
}
let downWarned = false;

function teardown() {
  const st = readState();
  const known = Object.values(st?.pids ?? {}).filter((p) => p && pidAlive(p));
  // Only signal a recorded pid if it still is what we started (guards against pid reuse).
  const ours = known.filter((p) => {
    const c = pidCmd(p).join(' ');
    return /turnserver|squid|sig\.mjs|mitm\.mjs/.test(c);
  });
  const victims = [...new Set([...ours, ...pidsInNamespaces()])].filter((p) => p !== process.pid);
  for (const p of victims) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {}
  }
  const stop = Date.now() + 3000;
  while (victims.some(pidAlive) && Date.now() < stop) sleepSync(50);
  for (const p of victims.filter(pidAlive)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {}
  }
  const stop2 = Date.now() + 2000;
  while (victims.some(pidAlive) && Date.now() < stop2) sleepSync(50);
  for (const n of namespacesPresent()) runSync('ip', ['netns', 'del', n]);
  for (const n of Object.values(ns)) rmSync(`/etc/netns/${n}`, { recursive: true, force: true });
  try {
    if (existsSync('/etc/netns') && readdirSync('/etc/netns').length === 0) rmSync('/etc/netns', { recursive: true });
  } catch {}
  rmSync(runDir, { recursive: true, force: true });
}

/**
 * Async wrapper of downSync (the teardown is short and must also work from an 'exit' handler).
 * Resolves with { ms, done } (done false when another live process owns the lab and !force).
 */
export async function down({ force = false } = {}) {
  const started = Date.now();
  const done = downSync({ force });
  return { ms: Date.now() - started, done };
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

function resolveScenario(name) {
  const s = SCENARIOS[name];
  if (!s) throw new Error(`lab: unknown scenario '${name}' (known: ${scenarioNames().join(', ')})`);
  if (s.alias) return { def: SCENARIOS[s.alias], layer: s.layer, base: s.alias };
  return { def: s, layer: undefined, base: name };
}

/**
 * Applies a scenario: replaces the firewall table in the client (layer 'local') or the router
 * (layer 'perimeter'), sets the NAT and TLS inspection in the router, flushes conntrack.
 * options: { layer = 'perimeter', nat = scenario's own NAT, else the base NAT given to up() }
 */
export async function scenario(name, { layer, nat } = {}) {
  const { def, layer: fixedLayer } = resolveScenario(name);
  const L = fixedLayer ?? layer ?? 'perimeter';
  if (!LAYERS.includes(L)) throw new Error(`lab: layer must be local or perimeter`);
  const st = readState();
  if (!st) throw new Error('lab: not up');
  const other = lockedBy();
  if (other)
    throw new Error(
      `lab: belongs to pid ${other} (${pidCmd(other).join(' ').slice(0, 120)}); not changing its scenario`,
    );
  const natMode = nat ?? def.nat ?? st.baseNat ?? 'none';
  if (!NAT_MODES.includes(natMode)) throw new Error(`lab: nat must be one of ${NAT_MODES.join(', ')}`);
  const open = firewallRules('open', L);
  const rules = firewallRules(name, L);
  await Promise.all([
    nft('client', L === 'local' ? rules : open),
    nft('router', (L === 'perimeter' ? rules : open) + natRules(natMode) + inspectRules(def.inspect ?? false)),
    // IPv6-only client: no IPv4 default route (ENETUNREACH at once); every other scenario restores it.
    def.noIpv4Route
      ? ip(['-n', ns.client, 'route', 'del', 'default'], { allowFail: true })
      : ip(['-n', ns.client, 'route', 'replace', 'default', 'via', addr.routerInside]),
  ]);
  await flushConntrack();
  st.scenario = name;
  st.layer = L;
  st.nat = natMode;
  writeState(st);
  return { scenario: name, layer: L, nat: natMode, inspect: !!def.inspect, proxy: !!def.proxy };
}
export const applyScenario = scenario;

/** Changes only the NAT mode in the router (keeps the firewall). */
export async function setNat(mode) {
  if (!NAT_MODES.includes(mode)) throw new Error(`lab: nat must be one of ${NAT_MODES.join(', ')}`);
  await nft('router', natRules(mode));
  await flushConntrack();
  const st = readState();
  if (st) {
    st.nat = mode;
    writeState(st);
  }
}

/**
 * Shapes the client's link in the router, both ways (r-c egress = towards the client, r-s egress =
 * towards the server): `rateKbit` with tbf (netem is not available in these kernels), and
 * `udpLossPct` random UDP loss with nftables numgen in the forward chain (both directions).
 * `queueMs`: how long a packet may wait in tbf's queue before it is dropped (default 100 ms; a
 * deep queue, e.g. 1500 ms at 64 kbit/s, makes answers arrive late instead of being lost).
 * `shape()` with no options removes both. Independent of the scenario's firewall table.
 */
export async function shape({ rateKbit, udpLossPct, queueMs = 100 } = {}) {
  for (const dev of ['r-c', 'r-s']) {
    await inNs('router', ['tc', 'qdisc', 'del', 'dev', dev, 'root'], { allowFail: true });
    if (rateKbit)
      await inNs('router', [
        'tc',
        'qdisc',
        'add',
        'dev',
        dev,
        'root',
        'tbf',
        'rate',
        `${Number(rateKbit)}kbit`,
        'burst',
        '16kb',
        'latency',
        `${Number(queueMs)}ms`,
      ]);
  }
  const head = 'table inet pc_shape {}\ndelete table inet pc_shape\n';
  const loss = Number(udpLossPct ?? 0);
  await nft(
    'router',
    loss > 0
      ? `${head}table inet pc_shape {
  chain loss {
    type filter hook forward priority filter - 10; policy accept;
    meta l4proto udp numgen random mod 100 < ${Math.round(loss)} counter drop
  }
}
`
      : head,
  );
}

/** What is up: namespaces, daemons (pid, alive), current scenario/layer/nat. */
export function status() {
  const st = readState();
  return {
    up: isUp(),
    namespaces: namespacesPresent(),
    daemons: Object.fromEntries(Object.entries(st?.pids ?? {}).map(([k, p]) => [k, { pid: p, alive: pidAlive(p) }])),
    scenario: st?.scenario ?? null,
    layer: st?.layer ?? null,
    nat: st?.nat ?? null,
    createdAt: st?.createdAt ?? null,
    runDir,
  };
}

/**
 * Creates an NSS database in <home>/.pki/nssdb that trusts the given CA PEMs (default: the lab CA),
 * which is what Debian's Chromium reads for TURN-TLS and HTTPS. Needs certutil (libnss3-tools).
 * Returns the database directory.
 */
export async function makeNssDb(home, caPems = [paths.caPem]) {
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  await run('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
  let i = 0;
  for (const pem of caPems)
    await run('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', `pathcheck-lab-ca-${i++}`, '-i', pem]);
  return db;
}

/** TURN REST (coturn --use-auth-secret) credentials for the second coturn instance. */
export function turnRestCredentials(ttlSeconds = 3600, user = 'lab') {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${user}`;
  const credential = createHmac('sha1', credentials.restSecret).update(username).digest('base64');
  return { username, credential };
}

/** Every service in one table, for docs, the CLI and tests. */
export const services = Object.freeze([
  {
    name: 'coturn (static user)',
    where: `${addr.turnA}, ${addr.turnB}, ${addr.turnA6}, ${addr.turnB6}`,
    ports: 'UDP+TCP 3478 (STUN/TURN), UDP+TCP 3479 (RFC 5780 alt port), TLS/DTLS 443 and 5349',
    auth: 'lt-cred-mech labuser:labpass, realm lab.test',
    relay: `${ports.relayMin}-${ports.relayMin + 29}`,
  },
  {
    name: 'coturn (TURN REST secret)',
    where: addr.turnA,
    ports: 'UDP+TCP 3480, TLS/DTLS 5350',
    auth: `--use-auth-secret, secret ${credentials.restSecret}`,
    relay: `${ports.relayMin + 30}-${ports.relayMax}`,
  },
  {
    name: 'reflector',
    where: `${addr.turnA}, ${addr.turnB}, ${addr.web} (+ v6)`,
    ports: `UDP+TCP ${ports.reflectorMin}-${ports.reflectorMax} (all of it) -> port 3478 of the same address (coturn on turnA/turnB, a STUN-only coturn on web)`,
  },
  { name: 'signaling HTTPS', where: `${addr.web}, ${addr.web6}`, ports: 'TCP 443' },
  { name: 'squid', where: addr.routerInside, ports: 'TCP 3128 (CONNECT to 443 only)' },
  {
    name: 'squid (Basic auth)',
    where: addr.routerInside,
    ports: `TCP ${ports.proxyAuth} (CONNECT to 443 only)`,
    auth: `Basic ${proxyAuthCredentials.username}:${proxyAuthCredentials.password}`,
  },
  {
    name: 'TLS-inspecting MITM',
    where: addr.routerInside,
    ports: '8441 (-> turnA:443), 8442 (-> turnB:443), 8443 (-> web:443); DNAT only in inspection scenarios',
  },
]);

export default {
  up,
  down,
  downSync,
  lockedBy,
  makeNssDb,
  scenario,
  applyScenario,
  setNat,
  shape,
  exec,
  clientExec,
  routerExec,
  serverExec,
  status,
  isUp,
  turnRestCredentials,
  firewallRules,
  scenarioNames,
  SCENARIOS,
  ns,
  addr,
  hosts,
  hosts6,
  ports,
  credentials,
  paths,
  proxyUrl,
  proxyAuthUrl,
  proxyAuthUrlWithCredentials,
  proxyAuthCredentials,
  services,
};
