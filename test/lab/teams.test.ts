// The built-in Microsoft Teams profile, diagnosed in the lab. Its servers are Microsoft's, which the
// lab cannot reach, so a test-only override maps them to the lab's: the signaling host to the lab's
// HTTPS server, the Teams transport relay to coturn (whose plain TCP TURN listens on 3478, not 443),
// and Microsoft's media ranges to the lab's server network. Everything else — no credentials (so
// TURN is proven by the 401 challenge), the UDP 3478-3481 media range, the notice — is the shipped
// profile as it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lab from './lab.mjs';
import { missingPrereqs, prereqs } from '../support/prereq';
import { parseProfile, type Profile } from '#common/profile/schema';
import { ReportSchema, type Report } from '#common/report/schema';

const CLI_BUILT = 'out/cli/pathcheck.js';
const NO_PROXY_ENV = {
  HTTPS_PROXY: '',
  https_proxy: '',
  HTTP_PROXY: '',
  http_proxy: '',
  ALL_PROXY: '',
  all_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
};
const HOST_MAP: Record<string, string> = {
  'teams.microsoft.com': 'sig.lab.test',
  'worldaz.tr.teams.microsoft.com': 'turn.lab.test',
};

/** The shipped Teams profile with its servers mapped to the lab (the only change). */
function teamsForLab(): Profile {
  const raw = JSON.parse(readFileSync('resources/profiles/microsoft-teams.json', 'utf8')) as Record<string, unknown> & {
    signaling: Array<{ host: string; port: number }>;
    stun: Array<{ host: string; port: number }>;
    turn: Array<{ host: string; port: number; transport: string }>;
  };
  const map = (h: string) => {
    const to = HOST_MAP[h];
    if (!to) throw new Error(`the Teams profile names ${h}, which this test does not map to the lab`);
    return to;
  };
  const mapped = {
    ...raw,
    signaling: raw.signaling.map((s) => ({ ...s, host: map(s.host) })),
    stun: raw.stun.map((s) => ({ ...s, host: map(s.host) })),
    // The lab's coturn speaks plain TCP TURN on 3478 (TLS on 443); Teams relays take TCP on 443.
    turn: raw.turn.map((t) => ({ ...t, host: map(t.host), port: t.transport === 'tcp' ? lab.ports.stun : t.port })),
    addresses: { ipv4: [lab.addr.serverNet], ipv6: [] },
    tls: { ca: lab.paths.caPem },
  };
  delete (mapped as Record<string, unknown>).addressFeed;
  const parsed = parseProfile(mapped);
  if (!parsed.ok) throw new Error(`the lab copy of the Teams profile is invalid: ${JSON.stringify(parsed.errors)}`);
  return parsed.profile;
}

const skip = missingPrereqs('Teams profile in the lab', [
  prereqs.root,
  prereqs.ip,
  prereqs.nft,
  prereqs.coturn,
  prereqs.openssl,
]);

describe.skipIf(skip)('lab: the Microsoft Teams profile', () => {
  let tmp = '';
  let profileFile = '';

  beforeAll(async () => {
    if (!existsSync(CLI_BUILT)) throw new Error(`${CLI_BUILT} is missing: run \`npm run build\` first`);
    tmp = mkdtempSync(join(tmpdir(), 'pathcheck-teams-'));
    profileFile = join(tmp, 'teams-lab.json');
    await lab.up();
    writeFileSync(profileFile, JSON.stringify(teamsForLab(), null, 2));
  });

  afterAll(async () => {
    try {
      await lab.down();
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  });

  async function diagnose(name: 'open' | 'blocked'): Promise<{ exit: number; report: Report; stderr: string }> {
    await lab.scenario(name);
    const r = await lab.clientExec(
      ['node', 'bin/pathcheck.js', 'diagnose', '--profile', profileFile, '--json', '-', '--quiet'],
      {
        timeoutMs: 45_000,
        env: NO_PROXY_ENV,
      },
    );
    return { exit: r.code, report: ReportSchema.parse(JSON.parse(r.stdout)), stderr: r.stderr };
  }

  it('open network: signaling works and both relays answer the TURN challenge (no credentials); media relays through TURN over UDP (exit 1)', async () => {
    const { exit, report } = await diagnose('open');
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    expect(byId.get('tls:sig.lab.test:443')?.status).toBe('pass');
    expect(byId.get('turn:udp:turn.lab.test:3478')).toMatchObject({ status: 'pass', reason: 'auth-required' });
    expect(byId.get('turn:tcp:turn.lab.test:3478')).toMatchObject({ status: 'pass', reason: 'auth-required' });
    expect(report.profile.id).toBe('microsoft-teams');
    // No reflector and no credentials: direct UDP cannot be proven, so media relays through TURN over
    // UDP (reachable: the 401 challenge), and a note says why direct was not measured.
    expect(report.verdicts.group).toMatchObject({ path: 'turn-udp', latency: 'marginal', confidence: 'measured' });
    expect(report.verdicts.group?.notes.join(' ')).toMatch(/no reflector and no TURN credentials/);
    expect(exit).toBe(1);
    expect(report.firewall.blocked).toEqual([]);
  });

  it('blocked network: group calls are blocked (exit 3) and the rules name Teams media ports towards the mapped ranges', async () => {
    const { exit, report } = await diagnose('blocked');
    expect(report.verdicts.group?.path).toBe('blocked');
    expect(exit).toBe(3);
    const udp = report.firewall.blocked.find(
      (b) => b.protocol === 'udp' && b.ports.some(([a, z]) => a <= 3478 && 3478 <= z),
    );
    expect(udp, JSON.stringify(report.firewall.blocked)).toBeDefined();
    const reportFile = join(tmp, 'blocked.json');
    writeFileSync(reportFile, JSON.stringify(report));
    const rules = await lab.clientExec(
      ['node', 'bin/pathcheck.js', 'rules', '--from', reportFile, '--target', 'cisco-asa'],
      { timeoutMs: 20_000 },
    );
    expect(rules.code, rules.stderr).toBe(0);
    expect(rules.stdout).toMatch(/3478/);
  });
});
