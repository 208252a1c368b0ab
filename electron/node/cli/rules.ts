import {
  buildFirewallInput,
  buildFirewallInputFromReport,
  chooseLinuxTarget,
  FIREWALL_TARGET_IDS,
  FirewallInputError,
  generateRules,
  isFirewallTarget,
  LINUX_AUTO_TARGETS,
  localHintsFromReport,
  localOptions,
  type FirewallTargetId,
} from '#common/firewall/index';
import { plainText } from '#common/text/sanitize';
import { loadProfile } from '../profiles/resolve';
import type { Profile } from '#common/profile/schema';
import type { RulesArgs } from './args';
import { prepareForRun, withRanges } from './profile-run';
import { UsageError } from './args';
import { EXIT, type CliIo } from './io';
import { PROFILE_ID, readReportFile } from './report-file';

/**
 * `pathcheck rules --from report.json --target <name>`: the firewall rules that open exactly what
 * the report found blocked, in the target's own syntax, on stdout. The report alone is enough (it
 * lists each blocked destination by name and address, and where the local firewall drops);
 * --profile widens the destinations to the profile's address ranges. On Linux, nftables, iptables and
 * `auto` give the tool whose output works as printed there (ufw or firewalld when they manage the
 * firewall, iptables-legacy when only it drops), saying why (`chooseLinuxTarget`).
 */
export async function rulesCommand(args: RulesArgs, io: CliIo): Promise<number> {
  const linuxRequest = LINUX_AUTO_TARGETS.find((t) => t === args.target);
  if (!linuxRequest && !isFirewallTarget(args.target)) {
    throw new UsageError(`unknown --target "${args.target}"; one of: auto, ${FIREWALL_TARGET_IDS.join(', ')}`);
  }
  const report = await readReportFile(args.from, io);
  if (!report) return EXIT.dataErr;
  // Without --profile the report alone is the input (it names its destinations); a profile file is
  // given only with --profile (a report's profile.id is an id, never a path) and widens the rules
  // to the profile's published address ranges.
  let profile: Profile | null = null;
  if (args.profile) {
    const loaded = await loadProfile(args.profile);
    // Placeholders are filled in from --param, else from the values the report's run used.
    const prepared = prepareForRun(loaded, args.params ?? report.profile.parameters, io, args.profile);
    profile = (
      await withRanges(prepared, {
        refresh: args.refreshRanges === true,
        env: io.env,
        stderr: io.stderr,
        ...(io.now ? { now: io.now } : {}),
      })
    ).profile;
  } else if (!PROFILE_ID.test(report.profile.id)) {
    io.stderr.write(`pathcheck: ${plainText(args.from)}: profile.id: not a profile id; nothing was generated\n`);
    return EXIT.dataErr;
  }
  try {
    // Where the diagnosed computer's firewall drops, from the report (every value re-validated there).
    const hints = localHintsFromReport(report);
    const options = localOptions(hints);
    const chosen = linuxRequest
      ? chooseLinuxTarget(hints, linuxRequest)
      : { target: args.target as FirewallTargetId, why: null };
    const input = profile
      ? buildFirewallInput(profile, report, options)
      : buildFirewallInputFromReport(report, options);
    const rules = generateRules(chosen.target, input);
    if (args.undo && rules.undo === undefined) {
      io.stderr.write(`pathcheck: ${chosen.target} has no undo script; remove the rules tagged "pathcheck" by hand\n`);
      return EXIT.dataErr;
    }
    const body = args.undo ? (rules.undo ?? '') : rules.text;
    const text = chosen.why ? withComment(body, `Asked for ${args.target}: ${chosen.why}`) : body;
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    if (chosen.why)
      io.stderr.write(`note: --target ${args.target} gives ${chosen.target} here: ${plainText(chosen.why)}\n`);
    for (const n of [...hints.notes, ...rules.notes]) io.stderr.write(`note: ${plainText(n)}\n`);
    if (!profile)
      io.stderr.write(
        'note: rules from the report alone (its destinations); --profile <file> widens them to the profile\u2019s address ranges.\n',
      );
    if (!report.firewall.local)
      io.stderr.write(
        'note: this report does not say what the diagnosed computer\u2019s firewall looked like (written by an older version, or nothing failed); the nftables output finds the dropping chains when it runs.\n',
      );
    if (report.firewall.blocked.length === 0)
      io.stderr.write('note: the report found nothing blocked; there is nothing to open.\n');
    return 0;
  } catch (e) {
    if (e instanceof FirewallInputError) {
      io.stderr.write(`pathcheck: refusing to build rules: ${plainText(e.message)}\n`);
      return EXIT.dataErr;
    }
    throw e;
  }
}

/** The text with one comment line (fixed words only) after its first line (the `#!` line). */
function withComment(text: string, comment: string): string {
  const nl = text.indexOf('\n');
  const head = text.startsWith('#!') && nl >= 0 ? text.slice(0, nl + 1) : '';
  const ascii = comment.replace(/\u2019/g, "'");
  return `${head}# Pathcheck: ${ascii}\n${text.slice(head.length)}`;
}
