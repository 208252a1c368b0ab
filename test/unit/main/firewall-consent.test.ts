import { describe, expect, it } from 'vitest';
import { confirmWithDialog, consentOptions, type ShowMessageBox } from '#main/firewall-consent';
import type { FirewallConsent } from '#main/ipc/firewall-handlers';

/** Main's own consent dialog, driven through the injected showMessageBox. */
const consent: FirewallConsent = {
  action: 'apply',
  message: 'Change this computer\u2019s firewall? Pathcheck will add 1 allow rule(s), tagged "pathcheck".',
  where: ['Into inet pc_fw local_out: it drops this traffic (an accept elsewhere would not override it).'],
  rules: ['insert rule inet pc_fw local_out ip daddr { 10.77.2.0/24 } udp dport { 3478 } accept comment "pathcheck"'],
  elevation: 'Your system then asks for an administrator password.',
};

describe('firewall consent dialog (main)', () => {
  it('lists the exact rules and where they go; Cancel is the default and the Escape answer', () => {
    const o = consentOptions(consent);
    expect(o.detail).toContain(consent.rules[0]);
    expect(o.detail).toContain('inet pc_fw local_out: it drops this traffic');
    expect(o.buttons).toEqual(['Cancel', 'Add these rules']);
    expect(o).toMatchObject({ defaultId: 0, cancelId: 0, type: 'warning' });
  });

  it('confirms only on the second button', async () => {
    const answers: number[] = [];
    const show =
      (response: number): ShowMessageBox =>
      async (_owner, options) => {
        answers.push(options.buttons?.length ?? 0);
        return { response };
      };
    expect(await confirmWithDialog(show(1), () => undefined)(consent)).toBe(true);
    expect(await confirmWithDialog(show(0), () => undefined)(consent)).toBe(false);
    expect(answers).toEqual([2, 2]);
  });

  it('caps a long rule list and says how many more', () => {
    const many = {
      ...consent,
      rules: Array.from(
        { length: 50 },
        (_, i) => `insert rule inet f o udp dport { ${1000 + i} } accept comment "pathcheck"`,
      ),
    };
    const o = consentOptions(many);
    expect(o.detail).toContain('and 10 more');
    expect(o.detail).not.toContain('1049');
  });
});
