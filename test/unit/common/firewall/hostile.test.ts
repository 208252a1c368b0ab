import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FIREWALL_TARGETS,
  FirewallInputError,
  buildFirewallInput,
  generateRules,
  type FirewallInput,
} from '#common/firewall/index';
import type { Profile } from '#common/profile/schema';
import type { Report } from '#common/report/schema';
import { sampleProfile, sampleReport } from './fixtures';

/**
 * Property tests for the security requirement of issue 7: hostile values anywhere in the profile or
 * report are rejected with FirewallInputError (naming the field) before any rule text exists, and
 * valid random inputs never put shell/config metacharacters on the lines where data is embedded.
 */

/** Fragments an attacker would use: shell/cmd/PowerShell metacharacters, control chars, look-alikes. */
const FRAGMENTS = [
  "'",
  '"',
  ';',
  '&',
  '|',
  '$(id)',
  '`id`',
  '\n',
  '\r',
  '\0',
  ' ',
  '\t',
  '<',
  '>',
  '\\',
  '%PATH%',
  '^',
  '１',
  '０',
  '\u0430',
  '\u0435',
  '\u043e',
  '\u2024',
  '\uff0f',
  '\u200b',
  '\u00a0',
  '\u2212',
];
/** Purposes may hold single spaces, so a lone space is not hostile there. */
const PURPOSE_FRAGMENTS = FRAGMENTS.filter((f) => f !== ' ');

const hostile = (base: string, frags = FRAGMENTS): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...frags), fc.nat({ max: base.length }))
    .map(([f, at]) => base.slice(0, at) + f + base.slice(at));

type Mutation = { field: RegExp; apply: (p: Profile, r: Report, v: string) => void; base: string; frags?: string[] };

const MUTATIONS: Mutation[] = [
  { field: /^profile\.addresses\.ipv4\[0\]$/, base: '203.0.113.0/24', apply: (p, _r, v) => (p.addresses.ipv4[0] = v) },
  {
    field: /^profile\.addresses\.ipv6\[0\]$/,
    base: '2001:db8:40::/48',
    apply: (p, _r, v) => (p.addresses.ipv6[0] = v),
  },
  {
    field: /^firewall\.blocked\[0\]\.to\[0\]$/,
    base: 'turn.example.com',
    apply: (_p, r, v) => (r.firewall.blocked[0]!.to[0] = v),
  },
  {
    field: /^firewall\.blocked\[1\]\.to\[0\]$/,
    base: '192.0.2.7',
    apply: (_p, r, v) => (r.firewall.blocked[1]!.to[0] = v),
  },
  {
    field: /^firewall\.blocked\[0\]\.purpose$/,
    base: 'TURN over UDP',
    frags: PURPOSE_FRAGMENTS,
    apply: (_p, r, v) => (r.firewall.blocked[0]!.purpose = v),
  },
  {
    field: /^firewall\.blocked\[1\]\.checks\[0\]$/,
    base: 'udp-range:group',
    apply: (_p, r, v) => (r.firewall.blocked[1]!.checks[0] = v),
  },
  { field: /^profile\.turn\[1\]\.host$/, base: 'turn.example.com', apply: (p, _r, v) => (p.turn[1]!.host = v) },
  {
    field: /^profile\.signaling\[0\]\.host$/,
    base: 'sig.example.com',
    apply: (p, _r, v) => (p.signaling[0]!.host = v),
  },
  { field: /^profile\.id$/, base: 'lab', apply: (p, _r, v) => (p.id = v) },
  {
    field: /^report\.host\.proxy\.url$/,
    base: 'http://proxy.corp.example:3128',
    apply: (_p, r, v) => (r.host.proxy = { url: v, source: 'env' }),
  },
];

