import { describe, expect, it } from 'vitest';
import {
  FIREWALL_TARGETS,
  FirewallInputError,
  buildFirewallInput,
  buildNftApplyPlan,
  generateRules,
  parseProxyUrl,
} from '#common/firewall/index';
import { sampleProfile, sampleReport } from './fixtures';

/** Merging, destination choice, host-name handling per target and field-named errors. */

const noAddresses = { addresses: { ipv4: [], ipv6: [] } };

describe('buildFirewallInput', () => {
  it('uses the IPs listed in the report when the profile has no address ranges', () => {
    const input = buildFirewallInput(
      sampleProfile(noAddresses),
      sampleReport([
        { protocol: 'udp', ports: [[3478, 3478]], to: ['192.0.2.10', '2001:db8::10'], purpose: 'TURN over UDP' },
        {
          protocol: 'udp',
          ports: [
            [10000, 20000],
            [15000, 60000],
          ],
          to: ['192.0.2.20'],
          purpose: 'Group media',
        },
      ]),
    );
    expect(input.requirements.map((r) => [r.ipv4, r.ipv6, r.ports])).toEqual([
      [['192.0.2.10'], ['2001:db8::10'], [[3478, 3478]]],
      [['192.0.2.20'], [], [[10000, 60000]]],
    ]);
  });

  it('merges requirements with the same ports into one rule with the union of destinations', () => {
    const input = buildFirewallInput(
      sampleProfile(noAddresses),
      sampleReport([
        { protocol: 'tcp', ports: [[443, 443]], to: ['192.0.2.1'] },
        { protocol: 'tcp', ports: [[443, 443]], to: ['192.0.2.2'] },
        { protocol: 'udp', ports: [[443, 443]], to: ['192.0.2.2'] },
      ]),
    );
    expect(input.requirements).toHaveLength(2);
    expect(input.requirements[0]).toMatchObject({ name: 'pathcheck-tcp-1', ipv4: ['192.0.2.1', '192.0.2.2'] });
    expect(input.requirements[1]).toMatchObject({ name: 'pathcheck-udp-1', protocol: 'udp' });
  });

  it('keeps host names; non-FQDN targets skip a names-only rule and say so, FQDN targets use the names', () => {
    const input = buildFirewallInput(
      sampleProfile(noAddresses),
      sampleReport([{ protocol: 'udp', ports: [[3478, 3478]], to: ['turn.example.com'] }]),
    );
    const nft = generateRules('nftables', input);
    expect(nft.text).not.toMatch(/accept comment "pathcheck"/);
    expect(nft.text).toMatch(
      /# pathcheck-udp-1: host names are not supported by Linux nftables: turn\.example\.com skipped/,
    );
    expect(nft.notes.join('\n')).toMatch(/skipped/);
    const asa = generateRules('cisco-asa', input);
    expect(asa.text).toMatch(/^ fqdn turn\.example\.com$/m);
    const panos = generateRules('panos', input);
    expect(panos.text).toMatch(/^set address pathcheck-udp-1-h1 fqdn turn\.example\.com$/m);
    for (const t of FIREWALL_TARGETS.filter((x) => !x.supportsHostnames)) {
      expect(generateRules(t.id, input).text, t.id).not.toMatch(/turn\.example\.com"?\s*(port|--dport|-d|remote)/);
    }
  });

  it('allows any destination (and says so) when neither profile nor report names one', () => {
    const input = buildFirewallInput(
      sampleProfile(noAddresses),
      sampleReport([{ protocol: 'udp', ports: [[10000, 65535]], to: [] }]),
    );
    expect(input.requirements[0]?.anyDestination).toBe(true);
    const nft = generateRules('nftables', input);
    expect(nft.text).toMatch(/^any 'udp dport 10000-65535 accept comment "pathcheck"'$/m);
    expect(nft.notes.join(' ')).toMatch(/any destination/);
  });

  it('filters by layer and takes the nft chain hint from detection', () => {
    const input = buildFirewallInput(
      sampleProfile(),
      sampleReport([
        { protocol: 'udp', ports: [[3478, 3478]], to: [], layer: 'local' },
        { protocol: 'tcp', ports: [[443, 443]], to: [], layer: 'perimeter' },
      ]),
      { layers: ['local'], nft: { family: 'ip', table: 'fw', chain: 'out' } },
    );
    expect(input.requirements.map((r) => r.protocol)).toEqual(['udp']);
    const nft = generateRules('nftables', input);
    expect(nft.text).toMatch(
      /^insert rule ip fw out ip daddr \{ 203\.0\.113\.0\/24, 198\.51\.100\.128\/25 \} udp dport 3478 accept comment "pathcheck"$/m,
    );
    expect(nft.text).not.toMatch(/ip6 daddr/);
    expect(nft.undo).toMatch(/nft -a list chain ip fw out/);
    expect(buildNftApplyPlan(input).rules.map((r) => r.family)).toEqual([4]);
  });

  it('names the field of a bad value', () => {
    const bad = sampleReport([{ protocol: 'udp', ports: [[3478, 3478]], to: ['192.0.2.1', '192.0.2.1;reboot'] }]);
    expect(() => buildFirewallInput(sampleProfile(), bad)).toThrowError(FirewallInputError);
    try {
      buildFirewallInput(sampleProfile(), bad);
    } catch (e) {
      expect((e as FirewallInputError).field).toBe('firewall.blocked[0].to[1]');
    }
    const port0 = sampleReport([{ protocol: 'udp', ports: [[0, 10]], to: [] }]);
    expect(() => buildFirewallInput(sampleProfile(), port0)).toThrowError(/firewall\.blocked\[0\]\.ports\[0\]\[0\]/);
  });

  it('parses proxy URLs strictly', () => {
    expect(parseProxyUrl('http://proxy.corp.example:3128')).toEqual({ host: 'proxy.corp.example', port: 3128 });
    expect(parseProxyUrl('http://[2001:db8::1]:8080/')).toEqual({ host: '2001:db8::1', port: 8080 });
    expect(() => parseProxyUrl('http://user:pw@proxy:3128')).toThrowError(FirewallInputError);
    expect(() => parseProxyUrl('http://proxy:99999')).toThrowError(FirewallInputError);
  });

  it('lists all seventeen targets with a kind and host-name support', () => {
    expect(FIREWALL_TARGETS.map((t) => t.id)).toEqual([
      'windows-powershell',
      'windows-netsh',
      'nftables',
      'iptables',
      'ufw',
      'firewalld',
      'macos-pf',
      'little-snitch',
      'cisco-asa',
      'panos',
      'fortigate',
      'juniper-srx',
      'checkpoint',
      'aws-sg',
      'azure-nsg',
      'squid',
      'pac',
    ]);
    expect(() => generateRules('bogus' as never, buildFirewallInput(sampleProfile(), sampleReport()))).toThrowError(
      FirewallInputError,
    );
  });
});
