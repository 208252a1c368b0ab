import { describe, expect, it } from 'vitest';
import { parseProfile } from '#common/profile/schema';
import type { Report } from '#common/report/schema';
import { planFix } from '#node/firewall/fix';
import type { FirewallDetection } from '#node/firewall/types';
import { loadFixture } from '../../common/report/fixtures';

const p = parseProfile({
  schemaVersion: 1,
  id: 'lab',
  name: 'Lab',
  stun: [{ host: 'turn.lab.test', port: 3478 }],
  turn: [{ host: 'turn.lab.test', port: 3478, transport: 'udp' }],
  group: { udpPorts: [[10000, 60000]] },
  addresses: { ipv4: ['10.77.2.0/24'], ipv6: ['fd77:2::/64'] },
});
if (!p.ok) throw new Error('profile');
const profile = p.profile;

const nftDetection: FirewallDetection = {
  platform: 'linux',
  outboundDefault: 'allow',
  localRulesAllowed: null,
  notes: [],
  engines: [{ name: 'nftables', present: true, active: true, outboundDefault: 'allow', detail: '' }],
  dropChains: [
    {
      family: 'inet',
      table: 'corp',
      chain: 'egress',
      drops: [{ protocol: 'udp', ports: [[3478, 3478]], verdict: 'drop' }],
    },
  ],
};

function withBlocked(layer: 'local' | 'perimeter' | 'proxy'): Report {
  const r = structuredClone(loadFixture('only-tcp-443')) as Report;
  r.firewall = {
    layer,
    blocked: [
      {
        protocol: 'udp',
        ports: [[3478, 3478]],
        to: ['turn.lab.test'],
        purpose: 'TURN over UDP',
        checks: ['turn:udp:turn.lab.test:3478'],
        layer,
      },
    ],
  };
  return r;
}

