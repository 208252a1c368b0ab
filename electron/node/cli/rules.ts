import { buildFirewallInput, FIREWALL_TARGET_IDS, FirewallInputError, generateRules, isFirewallTarget } from '../../common/firewall';
import { parseReportJson } from '../../common/report/parse';
import { plainText } from '../../common/text/sanitize';
import { MAX_REPORT_TEXT } from '../../common/ipc/history';
import { BoundedReadError, readBoundedText } from '../profiles/bounded-read';
import { loadBuiltinProfile, loadProfile } from '../profiles/resolve';
import type { RulesArgs } from './args';
import { prepareForRun, withRanges } from './profile-run';
import { UsageError } from './args';
import { EXIT, type CliIo } from './io';

/**
 * `pathcheck rules --from report.json --target <name>`: the firewall rules that open exactly what
 * the report found blocked, in the target's own syntax, on stdout. The report's profile (built-in
 * by id, or --profile) supplies the destination address ranges.
 */
export async function rulesCommand(args: RulesArgs, io: CliIo): Promise<number> {
  if (!isFirewallTarget(args.target)) {
    throw new UsageError(`unknown --target "${args.target}"; one of: ${FIREWALL_TARGET_IDS.join(', ')}`);
  }
  let text: string;
  try {
    text = await readBoundedText(args.from, MAX_REPORT_TEXT);
  } catch (e) {
    throw new UsageError(`--from ${args.from}: cannot read (${e instanceof BoundedReadError ? e.short : (e as Error).message})`);
  }
  const parsed = parseReportJson(text);
  if (!parsed.ok) {
    io.stderr.write(`pathcheck: ${plainText(args.from)} is not a usable report\n${parsed.errors.map((e) => `  ${plainText(e.path)}: ${plainText(e.message)}`).join('\n')}\n`);
    return EXIT.dataErr;
  }
  // A report names its profile by id, looked up among the built-in profiles and never used as a
  // path (a report is data from elsewhere); a profile file is given only with --profile.
  const loaded = args.profile ? await loadProfile(args.profile) : await loadBuiltinProfile(parsed.report.profile.id);
  // Placeholders are filled in from --param, else from the values the report's run used.
  const prepared = prepareForRun(loaded, args.params ?? parsed.report.profile.parameters, io, args.profile ?? loaded.id);
  const { profile } = await withRanges(prepared, { refresh: args.refreshRanges === true, env: io.env, stderr: io.stderr, ...(io.now ? { now: io.now } : {}) });
  try {
    const rules = generateRules(args.target, buildFirewallInput(profile, parsed.report));
    io.stdout.write(rules.text.endsWith('\n') ? rules.text : `${rules.text}\n`);
    for (const n of rules.notes) io.stderr.write(`note: ${plainText(n)}\n`);
    if (parsed.report.firewall.blocked.length === 0) io.stderr.write('note: the report found nothing blocked; there is nothing to open.\n');
    return 0;
  } catch (e) {
    if (e instanceof FirewallInputError) {
      io.stderr.write(`pathcheck: refusing to build rules: ${plainText(e.message)}\n`);
      return EXIT.dataErr;
    }
    throw e;
  }
}
