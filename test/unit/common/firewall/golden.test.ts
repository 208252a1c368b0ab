import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIREWALL_TARGETS, buildFirewallInput, generateRules } from '#common/firewall/index';
import { sampleProfile, sampleReport } from './fixtures';

/**
 * Golden files: the exact text each target produces for one realistic report (UDP 3478 +
 * UDP 10000-60000 blocked, two IPv4 ranges and one IPv6 range). They were read line by line against
 * each vendor's documented rule syntax (docs/architecture.md, "Firewall targets"); any change to a generator shows up as a diff here.
 * Regenerate with PATHCHECK_UPDATE_GOLDEN=1 and read the diff before committing.
 */
const dir = join(dirname(fileURLToPath(import.meta.url)), '__golden__');
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

describe('firewall rule goldens', () => {
  const input = buildFirewallInput(sampleProfile(), sampleReport());

  it('merges the two UDP requirements into one rule with both port ranges', () => {
    expect(input.requirements).toHaveLength(1);
    const r = input.requirements[0]!;
    expect(r.ports).toEqual([
      [3478, 3478],
      [10000, 60000],
    ]);
    expect(r.ipv4).toEqual(['203.0.113.0/24', '198.51.100.128/25']);
    expect(r.ipv6).toEqual(['2001:db8:40::/48']);
    expect(r.hostnames).toEqual(['turn.example.com', 'media.example.com']);
    expect(r.purposes).toEqual(['TURN over UDP', 'Group media']);
  });

  for (const t of FIREWALL_TARGETS) {
    it(`${t.id} matches its golden`, () => {
      const out = generateRules(t.id, input);
      expect(out.target).toBe(t.id);
      expect(out.tag).toBe('pathcheck');
      goldenSet('', t.id, out);
    });
  }
});

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
function goldenSet(prefix: string, id: string, out: ReturnType<typeof generateRules>): void {
  golden(`${prefix}${id}.${EXT[out.format]}`, out.text);
  if (out.undo !== undefined) golden(`${prefix}${id}.undo.txt`, out.undo);
  golden(`${prefix}${id}.notes.json`, `${JSON.stringify(out.notes, null, 2)}\n`);
}

/**
 * A self-hosted stack whose servers are IP literals (IPv4 and IPv6) and no profile ranges: every
 * target takes the addresses from the report, as printed here (goldens under ip/).
 */
describe('firewall rule goldens: IP-literal servers', () => {
  const profile = sampleProfile({
    addresses: { ipv4: [], ipv6: [] },
    signaling: [{ host: '192.0.2.20', port: 443 }],
    stun: [{ host: '192.0.2.10', port: 3478 }],
    turn: [
      { host: '192.0.2.10', port: 3478, transport: 'udp' },
      { host: '2001:db8::10', port: 443, transport: 'tls' },
    ],
    group: { mediaServers: [{ host: '192.0.2.30' }], udpPorts: [[10000, 60000]] },
  });
  const report = sampleReport([
    {
      protocol: 'udp',
      ports: [[3478, 3478]],
      to: ['192.0.2.10', '2001:db8::10'],
      purpose: 'TURN over UDP',
      checks: ['turn:udp:192.0.2.10:3478'],
      layer: 'perimeter',
    },
    {
      protocol: 'udp',
      ports: [[10000, 60000]],
      to: ['192.0.2.30'],
      purpose: 'Group media',
      checks: ['udp-range:group'],
      layer: 'perimeter',
    },
    {
      protocol: 'tcp',
      ports: [[443, 443]],
      to: ['2001:db8::10'],
      purpose: 'TURN over TLS',
      checks: ['turn:tls:[2001:db8::10]:443'],
      layer: 'proxy',
    },
  ]);
  const input = buildFirewallInput(profile, report);
  for (const t of FIREWALL_TARGETS) {
    it(`${t.id} matches its IP-literal golden`, () => goldenSet('ip/', t.id, generateRules(t.id, input)));
  }
});

/**
 * The Linux targets when the report saw where this computer drops (`firewall.local`): nftables into
 * each of two dropping chains of tables of other names (an ip table takes the IPv4 rules only), and
 * iptables with the command of the variant that holds the drop (goldens under local/).
 */
describe('firewall rule goldens: where the report found the drop', () => {
  const input = buildFirewallInput(sampleProfile(), sampleReport(), {
    nftChains: [
      { family: 'inet', table: 'hbfw', chain: 'out' },
      { family: 'ip', table: 'corp', chain: 'egress' },
    ],
    iptablesVariants: ['legacy'],
  });
  for (const id of ['nftables', 'iptables'] as const) {
    it(`${id} matches its golden`, () => goldenSet('local/', id, generateRules(id, input)));
  }
});
