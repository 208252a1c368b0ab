import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { blockWhy } from '#common/firewall/index';
import { parseReportJson } from '#common/report/parse';
import type { Report } from '#common/report/schema';
import { mergeResults } from '#node/engine/recheck';
import { planFix, ticketRules } from '#node/firewall/fix';
import { reportLocalFirewall } from '#node/firewall/report-local';
import type { FirewallDetection } from '#node/firewall/types';
import { parseProfile } from '#common/profile/schema';

const FIXTURE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/reports/other-machine.json');
function load(): Report {
  const r = parseReportJson(readFileSync(FIXTURE, 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.report;
}

const hbfw: FirewallDetection = {
  platform: 'linux',
  outboundDefault: 'allow',
  localRulesAllowed: true,
  notes: [],
  engines: [{ name: 'nftables', present: true, active: true, outboundDefault: 'allow', detail: '' }],
  dropChains: [
    {
      family: 'inet',
      table: 'hbfw',
      chain: 'out',
      drops: [{ protocol: 'udp', ports: [[3478, 3478]], verdict: 'drop' }],
    },
  ],
};

describe('planFix from a report alone (no profile)', () => {
  it('plans the local apply into the dropping chain with the report\u2019s own addresses, the rest for the ticket', () => {
    const f = planFix(null, load(), hbfw, 'linux');
    expect(f).toMatchObject({ mode: 'local', canApply: true, refusal: null });
    expect(f.applyPlan).toMatchObject({
      chains: [{ family: 'inet', table: 'hbfw', chain: 'out' }],
      rules: [
        { family: 4, protocol: 'udp', daddr: ['192.0.2.10'], ports: [[3478, 3478]] },
        { family: 6, protocol: 'udp', daddr: ['2001:db8::10'], ports: [[3478, 3478]] },
      ],
    });
    expect(f.ticket.map((b) => b.layer)).toEqual(['perimeter']);
  });

  it('a port no check of the report used is not opened, however the report came to list it', () => {
    const r = load();
    r.firewall.blocked[0]!.ports = [[1, 65535]];
    const f = planFix(null, r, { ...hbfw, dropChains: [{ family: 'inet', table: 'hbfw', chain: 'out' }] }, 'linux');
    expect(f.applyPlan?.rules.every((x) => x.ports.every(([a, b]) => a === 3478 && b === 3478))).toBe(true);
  });
});

describe('why local or edge, from the evidence', () => {
  it('EPERM on UDP is this computer\u2019s firewall (with the chain), a silent TCP timeout the network\u2019s edge; each cites its checks', () => {
    const why = blockWhy(load());
    expect(why).toEqual([
      'UDP sends to 192.0.2.10:3478, [2001:db8::10]:3478 failed at once (EPERM), before anything left the machine: this computer\u2019s firewall (drops in inet hbfw out). (Checks: stun:udp:192.0.2.10:3478, turn:udp:192.0.2.10:3478, turn:udp:2001:db8::10:3478.)',
      'TCP connections to 192.0.2.10:443 vanished with no answer, and this computer raised no error: the network\u2019s edge. (Checks: turn:tls:192.0.2.10:443.)',
    ]);
  });
});

describe('firewall.local in the report', () => {
  it('Windows: block rules and third-party products are listed by name and source; no pseudo-chains', () => {
    const det = {
      platform: 'win32',
      outboundDefault: 'allow',
      localRulesAllowed: false,
      notes: [],
      engines: [],
      dropChains: [{ family: 'inet', table: 'windows-firewall', chain: 'outbound-block-rules' }],
      windows: {
        profiles: [],
        products: [{ name: 'Contoso Endpoint', enabled: true, exe: '' }],
        blockRules: [
          {
            name: '{1}',
            displayName: 'Block UDP 3478',
            source: 'group-policy',
            sourceName: '',
            protocol: 'udp',
            ports: [[3478, 3478]],
            addresses: null,
          },
        ],
      },
    } as unknown as FirewallDetection;
    expect(reportLocalFirewall(det)).toEqual({
      platform: 'win32',
      engines: [],
      dropChains: [],
      outboundDefault: 'allow',
      localRulesAllowed: false,
      blockingRules: [
        { name: 'Block UDP 3478', source: 'policy' },
        { name: 'Contoso Endpoint', source: 'third-party' },
      ],
    });
  });

  it('survives a merge of new results (the WebRTC half, a re-check)', () => {
    const p = parseProfile({
      schemaVersion: 1,
      id: 'hb-selfhosted',
      name: 'HB',
      stun: [{ host: '192.0.2.10', port: 3478 }],
      group: { udpPorts: [[3478, 3478]] },
    });
    if (!p.ok) throw new Error('profile');
    const merged = mergeResults(p.profile, load(), { checks: [] });
    expect(merged.firewall.local?.dropChains).toEqual([{ family: 'inet', table: 'hbfw', chain: 'out' }]);
  });
});

describe('ticketRules for a local target', () => {
  it('uses the report\u2019s own view of where that computer drops, as rules --from does', () => {
    const t = ticketRules(null, load(), 'nftables');
    expect(t.format).toBe('nft');
    expect(t.text).toContain('insert rule inet hbfw out ip daddr 192.0.2.10 tcp dport 443 accept comment "pathcheck"');
  });
});
