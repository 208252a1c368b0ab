import { jsonShapeProblem, type JsonShapeLimits } from '../json-shape';
import { formatPath, type FieldError } from '../profile/schema';
import { REPORT_SCHEMA_VERSION, ReportSchema, type Report } from './schema';

export type ReportParseResult = { ok: true; report: Report } | { ok: false; errors: FieldError[] };

/**
 * A report is a few levels deep (evidence adds about six); anything deeper is refused before the
 * schema and the later JSON.stringify of a save recurse into it (200,000 levels overflow the stack).
 */
const REPORT_SHAPE: JsonShapeLimits = { depth: 32, nodes: 2_000_000, chars: 64 * 1024 * 1024 };

/**
 * Validates a report read from disk, an import or IPC. A newer schemaVersion or a foreign JSON
 * file gets one clear error instead of a list of field complaints.
 */
export function parseReport(input: unknown): ReportParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '(root)', message: 'not a Pathcheck report (expected a JSON object)' }] };
  }
  const o = input as Record<string, unknown>;
  if (typeof o.tool !== 'object' || o.tool === null || (o.tool as Record<string, unknown>).name !== 'pathcheck') {
    return {
      ok: false,
      errors: [{ path: 'tool.name', message: 'not a Pathcheck report (tool.name is not "pathcheck")' }],
    };
  }
  if (typeof o.schemaVersion === 'number' && o.schemaVersion > REPORT_SCHEMA_VERSION) {
    return {
      ok: false,
      errors: [
        {
          path: 'schemaVersion',
          message: `written by a newer Pathcheck (schema ${o.schemaVersion}; this version reads ${REPORT_SCHEMA_VERSION}) — update Pathcheck to open it`,
        },
      ],
    };
  }
  const shape = jsonShapeProblem(input, REPORT_SHAPE);
  if (shape)
    return { ok: false, errors: [{ path: shape.path ? formatPath(shape.path) : '(root)', message: shape.message }] };
  const r = ReportSchema.safeParse(input);
  if (r.success) return { ok: true, report: r.data };
  return {
    ok: false,
    errors: r.error.issues.slice(0, 20).map((i) => ({ path: formatPath(i.path), message: i.message })),
  };
}

export function parseReportJson(text: string): ReportParseResult {
  try {
    return parseReport(JSON.parse(text));
  } catch (e) {
    return { ok: false, errors: [{ path: '(root)', message: `not valid JSON: ${(e as Error).message}` }] };
  }
}
