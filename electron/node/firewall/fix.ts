import { buildFirewallInput, buildNftApplyPlan, generateRules, type FirewallTargetId, type GeneratedRules, type NftApplyPlan } from '../../common/firewall';
import type { Profile } from '../../common/profile/schema';
import type { BlockedRequirement, Report } from '../../common/report/schema';
import { planPlatformFix, type PlatformPlan } from './platforms';
import type { FirewallDetection } from './types';

/**
 * What "fix my firewall" should do for one report on this machine: apply local rules (with the
 * user's consent and the OS's elevation prompt), or hand a ticket to the network team because the
 * block is at the perimeter or a proxy, or refuse with a reason (policy forbids local rules, no
 * supported firewall, platform without one-click apply). Pure given the detection.
 */
export interface FixPlan {
  /** local: apply here; ticket: send to the network team; none: nothing is blocked. */
  mode: 'local' | 'ticket' | 'none';
  canApply: boolean;
  /** Why one-click apply is not offered, in one plain sentence; null when it is. */
  refusal: string | null;
  /** The local firewall's syntax for the preview (and the rules applied). */
  localTarget: FirewallTargetId | null;
  localRules: GeneratedRules | null;
  /** Data-only plan for the fixed elevated script (Linux nftables). */
  applyPlan: NftApplyPlan | null;
  /** Data-only plan for the Windows or macOS fixed script (firewall/platforms.ts); null elsewhere. */
  platformPlan: PlatformPlan | null;
  /** Requirements blocked elsewhere, for the ticket (perimeter / proxy / unknown). */
  ticket: BlockedRequirement[];
  summary: string;
}

const LOCAL_TARGET: Partial<Record<NodeJS.Platform, FirewallTargetId>> = { linux: 'nftables', win32: 'windows-powershell', darwin: 'macos-pf' };

export function planFix(profile: Profile, report: Report, detection: FirewallDetection, platform: NodeJS.Platform = process.platform): FixPlan {
  const blocked = report.firewall.blocked;
  const local = blocked.filter((b) => b.layer === 'local');
  const ticket = blocked.filter((b) => b.layer !== 'local');
  const base = { ticket, localTarget: null, localRules: null, applyPlan: null, platformPlan: null };
  if (blocked.length === 0) {
    return { ...base, mode: 'none', canApply: false, refusal: 'Nothing required was found blocked.', summary: 'Nothing to fix: every required path that was tested is open.' };
  }
  if (local.length === 0) {
    const where = ticket.some((b) => b.layer === 'proxy') ? 'the proxy' : 'the network (perimeter firewall)';
    return {
      ...base, mode: 'ticket', canApply: false,
      refusal: `The block is in ${where}, not on this computer; changing this computer's firewall would not help.`,
      summary: `Send the rules to the network team: ${ticket.length} requirement${ticket.length === 1 ? ' is' : 's are'} blocked by ${where}.`,
    };
  }
  const localTarget = LOCAL_TARGET[platform] ?? null;
  const hint = detection.dropChains[0];
  const input = buildFirewallInput(profile, report, { layers: ['local'], ...(hint ? { nft: { family: hint.family, table: hint.table, chain: hint.chain } } : {}) });
  const localRules = localTarget ? generateRules(localTarget, input) : null;
  let refusal: string | null = null;
  let applyPlan: NftApplyPlan | null = null;
  let platformPlan: PlatformPlan | null = null;
  // Windows / macOS: their own decision (block rules, policy, third-party or filter apps, pf anchor).
  const platformFix = platform === 'win32' || platform === 'darwin' ? planPlatformFix(platform, input, detection) : null;
  if (platformFix) {
    platformPlan = platformFix.plan;
    refusal = platformFix.refusal;
  } else if (detection.localRulesAllowed === false) {
    refusal = 'Policy (Group Policy / MDM) does not allow local firewall rules on this computer, so they would be ignored; ask IT to add them centrally.';
  } else if (platform !== 'linux') {
    refusal = 'One-click apply is available on Linux in this version; copy the rules below and run them as administrator.';
  } else if (!detection.engines.some((e) => e.name === 'nftables' && e.present)) {
    refusal = 'This computer\u2019s firewall is not managed with nftables, so Pathcheck cannot apply the rules itself; copy them for your firewall tool.';
  } else {
    applyPlan = buildNftApplyPlan(input);
    if (applyPlan.rules.length === 0) {
      applyPlan = null;
      refusal = 'None of the blocked destinations has an address Pathcheck could put in a rule; copy the rules and fill in the addresses.';
    }
  }
  const others = ticket.length ? ` ${ticket.length} more requirement${ticket.length === 1 ? ' is' : 's are'} blocked outside this computer and go in the ticket.` : '';
  return {
    ...base, mode: 'local', canApply: applyPlan !== null || platformPlan !== null, refusal, localTarget, localRules, applyPlan, platformPlan,
    summary: `This computer\u2019s own firewall blocks ${local.length} requirement${local.length === 1 ? '' : 's'}.${others}`,
  };
}
