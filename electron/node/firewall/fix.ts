import {
  blockWhy,
  buildFirewallInput,
  buildFirewallInputFromReport,
  buildNftApplyPlan,
  describeNftApplyPlan,
  FIREWALL_TARGETS,
  foreignProduct,
  generateRules,
  chooseLinuxTarget,
  localHintsFrom,
  localHintsFromReport,
  localOptions,
  type FirewallInput,
  type FirewallTargetId,
  type GeneratedRules,
  type NftApplyPlan,
  type NftChainHint,
  type BuildFirewallOptions,
} from '#common/firewall/index';
import type { Profile } from '#common/profile/schema';
import type { BlockedRequirement, Layer, Report } from '#common/report/schema';
import { planPlatformFix, type PlatformPlan } from './platforms';
import type { DropChain, DropRule, FirewallDetection } from './types';

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
  /** Where the rules go and why there, in plain sentences (shown in the dialog and the consent prompt). */
  where: string[];
  /** Requirements blocked elsewhere, for the ticket (perimeter / proxy / unknown). */
  ticket: BlockedRequirement[];
  summary: string;
  /** Why the block is thought to be local, at the edge or at the proxy, from the report's evidence (firewall/why.ts). */
  why: string[];
}

const LOCAL_TARGET: Partial<Record<NodeJS.Platform, FirewallTargetId>> = {
  linux: 'nftables',
  win32: 'windows-powershell',
  darwin: 'macos-pf',
};

/**
 * The validated rule input for a report: from its profile (widened to the profile's address ranges),
 * or — with no profile, as for a report from another machine — from the report alone.
 */
export function fixInput(profile: Profile | null, report: Report, options: BuildFirewallOptions = {}): FirewallInput {
  return profile ? buildFirewallInput(profile, report, options) : buildFirewallInputFromReport(report, options);
}

export function planFix(
  profile: Profile | null,
  report: Report,
  detection: FirewallDetection,
  platform: NodeJS.Platform = process.platform,
): FixPlan {
  const blocked = report.firewall.blocked;
  const local = blocked.filter((b) => b.layer === 'local');
  const ticket = blocked.filter((b) => b.layer !== 'local');
  const base = {
    ticket,
    localTarget: null,
    localRules: null,
    applyPlan: null,
    platformPlan: null,
    where: [],
    why: blockWhy(report),
  };
  if (blocked.length === 0) {
    return {
      ...base,
      mode: 'none',
      canApply: false,
      refusal: 'Nothing required was found blocked.',
      summary: 'Nothing to fix: every required path that was tested is open.',
    };
  }
  if (local.length === 0) {
    const where = ticket.some((b) => b.layer === 'proxy') ? 'the proxy' : 'the network (perimeter firewall)';
    return {
      ...base,
      mode: 'ticket',
      canApply: false,
      refusal: `The block is in ${where}, not on this computer; changing this computer's firewall would not help.`,
      summary: `Send the rules to the network team: ${ticket.length} requirement${ticket.length === 1 ? ' is' : 's are'} blocked by ${where}.`,
    };
  }
  // Only what the report measured blocked here AND the profile requires: ports clipped to the
  // profile's own, destinations no wider than the allow-lists permit.
  const probe = fixInput(profile, report, { layers: ['local'], requiredOnly: true });
  const target = platform === 'linux' ? nftTarget(detection, probe) : { chains: [], where: [], refusal: null };
  // Linux: the tool whose commands work here — ufw or firewalld when they manage the firewall,
  // iptables-legacy when only it drops — is what the preview shows (the apply writes nft only).
  const hints = localHintsFrom(detection.engines, target.chains);
  const linux = platform === 'linux' ? chooseLinuxTarget(hints, 'nftables', 'detection') : { target: null, why: null };
  const localTarget = linux.target ?? LOCAL_TARGET[platform] ?? null;
  // The preview names every chain the apply writes to (or, unknown, the script that finds them),
  // and the iptables variant that holds a drop.
  const input = platform === 'linux' ? { ...probe, ...localOptions(hints) } : probe;
  const localRules = localTarget ? generateRules(localTarget, input) : null;
  let refusal: string | null = null;
  let applyPlan: NftApplyPlan | null = null;
  let platformPlan: PlatformPlan | null = null;
  // Windows / macOS: their own decision (block rules, policy, third-party or filter apps, pf anchor).
  const platformFix =
    platform === 'win32' || platform === 'darwin' ? planPlatformFix(platform, input, detection) : null;
  if (platformFix) {
    platformPlan = platformFix.plan;
    refusal = platformFix.refusal;
  } else if (detection.localRulesAllowed === false) {
    refusal =
      'Policy (Group Policy / MDM) does not allow local firewall rules on this computer, so they would be ignored; ask IT to add them centrally.';
  } else if (platform !== 'linux') {
    refusal =
      'One-click apply is available on Linux in this version; copy the rules below and run them as administrator.';
  } else if (linux.why) {
    refusal = `Not applied here: ${linux.why} Pathcheck applies nft rules only, so copy these and run them as root.`;
  } else if (!detection.engines.some((e) => e.name === 'nftables' && e.present)) {
    refusal =
      'This computer\u2019s firewall is not managed with nftables, so Pathcheck cannot apply the rules itself; copy them for your firewall tool.';
  } else if (target.refusal) {
    refusal = target.refusal;
  } else if (input.requirements.length === 0) {
    refusal =
      'None of what was blocked is a port this profile requires, so Pathcheck opens nothing; copy the rules if you want them anyway.';
  } else {
    applyPlan = buildNftApplyPlan(input, target.chains.length > 0 ? target.chains : 'discover');
    if (applyPlan.rules.length === 0) {
      applyPlan = null;
      refusal =
        'None of the blocked destinations has an address Pathcheck could put in a rule; copy the rules and fill in the addresses.';
    }
  }
  const others = ticket.length
    ? ` ${ticket.length} more requirement${ticket.length === 1 ? ' is' : 's are'} blocked outside this computer and go in the ticket.`
    : '';
  return {
    ...base,
    mode: 'local',
    canApply: applyPlan !== null || platformPlan !== null,
    refusal,
    localTarget,
    localRules,
    applyPlan,
    platformPlan,
    where: target.where,
    summary: `This computer\u2019s own firewall blocks ${local.length} requirement${local.length === 1 ? '' : 's'}.${others}`,
  };
}

