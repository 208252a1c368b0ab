import { ProfileSchema, type Profile } from '#common/profile/schema';
import { ReportSchema, type Report } from '#common/report/schema';

/**
 * One realistic diagnosis for the firewall tests: a corporate network that drops UDP 3478 (TURN)
 * and the group media range UDP 10000-60000; the profile lists two IPv4 ranges and one IPv6 range.
 */
export function sampleProfile(overrides: Record<string, unknown> = {}): Profile {
  return ProfileSchema.parse({
    schemaVersion: 1,
    id: 'lab',
    name: 'Lab stack',
    signaling: [{ host: 'sig.example.com', port: 443 }],
    stun: [{ host: 'stun.example.com', port: 3478 }],
    turn: [
      { host: 'turn.example.com', port: 3478, transport: 'udp' },
      { host: 'turn.example.com', port: 443, transport: 'tls' },
    ],
    group: { mediaServers: [{ host: 'media.example.com' }], udpPorts: [[10000, 60000]] },
    addresses: { ipv4: ['203.0.113.0/24', '198.51.100.128/25'], ipv6: ['2001:db8:40::/48'] },
    ...overrides,
  });
}

export function sampleReport(blocked?: unknown[], extra: Record<string, unknown> = {}): Report {
  return ReportSchema.parse({
    schemaVersion: 1,
    tool: { name: 'pathcheck', version: '0.1.0' },
    profile: { id: 'lab', name: 'Lab stack' },
    startedAt: '2026-11-27T05:00:00.000Z',
    durationMs: 4200,
    host: { os: 'linux', vpn: false, proxy: { url: 'http://proxy.corp.example:3128', source: 'env' } },
    checks: [],
    nat: {
      mapping: 'endpoint-independent',
      filtering: 'address-and-port-dependent',
      behaveCompliant: true,
      publicAddress: '198.51.100.7',
    },
    verdicts: {},
    firewall: {
      layer: 'perimeter',
      blocked: blocked ?? [
        {
          protocol: 'udp',
          ports: [[3478, 3478]],
          to: ['turn.example.com'],
          purpose: 'TURN over UDP',
          checks: ['turn:udp:turn.example.com:3478'],
          layer: 'perimeter',
        },
        {
          protocol: 'udp',
          ports: [[10000, 60000]],
          to: ['media.example.com'],
          purpose: 'Group media',
          checks: ['udp-range:group'],
          layer: 'perimeter',
        },
      ],
    },
    ...extra,
  });
}
