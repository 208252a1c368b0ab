import { readFile } from 'node:fs/promises';
import { buildFirewallInput, FIREWALL_TARGET_IDS, FirewallInputError, generateRules, isFirewallTarget } from '../../common/firewall';
import { parseReportJson } from '../../common/report/parse';
import { loadProfile } from '../profiles/resolve';
import type { RulesArgs } from './args';
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
    text = await readFile(args.from, 'utf8');
  } catch (e) {
    throw new UsageError(`--from ${args.from}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const parsed = parseReportJson(text);
  if (!parsed.ok) {
    io.stderr.write(`pathcheck: ${args.from} is not a usable report\n${parsed.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}\n`);
    return EXIT.dataErr;
  }
  const profile = await loadProfile(args.profile ?? parsed.report.profile.id);
  try {
    const rules = generateRules(args.target, buildFirewallInput(profile, parsed.report));
    io.stdout.write(rules.text.endsWith('\n') ? rules.text : `${rules.text}\n`);
    for (const n of rules.notes) io.stderr.write(`note: ${n}\n`);
    if (parsed.report.firewall.blocked.length === 0) io.stderr.write('note: the report found nothing blocked; there is nothing to open.\n');
    return 0;
  } catch (e) {
    if (e instanceof FirewallInputError) {
      io.stderr.write(`pathcheck: refusing to build rules: ${e.message}\n`);
      return EXIT.dataErr;
    }
    throw e;
  }
}