function portsOverlap(d: DropRule, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  return d.ports === null || d.ports.some(([a, b]) => ranges.some(([x, y]) => a <= y && x <= b));
}

/** True when this chain drops some of the traffic a requirement needs. */
function chainDrops(c: DropChain, input: FirewallInput): boolean {
  // Detection without detail (no drops, no policy listed) only says the chain drops: take its word.
  if (c.drops === undefined && c.policyDrop === undefined) return true;
  const drops: DropRule[] = c.drops?.length
    ? c.drops
    : c.policyDrop
      ? [{ protocol: 'any', ports: null, verdict: 'policy' }]
      : [];
  return input.requirements.some((r) =>
    drops.some((d) => (d.protocol === 'any' || d.protocol === r.protocol) && portsOverlap(d, r.ports)),
  );
}

const chainName = (c: NftChainHint): string => `${c.family} ${c.table} ${c.chain}`;

/**
 * The nftables chains an apply may write to: exactly the chains detection saw dropping this
 * traffic, never a table of another product (a VPN's kill switch, a container runtime, firewalld)
 * — when the drop lives there, the fix is refused and the sentence says why. When detection could
 * not read the ruleset (the app is not root), the elevated script finds the dropping chains itself
 * under the same exclusions.
 */
export function nftTarget(
  detection: FirewallDetection,
  input: FirewallInput,
): { chains: NftChainHint[]; where: string[]; refusal: string | null } {
  const nft = detection.engines.find((e) => e.name === 'nftables');
  const dropping = detection.dropChains
    .filter((c) => chainDrops(c, input))
    .map((c) => ({ family: c.family, table: c.table, chain: c.chain }));
  const foreign = dropping.filter((c) => foreignProduct(c.table) !== null);
  if (foreign.length > 0) {
    const named = foreign.map((c) => `${chainName(c)} (${foreignProduct(c.table)})`).join(', ');
    return {
      chains: [],
      where: [`The drop is in ${named}.`],
      refusal: `The traffic is dropped in ${named}, which belongs to another product (for a VPN, its kill switch). Pathcheck does not change another product's rules; allow the traffic in that product's settings, or disconnect it and check again.`,
    };
  }
  if (dropping.length > 0) {
    return {
      chains: dropping,
      where: dropping.map(
        (c) => `Into ${chainName(c)}: it drops this traffic (an accept elsewhere would not override it).`,
      ),
      refusal: null,
    };
  }
  if (nft?.present && nft.active === null) {
    return {
      chains: [],
      where: [
        'Into the output chains that drop this traffic: Pathcheck could not read the rules without administrator rights, so the elevated step finds them (never another product\u2019s table).',
      ],
      refusal: null,
    };
  }
  const legacy = detection.engines.some((e) => e.name === 'iptables-legacy' && e.active === true);
  return {
    chains: [],
    where: legacy ? ['The drop is in iptables-legacy, whose tables nft cannot see.'] : [],
    refusal: legacy
      ? 'The drop is in iptables-legacy, which nftables rules cannot open; run the iptables-legacy commands from \u201cpathcheck rules --from <report> --target iptables\u201d as root.'
      : 'No nftables chain on this computer drops this traffic, so changing nftables would not help; the block is elsewhere (another firewall tool or the network).',
  };
}

/**
 * The exact rules a fix plan would create, one line each (what main's consent dialog and
 * `pathcheck fix` print): the nft lines of the Linux plan, or the Windows/macOS preview's lines
 * without comments.
 */
export function fixRuleLines(fix: FixPlan): string[] {
  if (fix.applyPlan) return describeNftApplyPlan(fix.applyPlan);
  const text = fix.localRules?.text ?? '';
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('//'));
}

/** Layers a ticket is for: everything that is not this computer. */
const TICKET_LAYERS: Layer[] = ['perimeter', 'proxy', 'unknown'];

/** Targets offered for a ticket, the one matching the blocking layer first. */
export function ticketTargets(report: Report): Array<{ id: FirewallTargetId; label: string; kind: string }> {
  const proxyFirst = report.firewall.blocked.some((b) => b.layer === 'proxy');
  const list = FIREWALL_TARGETS.filter((t) => t.kind === 'perimeter' || t.kind === 'cloud' || t.kind === 'proxy').map(
    (t) => ({ id: t.id, label: t.label, kind: t.kind }),
  );
  return proxyFirst ? [...list.filter((t) => t.kind === 'proxy'), ...list.filter((t) => t.kind !== 'proxy')] : list;
}

/**
 * Rules for the network team in one target's syntax: the requirements blocked outside this
 * computer, or all of them when none are (a local target chosen for a ticket).
 */
export function ticketRules(profile: Profile | null, report: Report, target: FirewallTargetId): GeneratedRules {
  const outside = report.firewall.blocked.some((b) => TICKET_LAYERS.includes(b.layer));
  // A local target in a ticket gets the report's own view of where that computer drops, as `rules --from` does.
  const where = localOptions(localHintsFromReport(report));
  return generateRules(target, fixInput(profile, report, outside ? { ...where, layers: TICKET_LAYERS } : where));
}
