// The lab's own infrastructure test: brings the lab up once and checks, with tools that are NOT
// Pathcheck's engine (coturn's turnutils, openssl, curl, a 100-line STUN probe), that every piece
// really behaves: coturn (UDP/TCP/TLS, RFC 5780, static and REST credentials), the reflector, the
// firewall scenarios on both layers, both NATs, the TLS-inspecting middlebox and squid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as lab from './lab.mjs';
import type { Layer, ScenarioName } from './lab.mjs';
import { hasCommand, missingPrereqs, prereqs } from '../support/prereq';
import { parseProfile } from '#common/profile/schema';

interface ProbeResult {
  target: string;
  ok: boolean;
  mapped?: { address: string; port: number } | null;
  error?: string;
  issuer?: string;
  ms: number;
}

const PROBE = 'test/lab/stun-probe.mjs';

/** STUN Binding(s) from inside pc-client with the independent probe; one UDP socket for all targets. */
async function probe(
  targets: string[],
  opts: { mode?: 'udp' | 'tcp' | 'tls'; timeoutMs?: number; ca?: string; v6?: boolean } = {},
) {
  const args = ['node', PROBE, '--timeout', String(opts.timeoutMs ?? 1500), ...(opts.v6 ? ['--6'] : [])];
  if (opts.mode === 'tcp') args.push('--tcp');
  if (opts.mode === 'tls') args.push('--tls', ...(opts.ca ? ['--ca', opts.ca] : []));
  const r = await lab.clientExec([...args, ...targets], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`stun-probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { local: { port: number } | null; results: ProbeResult[] };
}

async function one(target: string, opts?: Parameters<typeof probe>[1]) {
  return (await probe([target], opts)).results[0]!;
}

/** `openssl s_client` from pc-client: issuer line and verify code. */
async function sClient(hostPort: string, caFile: string, servername?: string) {
  const r = await lab.clientExec(
    [
      'openssl',
      's_client',
      '-connect',
      hostPort,
      '-CAfile',
      caFile,
      ...(servername ? ['-servername', servername] : []),
    ],
    { timeoutMs: 8000, input: '' },
  );
  const issuer = /issuer=([^\n]*)/.exec(r.stdout)?.[1]?.trim() ?? null;
  const verify = /Verify return code: (\d+)/.exec(r.stdout)?.[1];
  return {
    issuer,
    verify: verify === undefined ? null : Number(verify),
    connected: /CONNECTED/.test(r.stdout),
    out: r.stdout + r.stderr,
  };
}

/** curl from pc-client; returns the HTTP code (000 when nothing came back). */
async function curl(args: string[]) {
  const r = await lab.clientExec(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '4', ...args], {
    timeoutMs: 10_000,
  });
  return r.stdout.trim();
}

async function uclient(args: string[]) {
  const r = await lab.clientExec(['turnutils_uclient', '-n', '1', '-m', '1', '-y', '-c', ...args, 'turn.lab.test'], {
    timeoutMs: 20_000,
  });
  const m = /tot_send_msgs=(\d+), tot_recv_msgs=(\d+)\s*$/m.exec(r.stdout + r.stderr);
  return {
    allocated: !/Cannot complete Allocation|error 4\d\d/i.test(r.stdout + r.stderr),
    recv: m ? Number(m[2]) : 0,
    out: r.stdout + r.stderr,
  };
}

async function use(name: ScenarioName, layer: Layer = 'perimeter') {
  return lab.scenario(name, { layer });
}

describe('lab profile', () => {
  it('test/lab/profile.json is a valid profile (schemaVersion 1) that names the lab stack', () => {
    const json = JSON.parse(readFileSync(lab.paths.profile, 'utf8'));
    const r = parseProfile(json);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(json.tls.ca).toBe(lab.paths.caPem);
    expect(json.addresses.ipv4).toEqual([lab.addr.serverNet]);
  });

  it('scenario rule sets render for both layers', () => {
    for (const name of lab.scenarioNames()) {
      for (const layer of ['local', 'perimeter'] as const)
        expect(lab.firewallRules(name, layer)).toContain('table inet pc_fw');
    }
    expect(lab.firewallRules('only-tcp-443', 'local')).toMatch(/hook output[\s\S]*policy drop[\s\S]*tcp dport 443/);
    expect(lab.firewallRules('only-tcp-443', 'perimeter')).toMatch(
      /hook forward[\s\S]*policy drop[\s\S]*iifname "r-c" tcp dport 443/,
    );
  });

  it('IPv6 scenario helpers: drop IPv6 first, or give IPv6 its own allow list', () => {
    const dropped = lab.firewallRules('v6-dropped', 'perimeter');
    expect(dropped).toMatch(/iifname "r-c" meta nfproto ipv6 counter drop\n\s+iifname "r-c" counter accept/);
    const split = lab.firewallRules('v4-tcp-443-v6-open', 'perimeter');
    expect(split).toMatch(/policy drop/);
    expect(split).toContain('iifname "r-c" meta nfproto ipv6 counter accept');
    expect(split).toContain('iifname "r-c" meta nfproto ipv4 tcp dport 443 counter accept');
    expect(lab.firewallRules('proxy-auth-only', 'local')).toContain(
      `ip daddr ${lab.addr.routerInside} tcp dport ${lab.ports.proxyAuth} counter accept`,
    );
  });
});

const skip = missingPrereqs('lab', [
  prereqs.root,
  prereqs.ip,
  prereqs.nft,
  prereqs.coturn,
  prereqs.squid,
  prereqs.openssl,
]);

describe.skipIf(skip)('network lab infrastructure', () => {
  let coturnPid = 0;

  beforeAll(async () => {
    const r = await lab.up();
    console.log(`[lab] bring-up ${r.ms} ms${r.reused ? ' (reused a running lab)' : ''}`);
    coturnPid = lab.status().daemons.coturn!.pid;
  });

  afterAll(async () => {
    const r = await lab.down();
    console.log(`[lab] teardown ${r.ms} ms`);
  });

  describe('topology', () => {
    it('has three namespaces, a client default route and lab names resolving in the client', async () => {
      expect(lab.status().namespaces.sort()).toEqual(['pc-client', 'pc-router', 'pc-server']);
      const route = await lab.clientExec(['ip', 'route', 'show', 'default']);
      expect(route.stdout).toContain(`via ${lab.addr.routerInside}`);
      // The profile's names are dual-stack: an A and an AAAA record each.
      const names = ['turn.lab.test', 'sig.lab.test', 'reflect.lab.test'];
      const v4 = await lab.clientExec(['getent', 'ahostsv4', ...names]);
      expect(v4.stdout).toContain(`${lab.addr.turnA}`);
      expect(v4.stdout).toContain(`${lab.addr.web}`);
      const v6 = await lab.clientExec(['getent', 'ahostsv6', ...names]);
      expect(v6.stdout).toContain(`${lab.addr.turnA6}`);
      expect(v6.stdout).toContain(`${lab.addr.web6}`);
    });

    it('has no route out of the lab: the host namespace is unreachable from the client', async () => {
      const r = await lab.clientExec(['ip', 'route', 'get', '192.0.2.1']);
      // The only route is the default via the router, and the router has no default route.
      const router = await lab.routerExec(['ip', 'route', 'show', 'default']);
      expect(router.stdout.trim()).toBe('');
      expect(r.stdout).toContain(lab.addr.routerInside);
    });
  });

  describe('coturn', () => {
    it('turnutils_stunclient gets a reflexive address and RFC 5780 other-address from turn.lab.test', async () => {
      const r = await lab.clientExec(['turnutils_stunclient', 'turn.lab.test'], { timeoutMs: 15_000 });
      expect(r.stdout).toContain(`UDP reflexive addr: ${lab.addr.client}:`);
      expect(r.stdout).toMatch(
        new RegExp(`Other addr: : ${lab.addr.turnB.replace(/\./g, '\\.')}:${lab.ports.stunAlt}`),
      );
    });

    it('serves verified TLS with the lab CA on 443 and 5349 (both addresses), STUN over TLS answers', async () => {
      for (const hp of ['turn.lab.test:443', 'turn.lab.test:5349', 'turn-alt.lab.test:443']) {
        const s = await sClient(hp, lab.paths.caPem, hp.split(':')[0]);
        expect(s.verify, s.out).toBe(0);
        expect(s.issuer).toContain('Pathcheck Lab CA');
      }
      const t = await one('turn.lab.test:443', { mode: 'tls', ca: lab.paths.caPem });
      expect(t.ok, JSON.stringify(t)).toBe(true);
      expect(t.mapped?.address).toBe(lab.addr.client);
    });

    it('allocates with the static user (UDP, TCP) and TURN REST credentials (3480); refuses a wrong password', async () => {
      const c = lab.turnRestCredentials(600);
      const { username, credential } = lab.credentials;
      // uclient has fixed internal pacing (~4 s a run), so the four runs go in parallel.
      const [u, t, rest, bad] = await Promise.all([
        uclient(['-u', username, '-w', credential]),
        uclient(['-t', '-u', username, '-w', credential]),
        uclient(['-p', String(lab.ports.restStun), '-u', c.username, '-w', c.credential]),
        uclient(['-u', username, '-w', 'wrong']),
      ]);
      for (const ok of [u, t, rest]) {
        expect(ok.allocated, ok.out).toBe(true);
        expect(ok.recv).toBeGreaterThan(0);
      }
      expect(bad.allocated).toBe(false);
    });

    it('serves signaling HTTPS on sig.lab.test:443 with the lab CA', async () => {
      expect(await curl(['--cacert', lab.paths.caPem, 'https://sig.lab.test/'])).toBe('200');
    });
  });

  it.skipIf(!prereqs.chromium.present() || !hasCommand('certutil'))(
    'Debian Chromium runs in pc-client and trusts the lab CA through makeNssDb()',
    async () => {
      const { mkdtempSync, rmSync } = await import('node:fs');
      const home = mkdtempSync('/tmp/pathcheck-lab-chromium-');
      try {
        await lab.makeNssDb(home);
        const r = await lab.clientExec(
          [
            'chromium',
            '--headless=new',
            '--no-sandbox',
            '--disable-gpu',
            '--no-first-run',
            '--disable-background-networking',
            `--user-data-dir=${home}/profile`,
            '--dump-dom',
            'https://sig.lab.test/',
          ],
          { timeoutMs: 40_000, env: { HOME: home } },
        );
        expect(r.stdout).toContain('pathcheck-lab-signaling');
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
  );

  describe('reflector', () => {
    it('answers STUN over UDP and TCP on every port 10000-65535 (no hole), but not on the relay ports below 10000', async () => {
      expect(lab.ports.relayMax).toBeLessThan(lab.ports.reflectorMin);
      expect([lab.ports.relayMin, lab.ports.relayMax]).toEqual([5000, 5049]);
      // 49152/49200 were coturn's relay ports (a hole in the reflector) before they moved below 10000
      const ports = [10000, 10000 + Math.floor(Math.random() * 39000), 49152, 49200, 60000, 65535];
      const u = await probe(ports.map((p) => `reflect.lab.test:${p}`));
      for (const r of u.results) expect(r.ok, JSON.stringify(r)).toBe(true);
      // from one socket: the first flow keeps the source port (later ones are remapped by conntrack on the server)
      expect(u.results[0]!.mapped).toEqual({ address: lab.addr.client, port: u.local!.port });
      for (const p of [ports[1]!, 49152]) {
        const t = await one(`reflect.lab.test:${p}`, { mode: 'tcp' });
        expect(t.ok, `${p} ${JSON.stringify(t)}`).toBe(true);
      }
      const relay = await one(`reflect.lab.test:${lab.ports.relayMin + 3}`, { timeoutMs: 600 });
      expect(relay.ok).toBe(false);
    });
  });

  describe('firewall scenarios', () => {
    it('only-tcp-443 (perimeter): UDP STUN times out, TCP 3478 times out, TLS 443 works', async () => {
      await use('only-tcp-443');
      const u = await one('turn.lab.test:3478', { timeoutMs: 700 });
      expect(u).toMatchObject({ ok: false, error: 'timeout' });
      const t = await one('turn.lab.test:3478', { mode: 'tcp', timeoutMs: 700 });
      expect(t).toMatchObject({ ok: false, error: 'timeout' });
      const s = await one('turn.lab.test:443', { mode: 'tls', ca: lab.paths.caPem });
      expect(s.ok, JSON.stringify(s)).toBe(true);
      expect(await curl(['--cacert', lab.paths.caPem, 'https://sig.lab.test/'])).toBe('200');
    });

    it('drop of UDP 3478: local fails at once with EPERM, perimeter times out; other UDP still passes', async () => {
      await use('local-drop-udp-3478');
      const local = await probe(['turn.lab.test:3478', 'media.lab.test:20000'], { timeoutMs: 700 });
      expect(local.results[0]).toMatchObject({ ok: false, error: 'EPERM' });
      expect(local.results[0]!.ms).toBeLessThan(200);
      expect(local.results[1]!.ok).toBe(true);
      expect(lab.status().layer).toBe('local');

      await use('perimeter-drop-udp-3478');
      const per = await probe(['turn.lab.test:3478', 'media.lab.test:20000'], { timeoutMs: 700 });
      expect(per.results[0]).toMatchObject({ ok: false, error: 'timeout' });
      expect(per.results[1]!.ok).toBe(true);
    });

    it('only-udp-10000-60000: media range and 3478 pass, 60001+ and TCP 3478 do not', async () => {
      await use('only-udp-10000-60000');
      const r = await probe(
        ['media.lab.test:10000', 'media.lab.test:60000', 'turn.lab.test:3478', 'media.lab.test:60001'],
        { timeoutMs: 700 },
      );
      expect(r.results.map((x) => x.ok)).toEqual([true, true, true, false]);
      expect((await one('turn.lab.test:3478', { mode: 'tcp', timeoutMs: 700 })).ok).toBe(false);
    });

    it('only-udp-3478 (local): 3478 passes, the media range fails with EPERM, signaling 443 works', async () => {
      await use('only-udp-3478', 'local');
      const r = await probe(['turn.lab.test:3478', 'media.lab.test:20000'], { timeoutMs: 700 });
      expect(r.results[0]!.ok).toBe(true);
      expect(r.results[1]).toMatchObject({ ok: false, error: 'EPERM' });
      expect(await curl(['--cacert', lab.paths.caPem, 'https://sig.lab.test/'])).toBe('200');
    });

    it('udp-partial: 30000-39999 closed inside an otherwise open 10000-60000', async () => {
      await use('udp-partial');
      const r = await probe(
        ['media.lab.test:29999', 'media.lab.test:30000', 'media.lab.test:39999', 'media.lab.test:40000'],
        { timeoutMs: 700 },
      );
      expect(r.results.map((x) => x.ok)).toEqual([true, false, false, true]);
    });

    it('udp-hole: only UDP 30000-30999 is closed', async () => {
      await use('udp-hole');
      const r = await probe(
        ['media.lab.test:29999', 'media.lab.test:30000', 'media.lab.test:30999', 'media.lab.test:31000'],
        { timeoutMs: 700 },
      );
      expect(r.results.map((x) => x.ok)).toEqual([true, false, false, true]);
    });

    it('blocked: nothing gets out, on either layer', async () => {
      for (const layer of ['local', 'perimeter'] as const) {
        await use('blocked', layer);
        const u = await one('turn.lab.test:3478', { timeoutMs: 600 });
        expect(u.ok).toBe(false);
        expect(u.error).toBe(layer === 'local' ? 'EPERM' : 'timeout');
        expect((await one('turn.lab.test:443', { mode: 'tls', ca: lab.paths.caPem, timeoutMs: 600 })).ok).toBe(false);
      }
    });

    it('no-udp: TCP 3478 and TLS 443 pass, every UDP is dropped', async () => {
      await use('no-udp');
      expect((await one('turn.lab.test:3478', { mode: 'tcp' })).ok).toBe(true);
      expect((await one('turn.lab.test:3478', { timeoutMs: 600 })).ok).toBe(false);
    });

    it('reject-udp: a connected UDP socket gets ECONNREFUSED on both layers', async () => {
      const code = `const s = require('node:dgram').createSocket('udp4');
        s.on('error', (e) => { console.log(e.code); process.exit(0); });
        s.on('message', () => { console.log('answer'); process.exit(0); });
        s.connect(3478, '${lab.addr.turnA}', () => { s.send(Buffer.alloc(20)); setTimeout(() => s.send(Buffer.alloc(20)), 100); });
        setTimeout(() => { console.log('timeout'); process.exit(0); }, 1500);`;
      for (const layer of ['local', 'perimeter'] as const) {
        await use('reject-udp', layer);
        const r = await lab.clientExec(['node', '-e', code], { timeoutMs: 10_000 });
        expect(r.stdout.trim(), layer).toBe('ECONNREFUSED');
      }
    });

    it('another process can neither change the scenario nor tear the lab down while this one owns it', async () => {
      const code = `import('./test/lab/lab.mjs').then(async (lab) => {
        const d = await lab.down();
        let refused = false;
        try { await lab.scenario('open'); } catch (e) { refused = /belongs to pid/.test(e.message); }
        console.log(JSON.stringify({ done: d.done, refused, owner: lab.lockedBy() }));
      })`;
      const { execFileSync } = await import('node:child_process');
      const out = JSON.parse(
        execFileSync(process.execPath, ['-e', code], {
          cwd: process.cwd(),
          stdio: ['ignore', 'pipe', 'ignore'],
        }).toString(),
      );
      expect(out).toEqual({ done: false, refused: true, owner: process.pid });
      expect(lab.isUp()).toBe(true);
    });

    it('switching scenarios never restarts coturn', () => {
      expect(lab.status().daemons.coturn!.pid).toBe(coturnPid);
      expect(lab.status().daemons.coturn!.alive).toBe(true);
    });
  });

  describe('NAT', () => {
    it('cone NAT keeps one mapping for both server addresses; symmetric NAT maps each destination anew', async () => {
      await use('nat-cone');
      const cone = await probe(['turn.lab.test:3478', 'turn-alt.lab.test:3478']);
      const [a, b] = cone.results;
      expect(a!.mapped?.address).toBe(lab.addr.routerOutside);
      expect(a!.mapped?.port).toBe(b!.mapped?.port);

      await use('nat-symmetric');
      const sym = await probe(['turn.lab.test:3478', 'turn-alt.lab.test:3478']);
      const [c, d] = sym.results;
      expect(c!.mapped?.address).toBe(lab.addr.routerOutside);
      expect(c!.mapped?.port).not.toBe(d!.mapped?.port);

      // (turnutils_stunclient behind a NAT spends ~15 s in RFC 5780 retransmissions, so it is not used here)
    });
  });

  describe('middleboxes', () => {
    it('tls-inspection: 443 to the TURN servers is re-signed by the Corp Inspection CA, signaling is bypassed; UDP is untouched', async () => {
      await use('tls-inspection');
      for (const hp of ['turn.lab.test:443', 'turn-alt.lab.test:443']) {
        const s = await sClient(hp, lab.paths.caPem, hp.split(':')[0]);
        expect(s.issuer, hp).toContain('Corp Inspection CA');
        expect(s.verify, hp).not.toBe(0);
      }
      const bypass = await sClient('sig.lab.test:443', lab.paths.caPem, 'sig.lab.test');
      expect(bypass.issuer).toContain('Pathcheck Lab CA');
      expect(bypass.verify, bypass.out).toBe(0);
      const t = await one('turn.lab.test:443', { mode: 'tls', ca: lab.paths.caPem });
      expect(t).toMatchObject({ ok: false });
      expect((await one('turn.lab.test:3478')).ok).toBe(true);
    });

    it('tls-inspection-all: signaling is re-signed too', async () => {
      await use('tls-inspection-all');
      const s = await sClient('turn.lab.test:443', lab.paths.caPem, 'turn.lab.test');
      expect(s.issuer).toContain('Corp Inspection CA');
      const trusted = await sClient('sig.lab.test:443', lab.paths.mitmCaPem, 'sig.lab.test');
      expect(trusted.verify, trusted.out).toBe(0);
      expect(await curl(['--cacert', lab.paths.mitmCaPem, 'https://sig.lab.test/'])).toBe('200');
      expect(await curl(['--cacert', lab.paths.caPem, 'https://sig.lab.test/'])).toBe('000');
    });

    it('proxy-only: squid CONNECT to 443 works, CONNECT to 3478 gets 403, direct 443 does not get out', async () => {
      for (const layer of ['local', 'perimeter'] as const) {
        await use('proxy-only', layer);
        expect(await curl(['--proxy', lab.proxyUrl, '--cacert', lab.paths.caPem, 'https://sig.lab.test/'])).toBe('200');
        const denied = await lab.clientExec(
          [
            'curl',
            '-s',
            '-o',
            '/dev/null',
            '-w',
            '%{http_connect}',
            '--max-time',
            '4',
            '--proxytunnel',
            '--proxy',
            lab.proxyUrl,
            'http://turn.lab.test:3478/',
          ],
          { timeoutMs: 10_000 },
        );
        expect(denied.stdout.trim()).toBe('403');
        // CONNECT to coturn's TLS port is what a browser does for TURN-TLS through the proxy
        const turnTls = await lab.clientExec(
          [
            'curl',
            '-s',
            '-o',
            '/dev/null',
            '-w',
            '%{http_connect}',
            '--max-time',
            '3',
            '--proxy',
            lab.proxyUrl,
            '--cacert',
            lab.paths.caPem,
            'https://turn.lab.test/',
          ],
          { timeoutMs: 10_000 },
        );
        expect(turnTls.stdout.trim()).toBe('200');
        expect(await curl(['--max-time', '1', '--cacert', lab.paths.caPem, 'https://sig.lab.test/'])).toBe('000');
        expect((await one('turn.lab.test:3478', { timeoutMs: 500 })).ok).toBe(false);
      }
    });
  });

  describe('IPv6 (ULA inside the lab only)', () => {
    it('open: the client reaches the server over IPv6 on UDP, TCP and TLS, and is seen with its own address (no NAT66)', async () => {
      await use('open');
      const addrs = await lab.clientExec(['ip', '-6', 'addr', 'show', 'dev', 'c0']);
      expect(addrs.stdout).toContain(`${lab.addr.client6}/64`);
      const route = await lab.clientExec(['ip', '-6', 'route', 'show', 'default']);
      expect(route.stdout).toContain(`via ${lab.addr.routerInside6}`);
      const u = await one('turn6.lab.test:3478', { v6: true });
      expect(u, JSON.stringify(u)).toMatchObject({ ok: true, mapped: { address: lab.addr.client6 } });
      expect(await one(`[${lab.addr.turnB6}]:3478`, { v6: true, mode: 'tcp' })).toMatchObject({
        ok: true,
        mapped: { address: lab.addr.client6 },
      });
      expect((await one('turn6.lab.test:443', { v6: true, mode: 'tls', ca: lab.paths.caPem })).ok).toBe(true);
      // the reflector answers over IPv6 too, on any high port
      expect(await one(`[${lab.addr.web6}]:20000`, { v6: true })).toMatchObject({ ok: true });
      expect(await curl(['-6', '--cacert', lab.paths.caPem, 'https://sig6.lab.test/'])).toBe('200');
    });

    it('v6-dropped: IPv6 is black-holed at the perimeter while IPv4 stays open', async () => {
      await use('v6-dropped');
      expect(await one('turn6.lab.test:3478', { v6: true, timeoutMs: 700 })).toMatchObject({
        ok: false,
        error: 'timeout',
      });
      expect(
        await one('turn6.lab.test:443', { v6: true, mode: 'tls', ca: lab.paths.caPem, timeoutMs: 700 }),
      ).toMatchObject({ ok: false, error: 'timeout' });
      expect((await one('turn.lab.test:3478')).ok).toBe(true);
    });

    it('v6-only: no IPv4 route in the client (fails at once), IPv6 works; the next scenario restores the route', async () => {
      await use('v6-only');
      expect(await one('turn.lab.test:3478', { timeoutMs: 700 })).toMatchObject({ ok: false, error: 'ENETUNREACH' });
      expect((await one('turn6.lab.test:3478', { v6: true })).ok).toBe(true);
      await use('open');
      expect((await one('turn.lab.test:3478')).ok).toBe(true);
    });

    it('v4-tcp-443-v6-open: IPv4 UDP is dropped, IPv6 UDP passes, TLS 443 works on both', async () => {
      await use('v4-tcp-443-v6-open');
      expect(await one('turn.lab.test:3478', { timeoutMs: 700 })).toMatchObject({ ok: false, error: 'timeout' });
      expect((await one('turn6.lab.test:3478', { v6: true })).ok).toBe(true);
      expect((await one(`[${lab.addr.web6}]:40000`, { v6: true })).ok).toBe(true);
      expect((await one('turn.lab.test:443', { mode: 'tls', ca: lab.paths.caPem })).ok).toBe(true);
    });
  });

  describe('authenticating proxy', () => {
    it('proxy-auth-only: CONNECT without credentials gets 407 asking for Basic; with them the tunnel opens; nothing else gets out', async () => {
      for (const layer of ['local', 'perimeter'] as const) {
        await use('proxy-auth-only', layer);
        const bare = await lab.clientExec(
          [
            'curl',
            '-s',
            '-D',
            '-',
            '-o',
            '/dev/null',
            '-w',
            '%{http_connect}',
            '--max-time',
            '4',
            '--proxy',
            lab.proxyAuthUrl,
            '--cacert',
            lab.paths.caPem,
            'https://turn.lab.test/',
          ],
          { timeoutMs: 10_000 },
        );
        expect(bare.stdout.trim().endsWith('407')).toBe(true);
        expect(bare.stdout).toMatch(/Proxy-Authenticate: Basic realm="Pathcheck Lab Proxy"/i);
        expect(
          await curl([
            '--proxy',
            lab.proxyAuthUrlWithCredentials,
            '--cacert',
            lab.paths.caPem,
            'https://sig.lab.test/',
          ]),
        ).toBe('200');
        expect(await curl(['--max-time', '1', '--cacert', lab.paths.caPem, 'https://sig.lab.test/'])).toBe('000');
        expect((await one('turn.lab.test:3478', { timeoutMs: 500 })).ok).toBe(false);
      }
    });
  });

  describe('teardown', () => {
    it('down() stops every daemon and removes namespaces, /etc/netns entries and the run dir; a second down is a no-op', async () => {
      const pids = Object.values(lab.status().daemons).map((d) => d.pid);
      await lab.down();
      const st = lab.status();
      expect(st.up).toBe(false);
      expect(st.namespaces).toEqual([]);
      for (const p of pids) {
        let alive: boolean;
        try {
          const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
          alive = !/\) [ZX] /.test(stat);
        } catch {
          alive = false;
        }
        expect(alive, `pid ${p}`).toBe(false);
      }
      const { existsSync } = await import('node:fs');
      expect(existsSync('/etc/netns/pc-client')).toBe(false);
      expect(existsSync(lab.runDir)).toBe(false);
      await lab.down();
    });
  });
});
