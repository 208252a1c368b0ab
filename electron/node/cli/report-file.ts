import { MAX_REPORT_TEXT } from '#common/ipc/history';
import { parseReportJson } from '#common/report/parse';
import type { Report } from '#common/report/schema';
import { plainText } from '#common/text/sanitize';
import { BoundedReadError, readBoundedText } from '../profiles/bounded-read';
import { UsageError } from './args';
import type { CliIo } from './io';

/** Reads and validates a report file (bounded); null after printing why it is not usable. */
export async function readReportFile(path: string, io: CliIo): Promise<Report | null> {
  let text: string;
  try {
    text = await readBoundedText(path, MAX_REPORT_TEXT);
  } catch (e) {
    throw new UsageError(
      `--from ${path}: cannot read (${e instanceof BoundedReadError ? e.short : (e as Error).message})`,
    );
  }
  const parsed = parseReportJson(text);
  if (!parsed.ok) {
    io.stderr.write(
      `pathcheck: ${plainText(path)} is not a usable report\n${parsed.errors.map((e) => `  ${plainText(e.path)}: ${plainText(e.message)}`).join('\n')}\n`,
    );
    return null;
  }
  return parsed.report;
}

/** A profile id as the report names it: an id, never a path. */
export const PROFILE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
