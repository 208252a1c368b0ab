import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfileJson, type Profile } from '#common/profile/schema';
import { PlannedCheckSchema } from '#common/report/progress';
import { planChecks, planDiagnosis } from '#node/engine/plan';
import { ipv6Usable, settleFamilies } from '#node/engine/families';
import { v6Id } from '#common/report/family';

const DIR = join(__dirname, '../../../../resources/profiles');
const profiles: Profile[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => {
    const r = parseProfileJson(readFileSync(join(DIR, f), 'utf8'));
    if (!r.ok) throw new Error(`${f}: ${JSON.stringify(r.errors)}`);
    return r.profile;
  });

describe('the plan: each check described once', () => {
  it.each(profiles.map((p) => [p.id, p] as const))(
    '%s: unique ids, and every name a check needs is resolved by a check of the plan',
    (_id, profile) => {
      const plan = planDiagnosis(profile, { rooms: ['group', 'p2p'], hasCredentials: true });
      const ids = [...plan.checks, ...plan.ranges].map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      const provided = new Set(plan.checks.flatMap((d) => (d.provides ? [d.provides.name] : [])));
      for (const d of plan.checks) if (d.needs?.name) expect(provided, d.id).toContain(d.needs.name);
      for (const r of plan.ranges) expect(provided, r.id).toContain(r.host);
    },
  );

  it.each(profiles.map((p) => [p.id, p] as const))(
    '%s: the plan event carries where each check goes, so views never parse ids',
    (_id, profile) => {
      const planned = planChecks(profile, { rooms: ['group', 'p2p'], hasCredentials: true });
      for (const p of planned) {
        expect(PlannedCheckSchema.parse(p)).toEqual(p);
        if (p.kind === 'turn') {
          const server = profile.turn.find(
            (t) => t.transport === p.transport && t.host === p.host && t.port === p.port,
          );
          expect(server, p.id).toBeDefined();
        }
      }
      expect(planned.filter((p) => p.kind === 'turn')).toHaveLength(profile.turn.length);
    },
  );

  it('plans the relay proof only with credentials, and the ranges only for the rooms asked for', () => {
    const profile = profiles.find((p) => p.reflector && p.group && p.p2p && p.turn.some((t) => t.transport === 'udp'));
    if (!profile) return expect.fail('a built-in profile with a reflector, both rooms and TURN/UDP is expected');
    const kinds = (hasCredentials: boolean, rooms: Array<'group' | 'p2p'>) =>
      planChecks(profile, { rooms, hasCredentials }).map((p) => p.kind);
    expect(kinds(true, ['group'])).toContain('relay');
    expect(kinds(false, ['group'])).not.toContain('relay');
    const ranges = (rooms: Array<'group' | 'p2p'>) =>
      planDiagnosis(profile, { rooms, hasCredentials: false }).ranges.map((r) => r.id);
    expect(ranges(['group'])).toEqual(['udp-range:group']);
    expect(ranges(['p2p'])).not.toContain('udp-range:group');
  });
});