describe('planFix: local apply, ticket, or a refusal with the reason', () => {
  it('a local nftables drop on Linux: rules into the chain that drops, and an apply plan', () => {
    const f = planFix(profile, withBlocked('local'), nftDetection, 'linux');
    expect(f).toMatchObject({ mode: 'local', canApply: true, refusal: null, localTarget: 'nftables' });
    expect(f.localRules!.text).toContain('corp');
    expect(f.applyPlan).toMatchObject({
      chains: [{ family: 'inet', table: 'corp', chain: 'egress' }],
      discover: false,
      rules: [{ family: 4, protocol: 'udp', daddr: ['10.77.2.0/24'], ports: [[3478, 3478]] }, { family: 6 }],
    });
    expect(f.where.join(' ')).toMatch(/Into inet corp egress: it drops this traffic/);
  });
  it('only the chains that drop this traffic: not a chain that drops something else', () => {
    const det: FirewallDetection = {
      ...nftDetection,
      dropChains: [
        ...nftDetection.dropChains,
        {
          family: 'ip',
          table: 'other',
          chain: 'out',
          drops: [{ protocol: 'tcp', ports: [[25, 25]], verdict: 'drop' }],
        },
      ],
    };
    expect(planFix(profile, withBlocked('local'), det, 'linux').applyPlan?.chains).toEqual([
      { family: 'inet', table: 'corp', chain: 'egress' },
    ]);
  });
  it("a drop in another product's table (a VPN kill switch): no apply, and the reason names it", () => {
    const det: FirewallDetection = {
      ...nftDetection,
      dropChains: [{ family: 'inet', table: 'mullvad', chain: 'output', policyDrop: true, drops: [] }],
    };
    const f = planFix(profile, withBlocked('local'), det, 'linux');
    expect(f).toMatchObject({ canApply: false, applyPlan: null });
    expect(f.refusal).toMatch(/dropped in inet mullvad output \(Mullvad VPN\), which belongs to another product/);
  });
  it('the ruleset could not be read (not root): the elevated step finds the dropping chains, and the dialog says so', () => {
    const det: FirewallDetection = {
      ...nftDetection,
      engines: [{ name: 'nftables', present: true, active: null, outboundDefault: 'unknown', detail: '' }],
      dropChains: [],
    };
    const f = planFix(profile, withBlocked('local'), det, 'linux');
    expect(f.applyPlan).toMatchObject({ chains: [], discover: true });
    expect(f.where.join(' ')).toMatch(/could not read the rules without administrator rights/);
  });
  it('nftables read, no chain drops this traffic: no apply', () => {
    const f = planFix(profile, withBlocked('local'), { ...nftDetection, dropChains: [] }, 'linux');
    expect(f.canApply).toBe(false);
    expect(f.refusal).toMatch(/No nftables chain on this computer drops this traffic/);
  });
  it('the drop is in iptables-legacy: no nft apply, and the refusal says which commands open it', () => {
    const legacy = {
      name: 'iptables-legacy' as const,
      present: true,
      active: true,
      outboundDefault: 'allow' as const,
      detail: '',
    };
    const det = { ...nftDetection, dropChains: [], engines: [...nftDetection.engines, legacy] };
    const f = planFix(profile, withBlocked('local'), det, 'linux');
    expect(f.canApply).toBe(false);
    expect(f.refusal).toMatch(/the drop is in iptables-legacy, whose tables nft cannot see/);
    // The preview shows the commands that open it.
    expect(f.localTarget).toBe('iptables');
    expect(f.localRules?.text).toMatch(/^ins iptables-legacy -I OUTPUT /m);
  });
  it('ufw manages the computer: the preview is ufw commands, no nft apply, and the refusal says why', () => {
    const ufw = { name: 'ufw' as const, present: true, active: true, outboundDefault: 'drop' as const, detail: '' };
    const det = { ...nftDetection, dropChains: [], engines: [...nftDetection.engines, ufw] };
    const f = planFix(profile, withBlocked('local'), det, 'linux');
    expect(f).toMatchObject({ canApply: false, applyPlan: null, localTarget: 'ufw' });
    expect(f.localRules?.text).toMatch(/^ufw allow out proto udp to 10\.77\.2\.0\/24 port 3478 comment pathcheck$/m);
    expect(f.refusal).toMatch(/^Not applied here: ufw manages this computer\u2019s firewall/);
    expect(f.refusal).not.toContain('report: firewall.local');
  });
  it('ufw active, the drop in an nftables table of its own: the nft apply into that chain stays', () => {
    const ufw = { name: 'ufw' as const, present: true, active: true, outboundDefault: 'allow' as const, detail: '' };
    const f = planFix(
      profile,
      withBlocked('local'),
      { ...nftDetection, engines: [...nftDetection.engines, ufw] },
      'linux',
    );
    expect(f).toMatchObject({ canApply: true, localTarget: 'nftables', refusal: null });
    expect(f.applyPlan?.chains).toEqual([{ family: 'inet', table: 'corp', chain: 'egress' }]);
  });
  it('opens only what the report measured blocked AND the profile requires: no wider port range, no 0.0.0.0/0', () => {
    const wide = withBlocked('local');
    wide.firewall.blocked = [
      { protocol: 'udp', ports: [[1, 65535]], to: ['turn.lab.test'], checks: [], layer: 'local' },
      { protocol: 'tcp', ports: [[1, 65535]], to: [], anyDestination: true, checks: [], layer: 'local' },
    ];
    const f = planFix(profile, wide, nftDetection, 'linux');
    expect(f.applyPlan?.rules.map((r) => [r.family, r.protocol, r.ports])).toEqual([
      [
        4,
        'udp',
        [
          [3478, 3478],
          [10000, 60000],
        ],
      ],
      [
        6,
        'udp',
        [
          [3478, 3478],
          [10000, 60000],
        ],
      ],
    ]);
    expect(() =>
      planFix(
        { ...profile, addresses: { ipv4: ['0.0.0.0/0'], ipv6: [] } },
        withBlocked('local'),
        nftDetection,
        'linux',
      ),
    ).toThrowError(/^profile\.addresses\.ipv4\[0\]: .*every IPv4/);
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
    const f = planFix(
      profile,
      withBlocked('local'),
      { ...nftDetection, platform: 'win32', localRulesAllowed: false },
      'win32',
    );
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
