import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../../../electron/common/profile/schema';
import type { Report } from '../../../../electron/common/report/schema';
import { planFix } from '../../../../electron/node/firewall/fix';
import type { FirewallDetection } from '../../../../electron/node/firewall/types';
import { loadFixture } from '../../common/report/fixtures';

const p = parseProfile({
  schemaVersion: 1, id: 'lab', name: 'Lab', stun: [{ host: 'turn.lab.test', port: 3478 }],
  turn: [{ host: 'turn.lab.test', port: 3478, transport: 'udp' }], group: { udpPorts: [[10000, 60000]] },
  addresses: { ipv4: ['10.77.2.0/24'], ipv6: ['fd77:2::/64'] },
});
if (!p.ok) throw new Error('profile');
const profile = p.profile;

const nftDetection: FirewallDetection = {
  platform: 'linux', outboundDefault: 'allow', localRulesAllowed: null, notes: [],
  engines: [{ name: 'nftables', present: true, active: true, outboundDefault: 'allow', detail: '' }],
  dropChains: [{ family: 'inet', table: 'corp', chain: 'egress', drops: [{ protocol: 'udp', ports: [[3478, 3478]], verdict: 'drop' }] }],
};

function withBlocked(layer: 'local' | 'perimeter' | 'proxy'): Report {
  const r = structuredClone(loadFixture('only-tcp-443')) as Report;
  r.firewall = { layer, blocked: [{ protocol: 'udp', ports: [[3478, 3478]], to: ['turn.lab.test'], purpose: 'TURN over UDP', checks: ['turn:udp:turn.lab.test:3478'], layer }] };
  return r;
}

describe('planFix: local apply, ticket, or a refusal with the reason', () => {
  it('a local nftables drop on Linux: rules into the chain that drops, and an apply plan', () => {
    const f = planFix(profile, withBlocked('local'), nftDetection, 'linux');
    expect(f).toMatchObject({ mode: 'local', canApply: true, refusal: null, localTarget: 'nftables' });
    expect(f.localRules!.text).toContain('corp');
    expect(f.applyPlan).toMatchObject({ chain: { family: 'inet', table: 'corp', chain: 'egress' }, rules: [{ family: 4, protocol: 'udp', daddr: ['10.77.2.0/24'], ports: [[3478, 3478]] }, { family: 6 }] });
  });
  it('a perimeter drop: no local apply, a ticket with the blocked requirement', () => {
    const f = planFix(profile, withBlocked('perimeter'), nftDetection, 'linux');
    expect(f).toMatchObject({ mode: 'ticket', canApply: false, applyPlan: null });
    expect(f.refusal).toMatch(/perimeter firewall/);
    expect(f.ticket).toHaveLength(1);
  });
  it('a proxy block says the proxy', () => {
    expect(planFix(profile, withBlocked('proxy'), nftDetection, 'linux').refusal).toMatch(/the proxy/);
  });
  it('policy that forbids local rules: refuse and say why', () => {
    const f = planFix(profile, withBlocked('local'), { ...nftDetection, platform: 'win32', localRulesAllowed: false }, 'win32');
    expect(f).toMatchObject({ mode: 'local', canApply: false, localTarget: 'windows-powershell' });
    expect(f.refusal).toMatch(/Policy .* does not allow local firewall rules/);
    expect(f.localRules!.text).toContain('New-NetFirewallRule');
  });
  it('Linux without nftables: rules to copy, no apply', () => {
    const f = planFix(profile, withBlocked('local'), { ...nftDetection, engines: [], dropChains: [] }, 'linux');
    expect(f.canApply).toBe(false);
    expect(f.refusal).toMatch(/not managed with nftables/);
  });
  it('nothing blocked: nothing to fix', () => {
    const r = withBlocked('local');
    r.firewall = { layer: 'unknown', blocked: [] };
    expect(planFix(profile, r, nftDetection, 'linux')).toMatchObject({ mode: 'none', canApply: false });
  });
});
