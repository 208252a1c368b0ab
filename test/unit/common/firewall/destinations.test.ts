import { describe, expect, it } from 'vitest';
import {
  FIREWALL_TARGETS,
  FirewallInputError,
  LIMITS,
  buildFirewallInput,
  generateRules,
  type FirewallInput,
} from '#common/firewall/index';
import { sampleProfile, sampleReport } from './fixtures';

/**
 * What a rule may open: never a whole address family, a top-level domain or a public suffix
 * (refused with the field named, for every target), while P2P's explicit any-destination stays;
 * servers given as IPv4/IPv6 literals work for every target; merges are bounded by explicit caps.
 */
const noAddresses = { addresses: { ipv4: [], ipv6: [] } };

function fieldOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof FirewallInputError) return `${e.field}: ${e.reason}`;
    throw e;
  }
  return 'no error';
}

describe('over-broad destinations are refused', () => {
  const BROAD = [
    '0.0.0.0/0',
    '::/0',
    '0.0.0.0/1',
    '10.0.0.0/4',
    '2000::/3',
    '*.com',
    'com',
    'COM.',
    '*.co.uk',
    'co.uk',
    'localhost',
  ];
  for (const to of BROAD) {
    it(`refuses to: ${to} with the field named`, () => {
      const report = sampleReport([
        { protocol: 'tcp', ports: [[443, 443]], to: ['turn.example.com', to], layer: 'perimeter' },
      ]);
      expect(fieldOf(() => buildFirewallInput(sampleProfile(noAddresses), report))).toMatch(
        /^firewall\.blocked\[0\]\.to\[1\]: .*(every|large part|top-level|public suffix)/,
      );
    });
  }

  it('refuses 0.0.0.0/0 and ::/0 in the profile addresses', () => {
    expect(
      fieldOf(() =>
        buildFirewallInput(sampleProfile({ addresses: { ipv4: ['0.0.0.0/0'], ipv6: [] } }), sampleReport()),
      ),
    ).toMatch(/^profile\.addresses\.ipv4\[0\]: .*every IPv4/);
    expect(
      fieldOf(() => buildFirewallInput(sampleProfile({ addresses: { ipv4: [], ipv6: ['::/0'] } }), sampleReport())),
    ).toMatch(/^profile\.addresses\.ipv6\[0\]: .*every IPv6/);
  });

  it('refuses a hand-built input with a broad destination for every target', () => {
    const good = buildFirewallInput(sampleProfile(), sampleReport());
    const variants: Array<[string, (i: FirewallInput) => void]> = [
      ['requirements[0].ipv4[0]', (i) => (i.requirements[0]!.ipv4[0] = '0.0.0.0/0')],
      ['requirements[0].ipv6[0]', (i) => (i.requirements[0]!.ipv6[0] = '::/0')],
      ['requirements[0].hostnames[0]', (i) => (i.requirements[0]!.hostnames[0] = '*.com')],
      ['relayHosts[0].host', (i) => (i.relayHosts[0]!.host = 'com')],
      ['requirements[0].anyDestination', (i) => (i.requirements[0]!.anyDestination = true)],
    ];
    for (const [field, mutate] of variants) {
      const bad = structuredClone(good);
      mutate(bad);
      for (const t of FIREWALL_TARGETS)
        expect(
          fieldOf(() => generateRules(t.id, bad)),
          `${t.id} ${field}`,
        ).toMatch(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}: `));
    }
  });

  it('keeps peer-to-peer any-destination explicit, as before', () => {
    const input = buildFirewallInput(
      sampleProfile(),
      sampleReport([
        {
          protocol: 'udp',
          ports: [[10000, 20000]],
          to: [],
          anyDestination: true,
          purpose: 'Peer-to-peer media',
          layer: 'perimeter',
        },
      ]),
    );
    expect(input.requirements[0]).toMatchObject({ anyDestination: true, ipv4: [], ipv6: [], hostnames: [] });
    for (const t of FIREWALL_TARGETS) expect(() => generateRules(t.id, input), t.id).not.toThrow();
    // No chain known: the script inserts it, with no address match, into each dropping chain it finds.
    expect(generateRules('nftables', input).text).toMatch(/^any 'udp dport 10000-20000 accept comment "pathcheck"'$/m);
  });

  it('accepts narrow ranges and owned domains', () => {
    const report = sampleReport([
      {
        protocol: 'tcp',
        ports: [[443, 443]],
        to: ['10.0.0.0/8', '2001:db8::/32', '*.example.co.uk', 'turn.example.com.'],
      },
    ]);
    const input = buildFirewallInput(sampleProfile(noAddresses), report);
    expect(input.requirements[0]).toMatchObject({
      ipv4: ['10.0.0.0/8'],
      ipv6: ['2001:db8::/32'],
      hostnames: ['*.example.co.uk', 'turn.example.com'],
    });
  });
});

describe('IPv4 and IPv6 literals are valid servers and destinations for every target', () => {
  const ipProfile = sampleProfile({
    ...noAddresses,
    signaling: [{ host: '192.0.2.20', port: 443 }],
    stun: [{ host: '192.0.2.10', port: 3478 }],
    turn: [
      { host: '192.0.2.10', port: 3478, transport: 'udp' },
      { host: '2001:db8::10', port: 443, transport: 'tls' },
      { host: '192.0.2.10', port: 443, transport: 'tcp' },
    ],
  });
  const ipReport = sampleReport([
    {
      protocol: 'udp',
      ports: [[3478, 3478]],
      to: ['192.0.2.10', '2001:db8::10'],
      purpose: 'TURN over UDP',
      layer: 'perimeter',
    },
    {
      protocol: 'tcp',
      ports: [[443, 443]],
      to: ['2001:db8::10', '192.0.2.10'],
      purpose: 'TURN over TLS',
      layer: 'proxy',
    },
  ]);
  const nameReport = sampleReport([
    { protocol: 'udp', ports: [[3478, 3478]], to: ['turn.example.com'], purpose: 'TURN over UDP', layer: 'perimeter' },
    { protocol: 'tcp', ports: [[443, 443]], to: ['turn.example.com'], purpose: 'TURN over TLS', layer: 'proxy' },
  ]);
  const ipInput = buildFirewallInput(ipProfile, ipReport);
  const nameInput = buildFirewallInput(sampleProfile(noAddresses), nameReport);

  it('builds relay hosts from IP-literal TURN and signaling servers', () => {
    expect(ipInput.relayHosts.map((h) => [h.host, h.ports, h.role])).toEqual([
      ['2001:db8::10', [443], 'turn'],
      ['192.0.2.10', [443], 'turn'],
      ['192.0.2.20', [443], 'signaling'],
    ]);
  });

  const expectations: Record<string, { ip: RegExp[]; name: RegExp[] }> = {
    'windows-powershell': {
      ip: [/-RemoteAddress '192\.0\.2\.10','2001:db8::10'/],
      name: [/host names are not supported/],
    },
    'windows-netsh': { ip: [/remoteip=192\.0\.2\.10,2001:db8::10/], name: [/host names are not supported/] },
    nftables: {
      ip: [/ip daddr 192\.0\.2\.10 udp dport 3478/, /ip6 daddr 2001:db8::10 tcp dport 443/],
      name: [/host names are not supported/],
    },
    iptables: {
      ip: [
        /holds_drop iptables\); do\n[^]*?"\$ipt" -I OUTPUT -p udp -d 192\.0\.2\.10 --dport 3478/,
        /holds_drop ip6tables\); do\n[^]*?"\$ipt" -I OUTPUT -p tcp -d 2001:db8::10 --dport 443/,
      ],
      name: [/host names are not supported/],
    },
    ufw: {
      ip: [/ufw allow out proto udp to 192\.0\.2\.10 port 3478/, /to 2001:db8::10 port 443/],
      name: [/host names are not supported/],
    },
    firewalld: {
      ip: [/family="ipv4" destination address="192\.0\.2\.10"/, /family="ipv6" destination address="2001:db8::10"/],
      name: [/host names are not supported/],
    },
    'macos-pf': { ip: [/192\.0\.2\.10/, /2001:db8::10/], name: [/host names are not supported/] },
    'little-snitch': { ip: [/192\.0\.2\.10, 2001:db8::10/], name: [/"remote-hosts": \[\s*"turn\.example\.com"/] },
    'cisco-asa': {
      ip: [/network-object host 192\.0\.2\.10/, /network-object host 2001:db8::10/],
      name: [/fqdn turn\.example\.com/],
    },
    panos: { ip: [/ip-netmask 192\.0\.2\.10/, /ip-netmask 2001:db8::10/], name: [/fqdn turn\.example\.com/] },
    fortigate: { ip: [/192\.0\.2\.10/, /2001:db8::10/], name: [/fqdn "?turn\.example\.com/] },
    'juniper-srx': { ip: [/192\.0\.2\.10\/32/, /2001:db8::10\/128/], name: [/dns-name turn\.example\.com/] },
    checkpoint: { ip: [/192\.0\.2\.10/, /2001:db8::10/], name: [/turn\.example\.com/] },
    'aws-sg': {
      ip: [/"CidrIp":"192\.0\.2\.10\/32"/, /"CidrIpv6":"2001:db8::10\/128"/],
      name: [/host names are not supported/],
    },
    'azure-nsg': { ip: [/192\.0\.2\.10/, /2001:db8::10/], name: [/host names are not supported/] },
    squid: {
      ip: [
        /^acl pathcheck_relay_ip_1 dst 2001:db8::10 192\.0\.2\.10 192\.0\.2\.20$/m,
        /^http_access allow pathcheck_connect pathcheck_relay_ip_1 pathcheck_ports_1$/m,
      ],
      name: [/dstdomain turn\.example\.com/],
    },
    pac: { ip: [/host == "192\.0\.2\.10"/, /host == "2001:db8::10"/], name: [/host == "turn\.example\.com"/] },
  };

  it('has an expectation for every target', () => {
    expect(Object.keys(expectations).sort()).toEqual(FIREWALL_TARGETS.map((t) => t.id).sort());
  });

  for (const t of FIREWALL_TARGETS) {
    it(`${t.id}: IP-literal and name destinations`, () => {
      const e = expectations[t.id]!;
      const ip = generateRules(t.id, ipInput);
      for (const re of e.ip) expect(ip.text, `${t.id} ip`).toMatch(re);
      const name = generateRules(t.id, nameInput);
      const all = `${name.text}\n${name.notes.join('\n')}`;
      for (const re of e.name) expect(all, `${t.id} name`).toMatch(re);
    });
  }

  it('refuses IP literals that are not exactly addresses', () => {
    for (const host of ['192.0.2.10/32', '[2001:db8::1]', 'fe80::1%eth0', '::::::::', '1.2.3.04']) {
      const p = sampleProfile();
      p.turn[1] = { host, port: 443, transport: 'tls' };
      expect(
        fieldOf(() => buildFirewallInput(p, sampleReport())),
        host,
      ).toMatch(/^profile\.turn\[1\]\.host: /);
    }
  });
});

describe('squid pairs ports with the names that need them', () => {
  it("does not open signaling's port to the TURN host, or TURN's to signaling", () => {
    const input = buildFirewallInput(
      sampleProfile({ signaling: [{ host: 'sig.example.com', port: 8443 }] }),
      sampleReport(),
    );
    const text = generateRules('squid', input).text;
    expect(text).toMatch(/^acl pathcheck_ports_1 port 443\nacl pathcheck_relay_1 dstdomain turn\.example\.com$/m);
    expect(text).toMatch(/^acl pathcheck_ports_2 port 8443\nacl pathcheck_relay_2 dstdomain sig\.example\.com$/m);
    expect(text).toMatch(/^http_access allow pathcheck_connect pathcheck_relay_1 pathcheck_ports_1$/m);
    expect(text).toMatch(/^http_access allow pathcheck_connect pathcheck_relay_2 pathcheck_ports_2$/m);
    expect(text).not.toMatch(/pathcheck_relay_1 pathcheck_ports_2|pathcheck_relay_2 pathcheck_ports_1/);
    expect(text.match(/^acl \S+ port /gm)).toHaveLength(2);
  });
});

describe('merge caps', () => {
  it('refuses more blocked entries than the cap, naming the field', () => {
    const entry = { protocol: 'udp', ports: [[3478, 3478]], to: ['192.0.2.1'], checks: [], layer: 'perimeter' };
    const report = sampleReport([entry]);
    report.firewall.blocked = Array.from({ length: LIMITS.blockedEntries + 1 }, () => report.firewall.blocked[0]!);
    expect(fieldOf(() => buildFirewallInput(sampleProfile(noAddresses), report))).toMatch(
      /^firewall\.blocked: 100001 entries; at most 100000/,
    );
  });

  it('refuses a merged rule with more destinations than the cap', () => {
    const report = sampleReport(
      Array.from({ length: LIMITS.destinationsPerRequirement + 1 }, (_, i) => ({
        protocol: 'udp',
        ports: [[3478, 3478]],
        to: [`10.${i >> 8}.${i & 255}.1`],
      })),
    );
    expect(fieldOf(() => buildFirewallInput(sampleProfile(noAddresses), report))).toMatch(
      /^firewall\.blocked: rule 1 \(udp\) would list 513 destinations; at most 512/,
    );
  });

  it('merges many entries to the same result as few (order of first appearance kept)', () => {
    const few = sampleReport([
      { protocol: 'udp', ports: [[3478, 3478]], to: ['192.0.2.1'], checks: ['a'] },
      { protocol: 'udp', ports: [[3479, 3479]], to: ['192.0.2.1'], checks: ['b'] },
      { protocol: 'udp', ports: [[3478, 3479]], to: ['192.0.2.2'], checks: ['c'] },
    ]);
    const many = sampleReport(Array.from({ length: 3000 }, (_, i) => few.firewall.blocked[i % 3]!));
    const a = buildFirewallInput(sampleProfile(noAddresses), few);
    const b = buildFirewallInput(sampleProfile(noAddresses), many);
    expect(b.requirements).toEqual(a.requirements);
    expect(a.requirements).toEqual([
      expect.objectContaining({ ports: [[3478, 3479]], ipv4: ['192.0.2.1', '192.0.2.2'], checks: ['a', 'b', 'c'] }),
    ]);
  });
});
