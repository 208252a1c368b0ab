import { describe, expect, it } from 'vitest';
import { FIREWALL_TARGETS } from '#common/firewall/index';
import { main } from '#node/cli/command';
import { fixturePath } from '../../common/report/fixtures';
import { captureIo } from './io';

/**
 * `pathcheck rules --from report.json` with a dual-stack report and no profile (the admin has only
 * the file): every target answers, with the IPv6 destinations the /v6 checks found blocked.
 */
describe('rules --from a dual-stack report (no profile)', () => {
  it.each(FIREWALL_TARGETS.map((t) => [t.id, t.kind] as const))('%s', async (target, kind) => {
    const io = captureIo();
    expect(await main(['rules', '--from', fixturePath('dual-stack-only-tcp-443'), '--target', target], io)).toBe(0);
    expect(io.err()).toContain('rules from the report alone');
    // PAC names the relays; every other target opens the addresses of both families.
    if (kind === 'proxy' && target === 'pac') expect(io.out()).toContain('turn.lab.test');
    else {
      expect(io.out()).toContain('fd77::');
      expect(io.out()).toContain('10.77.0.');
    }
  });

  it('IPv6 blocked alone: ip6tables lines open IPv6, the IPv4 addresses are not touched', async () => {
    const io = captureIo();
    expect(await main(['rules', '--from', fixturePath('v6-dropped'), '--target', 'iptables'], io)).toBe(0);
    expect(io.out()).toMatch(/-p udp -d fd77::10\/128 --dport 3478 /);
    expect(io.out()).toContain('ip6tables');
    expect(io.out()).not.toContain('-d 10.77.');
  });
});