describe('hostile values are rejected before any text is produced', () => {
  for (const m of MUTATIONS) {
    it(`rejects hostile ${m.field.source}`, () => {
      fc.assert(
        fc.property(hostile(m.base, m.frags), (v) => {
          const p = structuredClone(sampleProfile());
          const r = structuredClone(sampleReport());
          m.apply(p, r, v);
          let error: unknown = null;
          let input: FirewallInput | null = null;
          try {
            input = buildFirewallInput(p, r);
          } catch (e) {
            error = e;
          }
          expect(input).toBeNull();
          expect(error).toBeInstanceOf(FirewallInputError);
          expect((error as FirewallInputError).field).toMatch(m.field);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('rejects non-integer, out-of-range and non-numeric ports', () => {
    for (const bad of [0, -1, 65536, 1.5, Number.NaN, Infinity, '443', '443;id', null]) {
      const r = structuredClone(sampleReport());
      (r.firewall.blocked[0]!.ports as unknown[])[0] = [bad, 3478];
      expect(() => buildFirewallInput(sampleProfile(), r), String(bad)).toThrowError(FirewallInputError);
    }
  });

  it('every target re-validates a hand-built input and throws before generating', () => {
    const good = buildFirewallInput(sampleProfile(), sampleReport());
    const variants: Array<(i: FirewallInput) => void> = [
      (i) => (i.requirements[0]!.ipv4[0] = '203.0.113.0/24;reboot'),
      (i) => (i.requirements[0]!.ipv6[0] = '2001:db8::/48 `id`'),
      (i) => (i.requirements[0]!.hostnames[0] = 'turn.example.com$(id)'),
      (i) => (i.requirements[0]!.name = 'pathcheck"; rm -rf /'),
      (i) => (i.requirements[0]!.purposes[0] = 'Group\nmedia'),
      (i) => (i.requirements[0]!.ports[0] = [3478, 3478.5]),
      (i) => (i.relayHosts[0]!.host = 'turn.ехample.com'), // Cyrillic е and х
      (i) => (i.proxy = { host: 'proxy&calc', port: 3128 }),
      (i) => (i.nft = { family: 'inet', table: 'filter', chain: 'output;flush ruleset' }),
      (i) => (i.requirements[0]!.protocol = 'udp ' as never),
    ];
    for (const t of FIREWALL_TARGETS) {
      for (const mutate of variants) {
        const input = structuredClone(good);
        mutate(input);
        expect(() => generateRules(t.id, input), `${t.id} ${mutate.toString()}`).toThrowError(FirewallInputError);
      }
    }
  });
});

describe('valid random inputs embed data only on lines free of metacharacters', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  const v4 = fc
    .tuple(octet, octet, octet, octet, fc.integer({ min: 8, max: 32 }))
    .map(([a, b, c, d, l]) => `${a}.${b}.${c}.${d}/${l}`);
  const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
  const v6 = fc
    .tuple(hex, hex, hex, fc.integer({ min: 16, max: 128 }))
    .map(([a, b, c, l]) => `2001:${a}:${b}::${c}/${l}`);
  const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
  const host = fc.tuple(label, label).map(([a, b]) => `${a}.${b}.example`);
  const range = fc
    .tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 2000 }))
    .map(([a, n]): [number, number] => [a, Math.min(65535, a + n)]);
  const purpose = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.,:/+-]{0,12}( [A-Za-z0-9.,:/+-]{1,8}){0,3}$/);
  const blocked = fc.record({
    protocol: fc.constantFrom('udp' as const, 'tcp' as const),
    ports: fc.array(range, { minLength: 1, maxLength: 20 }),
    to: fc.array(fc.oneof(v4, v6, host), { maxLength: 4 }),
    purpose,
    checks: fc.array(fc.stringMatching(/^[a-z]{1,6}:[a-z0-9.:-]{1,20}$/), { maxLength: 3 }),
    layer: fc.constantFrom('local' as const, 'perimeter' as const, 'unknown' as const),
  });
  /** Extra characters a target's fixed syntax legitimately puts on data lines. */
  const ALLOWED: Partial<Record<string, string>> = { pac: ';', 'macos-pf': '<>' };

  it('holds for every target', () => {
    fc.assert(
      fc.property(
        fc.array(blocked, { minLength: 1, maxLength: 4 }),
        fc.array(v4, { maxLength: 2 }),
        fc.array(v6, { maxLength: 2 }),
        (bl, a4, a6) => {
          const input = buildFirewallInput(sampleProfile({ addresses: { ipv4: a4, ipv6: a6 } }), sampleReport(bl));
          const values = [...a4, ...a6, ...bl.flatMap((b) => [...b.to, b.purpose, ...b.checks])];
          for (const t of FIREWALL_TARGETS) {
            const out = generateRules(t.id, input);
            for (const text of [out.text, out.undo ?? '']) {
              expect(text).toMatch(/^[\x20-\x7e\n]*$/);
              // Fixed shell text may use $(…) on its own lines (the discovery script); never a backtick.
              expect(text).not.toMatch(/`/);
              const extra = ALLOWED[t.id] ?? '';
              for (const line of text.split('\n')) {
                // Short values ("0", "udp") also occur in fixed text; 6+ random characters only where embedded.
                if (!values.some((v) => v.length >= 6 && line.includes(v))) continue;
                const bad = [...';&|\\<>`', '$('].filter((c) => !extra.includes(c) && line.includes(c));
                expect(bad, `${t.id}: ${line}`).toEqual([]);
              }
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
