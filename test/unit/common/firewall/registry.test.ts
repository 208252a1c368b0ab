import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIREWALL_TARGET_IDS, FIREWALL_TARGETS, TARGET_MODULES, isFirewallTarget } from '#common/firewall/index';

/** The registry is the only list of targets: every module in targets/ is in it once, and ids, labels and kinds come from the modules. */
const targetsDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../electron/common/firewall/targets');
const HELPERS = new Set(['shared.ts', 'target.ts']);

describe('firewall target registry', () => {
  it('lists every target module in targets/ exactly once, under its file name', () => {
    const files = readdirSync(targetsDir)
      .filter((f) => f.endsWith('.ts') && !HELPERS.has(f))
      .map((f) => f.slice(0, -3))
      .sort();
    expect([...TARGET_MODULES.map((t) => t.id)].sort()).toEqual(files);
    expect(new Set(FIREWALL_TARGET_IDS).size).toBe(FIREWALL_TARGET_IDS.length);
  });

  it('derives the id list and the UI facts from the modules', () => {
    expect([...FIREWALL_TARGET_IDS]).toEqual(TARGET_MODULES.map((t) => t.id));
    expect(FIREWALL_TARGETS.map((t) => [t.id, t.label, t.kind, t.supportsHostnames])).toEqual(
      TARGET_MODULES.map((t) => [t.id, t.label, t.kind, t.supportsHostnames]),
    );
    for (const t of TARGET_MODULES) expect(typeof t.generate, t.id).toBe('function');
    expect(isFirewallTarget('nftables')).toBe(true);
    expect(isFirewallTarget('toString')).toBe(false);
  });
});
