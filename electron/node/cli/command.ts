import { readFile, writeFile } from 'node:fs/promises';
import { exitCodeFor } from '../../common/analysis/rungs';
import { summarizeReport } from '../../common/report/summary';
import { footerTemplate, renderReportHtml } from '../../common/report/html';
import type { Report } from '../../common/report/schema';
import { diagnose } from '../engine/diagnose';
import { createHistory } from '../report/history';
import { printPdf } from '../report/pdf';
import { listProfiles } from '../profiles/store';
import { builtinProfilesDir, loadProfile, ProfileError } from '../profiles/resolve';
import { parseCli, USAGE, UsageError, type DiagnoseArgs } from './args';
import { EXIT, type CliIo } from './io';
import { LiveView } from './live';
import { rulesCommand } from './rules';

export { EXIT, type CliIo } from './io';

/** The `pathcheck` command line. Returns the exit code instead of exiting, so tests call it in-process. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const args = parseCli(argv);
    switch (args.command) {
      case 'help':
        io.stdout.write(`${USAGE}\n`);
        return 0;
      case 'profiles': {
        for (const p of await listProfiles(builtinProfilesDir())) {
          io.stdout.write(`${p.id.padEnd(16)} ${p.name}${p.notice ? `\n${' '.repeat(17)}! ${p.notice}` : ''}\n`);
        }
        return 0;
      }
      case 'rules':
        return await rulesCommand(args, io);
      case 'diagnose':
        return await diagnoseCommand(args, io);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`pathcheck: ${e.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (e instanceof ProfileError) {
      io.stderr.write(`pathcheck: invalid profile ${e.source}\n${e.errors.map((x) => `  ${x.path}: ${x.message}`).join('\n')}\n`);
      return EXIT.dataErr;
    }
    io.stderr.write(`pathcheck: ${(e as Error).message}\n`);
    return EXIT.software;
  }
}

async function diagnoseCommand(args: DiagnoseArgs, io: CliIo): Promise<number> {
  const profile = await loadProfile(args.profile);
  const described = (['group', 'p2p'] as const).filter((r) => profile[r]);
  const missing = (args.rooms ?? []).filter((r) => !profile[r]);
  if (missing.length > 0) {
    throw new UsageError(`--room ${missing.join(', ')}: profile "${profile.id}" has no ${missing.join(' or ')} section (it describes ${described.join(' and ') || 'no room type'})`);
  }
  const rooms = args.rooms ?? [...described];
  let ca: string | undefined;
  if (args.ca) {
    try {
      ca = await readFile(args.ca, 'utf8');
    } catch (e) {
      throw new UsageError(`--ca ${args.ca}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca ${args.ca}: not a PEM certificate`);
  }
  const live = args.quiet ? null : new LiveView(io.stderr, io.stderrIsTTY, profile, rooms);
  const report = await diagnose(profile, {
    rooms,
    env: io.env,
    ...(args.credentials ? { credentials: args.credentials } : {}),
    ...(ca ? { ca } : {}),
    ...(args.deadlineMs ? { deadlineMs: args.deadlineMs } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    ...(live ? { onEvent: (e) => live.onEvent(e) } : {}),
  });
  live?.finish();
  await writeOutputs(report, args, io);
  const summaryOut = args.json === '-' ? io.stderr : io.stdout;
  if (!args.quiet || args.json !== '-') summaryOut.write(`\n${summarizeReport(report)}\n`);
  if (io.signal?.aborted) return EXIT.cancelled;
  const paths = rooms.map((r) => report.verdicts[r]?.path).filter((p): p is NonNullable<typeof p> => p !== undefined);
  return exitCodeFor(paths);
}

async function writeOutputs(report: Report, args: DiagnoseArgs, io: CliIo): Promise<void> {
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (args.json === '-') io.stdout.write(json);
  else if (args.json) await writeFile(args.json, json);
  if (args.history) {
    const entry = await createHistory(args.history).save(report);
    io.stderr.write(`pathcheck: saved to history ${entry.file}\n`);
  }
  if (args.html || args.pdf) {
    const html = renderReportHtml(report);
    if (args.html) await writeFile(args.html, html);
    if (args.pdf) await printPdf(html, args.pdf, { paper: 'A4', timeoutMs: 60_000, footerTemplate: footerTemplate(report) });
  }
}