describe('the plan over both families (docs/architecture.md, "Dual stack")', () => {
  const lab = (() => {
    const r = parseProfileJson(readFileSync(join(__dirname, '../../../lab/profile.json'), 'utf8'));
    if (!r.ok) throw new Error('lab profile');
    return r.profile;
  })();
  const opts = { rooms: ['group', 'p2p'] as ('group' | 'p2p')[], hasCredentials: true };

  it('every network check and range has an IPv6 twin right after it (id/v6, family 6, label says IPv6); names have none', () => {
    const v4 = planDiagnosis(lab, opts);
    const dual = planDiagnosis(lab, { ...opts, ipv6: true });
    const net = [...v4.checks, ...v4.ranges].filter((d) => d.kind !== 'dns');
    expect(net.length).toBeGreaterThan(8);
    for (const d of net) expect(d.family, d.id).toBe(4);
    expect(v4.checks.filter((d) => d.kind === 'dns').every((d) => d.family === undefined)).toBe(true);
    const all = [...dual.checks, ...dual.ranges];
    for (const d of net) {
      const i = all.findIndex((x) => x.id === d.id);
      expect(all[i]).toMatchObject({ id: d.id, family: 4, label: d.label });
      expect(all[i + 1]).toMatchObject({ id: v6Id(d.id), family: 6, kind: d.kind, label: `${d.label} (IPv6)` });
    }
    expect(all.length).toBe(v4.checks.filter((d) => d.kind === 'dns').length + 2 * net.length);
    expect(dual.ranges.find((r) => r.id === 'udp-range:group/v6')).toMatchObject({
      family: 6,
      host: 'reflect.lab.test',
    });
  });

  const dual = planDiagnosis(lab, { ...opts, ipv6: true });
  const dualStack = (name: string, f: 4 | 6) => (name === 'turn.lab.test' || f === 4 ? true : name !== 'sig.lab.test');
  const ids = (p: { checks: { id: string }[]; ranges: { id: string }[] }) =>
    [...p.checks, ...p.ranges].map((d) => d.id);

  it('no usable IPv6 on this machine: every twin is withdrawn, the IPv4 plan is what it was', () => {
    const s = settleFamilies(dual, { ipv6Usable: false, proxy: false, has: () => true });
    expect(ids(s)).toEqual(ids(planDiagnosis(lab, opts)));
  });

  it('a name without AAAA loses only its own twins', () => {
    const s = settleFamilies(dual, { ipv6Usable: true, proxy: false, has: dualStack });
    expect(ids(s)).not.toContain('tls:sig.lab.test:443/v6');
    expect(ids(s)).toContain('tls:sig.lab.test:443');
    expect(ids(s)).toContain('turn:udp:turn.lab.test:3478/v6');
    expect(ids(s)).toContain('udp-range:group/v6');
  });

  it('through a proxy (it resolves the names) the TCP/TLS twins are withdrawn; UDP twins, never proxied, stay', () => {
    const s = settleFamilies(dual, { ipv6Usable: true, proxy: true, has: () => true });
    expect(ids(s)).not.toContain('tls:sig.lab.test:443/v6');
    expect(ids(s)).not.toContain('turn:tls:turn.lab.test:443/v6');
    expect(ids(s)).not.toContain('turn:tcp:turn.lab.test:3478/v6');
    expect(ids(s)).toContain('turn:udp:turn.lab.test:3478/v6');
    expect(ids(s)).toContain('stun:udp:turn.lab.test:3478/v6');
  });

  it('an IPv6-only server name: its IPv4 variants give way to the twins', () => {
    const s = settleFamilies(dual, {
      ipv6Usable: true,
      proxy: false,
      has: (n, f) => (n === 'turn.lab.test' ? f === 6 : true),
    });
    expect(ids(s)).not.toContain('turn:udp:turn.lab.test:3478');
    expect(ids(s)).toContain('turn:udp:turn.lab.test:3478/v6');
    expect(ids(s)).toContain('tls:sig.lab.test:443');
  });
});

describe('whether this machine can try IPv6', () => {
  const nic = (address: string, internal = false) => ({
    name: 'en0',
    tunnel: false,
    addresses: [{ address, family: 'IPv6' as const, internal, cidr: null }],
  });
  it('host facts decide where they were read (Linux: address and default route)', () => {
    const facts = (usable: boolean) => ({
      usable,
      defaultRoute: null,
      addresses: [],
      temporaryAddresses: 0,
      tunnels: [],
      bypassesVpn: false,
      notes: [],
    });
    expect(ipv6Usable({ interfaces: [nic('2001:db8::5')], ipv6: facts(false) })).toBe(false);
    expect(ipv6Usable({ interfaces: [], ipv6: facts(true) })).toBe(true);
  });
  it('elsewhere a global or ULA address outside loopback; link-local and loopback are not enough', () => {
    expect(ipv6Usable({ interfaces: [nic('2001:db8::5')] })).toBe(true);
    expect(ipv6Usable({ interfaces: [nic('fd00:1::5')] })).toBe(true);
    expect(ipv6Usable({ interfaces: [nic('fe80::1%en0'), nic('::1', true)] })).toBe(false);
    expect(ipv6Usable(undefined)).toBe(false);
  });
});
