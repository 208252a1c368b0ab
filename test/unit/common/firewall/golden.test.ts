import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIREWALL_TARGETS, buildFirewallInput, generateRules } from '../../../../electron/common/firewall/index';
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
      const ext = { shell: 'sh', nft: 'nft', powershell: 'ps1', cmd: 'cmd', json: 'json', config: 'conf', pac: 'pac', squid: 'conf' }[out.format];
      golden(`${t.id}.${ext}`, out.text);
      if (out.undo !== undefined) golden(`${t.id}.undo.txt`, out.undo);
      golden(`${t.id}.notes.json`, `${JSON.stringify(out.notes, null, 2)}\n`);
    });
  }
});
