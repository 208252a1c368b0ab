import { z } from 'zod';
import type { ReportComparison } from '../report/compare';
import type { MediaPath, Report } from '../report/schema';
import { FIREWALL_TARGET_IDS } from '../firewall/registry';

/**
 * `history` and `report` domains: the saved reports (one JSON file each in main's history
 * directory), their export (JSON, PDF, ticket summary) and before/after comparison. The renderer
 * names reports only by history id; paths are chosen by main's save dialog, never sent by the page.
 */
export const HistoryChannel = {
  list: 'history:list',
  open: 'history:open',
  delete: 'history:delete',
  import: 'history:import',
  exportJson: 'history:export-json',
  summary: 'history:summary',
} as const;

export const ReportChannel = {
  pdf: 'report:pdf',
  compare: 'report:compare',
} as const;

/** `20261127T041502123Z-a1b2c3d4`: the only names history writes (electron/node/report/history.ts). */
export const HistoryIdSchema = z.string().regex(/^\d{8}T\d{9}Z-[0-9a-f]{8}$/, 'must be a history id');

/** Largest report JSON accepted for import; lab reports are ~60 KB. */
export const MAX_REPORT_TEXT = 4 * 1024 * 1024;

/** One row of the history list: what the list shows, no file path (the page never needs one). */
export interface HistoryItem {
  id: string;
  startedAt: string;
  profile: { id: string; name: string };
  verdicts: { group?: MediaPath; p2p?: MediaPath };
}

export const HistoryListRequestSchema = z.undefined();
export const HistoryIdRequestSchema = z.strictObject({ id: HistoryIdSchema });
export type HistoryIdRequest = z.infer<typeof HistoryIdRequestSchema>;

export interface HistoryOpened {
  id: string;
  report: Report;
}

export interface HistoryDeleted {
  deleted: true;
}

/** The page reads the chosen file itself (a file input) and sends its text; main validates it. */
export const HistoryImportRequestSchema = z.strictObject({
  text: z.string().min(1, 'the file is empty').max(MAX_REPORT_TEXT, `must be at most ${MAX_REPORT_TEXT} characters`),
});

/** Export/PDF answer: `saved: false` when the user cancelled the save dialog (not an error). */
export type Saved = { saved: true; fileName: string } | { saved: false };

export interface HistorySummary {
  text: string;
}

export const ReportPdfRequestSchema = z.strictObject({
  id: HistoryIdSchema,
  /** An earlier report: the PDF gets a "Changes since" section. */
  compareWithId: HistoryIdSchema.optional(),
  /** Rules appendix in this firewall's syntax (the ticket PDF). */
  firewallTarget: z.enum(FIREWALL_TARGET_IDS).optional(),
});
export type ReportPdfRequest = z.infer<typeof ReportPdfRequestSchema>;

export const ReportCompareRequestSchema = z
  .strictObject({ beforeId: HistoryIdSchema, afterId: HistoryIdSchema })
  .refine((r) => r.beforeId !== r.afterId, { message: 'choose two different reports', path: ['afterId'] });
export type ReportCompareRequest = z.infer<typeof ReportCompareRequestSchema>;

export interface ReportCompared {
  before: HistoryItem;
  after: HistoryItem;
  comparison: ReportComparison;
  /** Check id → human label (from the after report, else the before one), for the page's tables. */
  labels: Record<string, string>;
}

/** Domain error codes of these channels. */
export const HistoryErrorCode = {
  unavailable: 'history-unavailable',
  notFound: 'report-not-found',
  importInvalid: 'import-invalid',
  pdfFailed: 'pdf-failed',
  writeFailed: 'write-failed',
} as const;
