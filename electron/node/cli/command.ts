import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { exitCodeFor } from '#common/analysis/rungs';
import { summarizeReport } from '#common/report/summary';
import { footerTemplate, renderReportHtml } from '#common/report/html/index';
import type { Report } from '#common/report/schema';
import { plainText } from '#common/text/sanitize';
import { localDate, profileNotice } from '#common/profile/lifecycle';
import { reportedParameters } from '#common/profile/prepare';
import { prepareForRun, withRanges } from './profile-run';
import { CaFileError, readCaPem } from '../profiles/ca';
import { diagnose } from '../engine/diagnose';
import { createHistory } from '../report/history';
import { printPdf } from '../report/pdf';
import { listProfiles } from '../profiles/store';
import { builtinProfilesDir, loadProfile, ProfileError } from '../profiles/resolve';
import { parseCli, USAGE, UsageError, type DiagnoseArgs } from './args';
import { EXIT, type CliIo } from './io';
import { LiveView } from './live';
import { fixCommand } from './fix';
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
        const today = localDate(io.now?.() ?? new Date());
        const pad = ' '.repeat(17);
        for (const p of await listProfiles(builtinProfilesDir(), today)) {
          const notice = profileNotice(p, today);
          const params = (p.parameters ?? [])
            .map((q) => `\n${pad}--param ${q.name}=<${plainText(q.label)}>  (e.g. ${plainText(q.example)})`)
            .join('');
          io.stdout.write(
            `${p.id.padEnd(16)} ${plainText(p.name)}${notice ? `\n${pad}! ${plainText(notice)}` : ''}${params}\n`,
          );
        }
        return 0;
      }
      case 'rules':
        return await rulesCommand(args, io);
      case 'diagnose':
        return await diagnoseCommand(args, io);
      case 'fix':
        return await fixCommand(args, io);
    }
  } catch (e) {
    // Messages quote files and arguments (zod echoes unknown keys as they are): every piece of data
    // goes through plainText, so no escape sequence or bidi override reaches the terminal.
    if (e instanceof UsageError) {
      io.stderr.write(`pathcheck: ${plainText(e.message)}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (e instanceof ProfileError) {
      io.stderr.write(`pathcheck: invalid profile ${plainText(e.source)}\n${fieldLines(e.errors)}\n`);
      return EXIT.dataErr;
    }
    io.stderr.write(`pathcheck: ${plainText((e as Error).message)}\n`);
    return EXIT.software;
  }
}

/** `  path: message` lines for field errors, each piece made inert for a terminal. */
function fieldLines(errors: ReadonlyArray<{ path: string; message: string }>): string {
  return errors.map((x) => `  ${plainText(x.path)}: ${plainText(x.message)}`).join('\n');
}

async function diagnoseCommand(args: DiagnoseArgs, io: CliIo): Promise<number> {
  const loaded = await loadProfile(args.profile, undefined, localDate(io.now?.() ?? new Date()));
  const prepared = prepareForRun(loaded, args.params, io, args.profile ?? loaded.id);
  const { profile, feed } = await withRanges(prepared, {
    refresh: args.refreshRanges === true,
    env: io.env,
    stderr: io.stderr,
    ...(io.now ? { now: io.now } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  });
  const described = (['group', 'p2p'] as const).filter((r) => profile[r]);
  const missing = (args.rooms ?? []).filter((r) => !profile[r]);
  if (missing.length > 0) {
    throw new UsageError(
      `--room ${missing.join(', ')}: profile "${profile.id}" has no ${missing.join(' or ')} section (it describes ${described.join(' and ') || 'no room type'})`,
    );
  }
  const rooms = args.rooms ?? [...described];
  let ca: string | undefined;
  if (args.ca) {
    try {
      ca = await readCaPem(resolve(args.ca));
    } catch (e) {
      throw new UsageError(
        `--ca ${args.ca}: ${e instanceof CaFileError && e.kind === 'not-pem' ? 'not a PEM certificate' : `cannot read (${(e as Error).message})`}`,
      );
    }
  }
  const live = args.quiet ? null : new LiveView(io.stderr, io.stderrIsTTY, profile, rooms);
  const report = await diagnose(profile, {
    rooms,
    env: io.env,
    ...(args.credentials ? { credentials: args.credentials } : {}),
    ...(ca ? { ca } : {}),
    ...(args.deadlineMs ? { deadlineMs: args.deadlineMs } : {}),
    quality: args.quality ?? { enabled: true },
    ...(io.signal ? { signal: io.signal } : {}),
    ...(live ? { onEvent: (e) => live.onEvent(e) } : {}),
  });
  live?.finish();
  const parameters = reportedParameters(loaded, args.params);
  if (parameters) report.profile = { ...report.profile, parameters };
  if (feed) report.profile = { ...report.profile, addressFeed: feed };
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
    if (args.pdf)
      await printPdf(html, args.pdf, { paper: 'A4', timeoutMs: 60_000, footerTemplate: footerTemplate(report) });
  }
}
