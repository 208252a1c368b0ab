import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIREWALL_TARGETS, buildFirewallInputFromReport, generateRules } from '#common/firewall/index';
import type { FirewallTargetId } from '#common/firewall/index';
import { loadFixture } from '../report/fixtures';

/**
 * Rules from dual-stack reports alone (`rules --from report.json`, no profile), every target. The
 * network of dual-stack-only-tcp-443 drops the same ports over IPv4 and IPv6 (TURN UDP/TCP 3478 to
 * 10.77.0.10 and fd77::10, group media to 10.77.0.0/24 and fd77::/64), so every rule must open both
 * families, each in its product's own syntax; v6-dropped blocks IPv6 only, so address rules carry
 * no IPv4 address. Goldens under __golden__/dual-stack/ (PATHCHECK_UPDATE_GOLDEN=1 rewrites them).
 */
const dir = join(dirname(fileURLToPath(import.meta.url)), '__golden__', 'dual-stack');
const update = process.env.PATHCHECK_UPDATE_GOLDEN === '1';
function golden(name: string, actual: string): void {
  const file = join(dir, name);
  if (update || !existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
    if (!update) throw new Error(`golden ${name} was missing and has been written; read it and re-run`);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** How each product spells "to 10.77.0.10 (IPv4)" and "to fd77::10 (IPv6)", from its documented syntax. */
const SYNTAX: Record<FirewallTargetId, { v4: RegExp; v6: RegExp }> = {
  nftables: {
    v4: /ip daddr 10\.77\.0\.10\/32 udp dport 3478 accept/,
    v6: /ip6 daddr fd77::10\/128 udp dport 3478 accept/,
  },
  iptables: {
    // Either one command per rule, or one loop per binary over the iptables variants that hold a drop.
    v4: /^(?:\s*ins )?(iptables|\s*"\$ipt") -I \S+ (\d+ )?-p udp -d 10\.77\.0\.10\/32 --dport 3478 /m,
    v6: /^(?:ins )?ip6tables -I \S+ (\d+ )?-p udp -d fd77::10\/128 --dport 3478 |holds_drop ip6tables\); do\n(\s+(?:ins )?"\$ipt" [^\n]+\n)*?\s+(?:ins )?"\$ipt" -I \S+ (\d+ )?-p udp -d fd77::10\/128 --dport 3478 /m,
  },
  ufw: {
    v4: /^ufw allow out proto udp to 10\.77\.0\.10\/32 port 3478 /m,
    v6: /^ufw allow out proto udp to fd77::10\/128 port 3478 /m,
  },
  firewalld: {
    v4: /rule family="ipv4" destination address="10\.77\.0\.10\/32" port port="3478" protocol="udp" accept/,
    v6: /rule family="ipv6" destination address="fd77::10\/128" port port="3478" protocol="udp" accept/,
  },
  'windows-powershell': {
    v4: /-Protocol UDP -RemoteAddress '10\.77\.0\.10\/32','fd77::10\/128' -RemotePort '3478'/,
    v6: /-Protocol UDP -RemoteAddress '10\.77\.0\.10\/32','fd77::10\/128' -RemotePort '3478'/,
  },
  'windows-netsh': {
    v4: /protocol=UDP remoteip=10\.77\.0\.10\/32,fd77::10\/128 remoteport=3478 /,
    v6: /protocol=UDP remoteip=10\.77\.0\.10\/32,fd77::10\/128 remoteport=3478 /,
  },
  'macos-pf': {
    v4: /^pass out quick inet proto udp from any to \{ 10\.77\.0\.10\/32 \} port \{ 3478 \} keep state$/m,
    v6: /^pass out quick inet6 proto udp from any to \{ fd77::10\/128 \} port \{ 3478 \} keep state$/m,
  },
  'little-snitch': {
    v4: /"remote-addresses": "10\.77\.0\.10\/32, fd77::10\/128"/,
    v6: /"remote-addresses": "10\.77\.0\.10\/32, fd77::10\/128"/,
  },
  panos: {
    v4: /^set address pathcheck-udp-1-a1 ip-netmask 10\.77\.0\.10\/32$/m,
    v6: /^set address pathcheck-udp-1-a2 ip-netmask fd77::10\/128$/m,
  },
  fortigate: {
    v4: /edit "pathcheck-udp-1-a1"\n\s+set subnet 10\.77\.0\.10 255\.255\.255\.255/,
    v6: /config firewall address6\n\s+edit "pathcheck-udp-1-b1"\n\s+set ip6 fd77::10\/128[\s\S]*set dstaddr6 "pathcheck-udp-1-dst6"/,
  },
  'cisco-asa': {
    v4: /object-group network PATHCHECK-UDP-1-DST\n network-object host 10\.77\.0\.10\n/,
    v6: /object-group network PATHCHECK-UDP-1-DST\n network-object host 10\.77\.0\.10\n network-object host fd77::10\n/,
  },
  'juniper-srx': {
    v4: /^set security address-book global address pathcheck-udp-1-a1 10\.77\.0\.10\/32$/m,
    v6: /^set security address-book global address pathcheck-udp-1-a2 fd77::10\/128$/m,
  },
  checkpoint: {
    v4: /add host name pathcheck-udp-1-a1 ip-address 10\.77\.0\.10 /,
    v6: /add host name pathcheck-udp-1-a2 ipv6-address fd77::10 [\s\S]*add network name pathcheck-udp-2-a2 subnet6 fd77:: mask-length6 64 /,
  },
  'aws-sg': {
    v4: /"IpRanges":\[\{"CidrIp":"10\.77\.0\.10\/32"/,
    v6: /"Ipv6Ranges":\[\{"CidrIpv6":"fd77::10\/128"/,
  },
  'azure-nsg': {
    v4: /--name pathcheck-udp-1-v4 [^\n]*--destination-address-prefixes 10\.77\.0\.10\/32 --destination-port-ranges 3478 /,
    v6: /--name pathcheck-udp-1-v6 [^\n]*--destination-address-prefixes fd77::10\/128 --destination-port-ranges 3478 /,
  },
  // Proxies tunnel TCP only: TURN over TCP 3478 to both addresses (squid), the relay names (PAC).
  squid: {
    v4: /^acl pathcheck_relay_ip_\d dst 10\.77\.0\.10\/32 fd77::10\/128$/m,
    v6: /dst 10\.77\.0\.10\/32 fd77::10\/128/,
  },
  pac: { v4: /host == "turn\.lab\.test"/, v6: /host == "turn\.lab\.test"/ },
};

const EXT = {
  shell: 'sh',
  nft: 'nft',
  powershell: 'ps1',
  cmd: 'cmd',
  json: 'json',
  config: 'conf',
  pac: 'pac',
  squid: 'conf',
} as const;

describe('firewall rules from a dual-stack report alone', () => {
  const both = buildFirewallInputFromReport(loadFixture('dual-stack-only-tcp-443'));
  const v6only = buildFirewallInputFromReport(loadFixture('v6-dropped'));

  it('merges the IPv4 and IPv6 entry of each blocked port into one requirement with both families', () => {
    expect(both.requirements.map((r) => [r.name, r.ports, r.ipv4, r.ipv6, r.anyDestination])).toEqual([
      ['pathcheck-udp-1', [[3478, 3478]], ['10.77.0.10/32'], ['fd77::10/128'], false],
      ['pathcheck-tcp-1', [[3478, 3478]], ['10.77.0.10/32'], ['fd77::10/128'], false],
      ['pathcheck-udp-2', [[10000, 60000]], ['10.77.0.0/24'], ['fd77::/64'], false],
    ]);
    expect(both.requirements[0]!.checks).toEqual([
      'turn:udp:turn.lab.test:3478',
      'stun:udp:turn.lab.test:3478',
      'turn:udp:turn.lab.test:3478/v6',
      'stun:udp:turn.lab.test:3478/v6',
    ]);
  });

  it('a report that blocks IPv6 only gives address rules with IPv6 destinations only', () => {
    const addressed = v6only.requirements.filter((r) => !r.anyDestination);
    expect(addressed.length).toBe(3);
    for (const r of addressed) {
      expect(r.ipv4).toEqual([]);
      expect(r.ipv6.length).toBeGreaterThan(0);
    }
  });

  it('the group range over IPv6 is not mistaken for a peer-to-peer range (requiredOnly clips any-destination to p2p ports)', () => {
    const r = loadFixture('v6-dropped');
    r.ranges = r.ranges.map((x) => (x.id.startsWith('udp-range:p2p') ? { ...x, required: [[50000, 60000]] } : x));
    r.ranges = r.ranges.filter((x) => !x.id.startsWith('tcp-range'));
    const input = buildFirewallInputFromReport(r, { requiredOnly: true });
    const any = input.requirements.filter((x) => x.anyDestination && x.protocol === 'udp');
    expect(any.map((x) => x.ports)).toEqual([[[50000, 60000]]]);
  });

  for (const t of FIREWALL_TARGETS) {
    it(`${t.id}: both families, in its own syntax (golden dual-stack/${t.id})`, () => {
      const out = generateRules(t.id, both);
      const s = SYNTAX[t.id];
      expect(out.text).toMatch(s.v4);
      expect(out.text).toMatch(s.v6);
      golden(`${t.id}.${EXT[out.format]}`, out.text);
      if (out.undo !== undefined) golden(`${t.id}.undo.txt`, out.undo);
      if (t.kind === 'proxy') return;
      const v6 = generateRules(t.id, v6only).text;
      expect(v6).toContain('fd77::10');
      expect(v6).not.toContain('10.77.0.10');
      golden(`v6-dropped.${t.id}.${EXT[out.format]}`, v6);
    });
  }
});
