import type { ReportRef } from '#common/ipc/firewall';
import { HistoryErrorCode, type HistoryItem } from '#common/ipc/history';
import { fail, ok, type IpcResult } from '#common/ipc/result';
import type { Profile } from '#common/profile/schema';
import type { CheckResult, Report } from '#common/report/schema';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '#node/report/atomic-write';
import { createHistory, HistoryError, isHistoryId, type History, type HistoryEntry } from '#node/report/history';
import { applyParameters } from '#common/profile/parameters';
import { listProfiles } from '#node/profiles/store';
import { CHECK_KINDS, TRANSPORT_LABEL } from '#common/report/kinds';

/** Options of the save dialog main shows; tests answer with a temp path instead. */
export interface SaveRequest {
  title: string;
  defaultName: string;
  filters: Array<{ name: string; extensions: string[] }>;
}

/** What the history, report and firewall handlers need from their surroundings (all injectable). */
export interface ReportsDeps {
  /** Where history lives: `userData/history` in the app, a temp dir in tests. */
  historyDir: string;
  /** Asks where to save; null when the user cancelled. Main: Electron's dialog; tests: a temp path. */
  chooseSavePath(request: SaveRequest): Promise<string | null>;
  /** Prints a report HTML document to PDF. Main: printToPDF in a hidden window; harness: system Chromium. */
  printPdf(html: string, options: { footerTemplate: string; headerTemplate: string }): Promise<Buffer>;
  /** Where save failures are logged (main's console by default). */
  log?: (message: string) => void;
}

/** A stored report, resolved from a history id or a runId, with the profile it was made with. */
export interface ResolvedReport {
  id: string;
  report: Report;
}

/**
 * State shared by the history and firewall handlers: the history store, which history id each run
 * of this session was saved under, and the profile each saved report was made with (an imported
 * profile exists nowhere else). One per createHandlers() call.
 */
export interface ReportsContext {
  history: History;
  deps: ReportsDeps;
  /** Called where main passes a run's `done` event: saves the report (best effort, logged). */
  completed(runId: string, report: Report, profile: Profile): void;
  /**
   * Saves a report made here (e.g. a re-check), remembering its profile. `measuredHere: false`
   * (a re-check of an imported report) keeps it out of `producedHere`: part of it was not measured here.
   */
  save(report: Report, profile: Profile, options?: { measuredHere?: boolean }): Promise<HistoryEntry>;
  resolve(ref: ReportRef): Promise<IpcResult<ResolvedReport>>;
  /** The profile a report was made with: this session's, else the built-in one with its id. */
  profileFor(id: string, report: Report): Promise<Profile | null>;
  /**
   * True when this app measured the report on this computer (a run or a re-check), as recorded by
   * main beside the history — never by the report itself. Only such reports may drive a local
   * firewall change: an imported file could name any ports and layers.
   */
  producedHere(id: string): Promise<boolean>;
}

export function toItem(e: HistoryEntry): HistoryItem {
  return { id: e.id, startedAt: e.startedAt, profile: e.profile, verdicts: e.verdicts };
}

/** HistoryError messages are written for people; anything else stays in the log. */
export function historyFailure<T>(e: unknown, code: string = HistoryErrorCode.notFound): IpcResult<T> {
  if (e instanceof HistoryError) return fail(code, e.message);
  throw e;
}

/** `ranges`: a built-in profile with the provider's published ranges (cached feed) as its addresses. */
export function createReportsContext(
  deps: ReportsDeps,
  profilesDir: string,
  ranges?: (p: Profile) => Promise<Profile>,
): ReportsContext {
  const history = createHistory(deps.historyDir);
  const log = deps.log ?? ((m: string) => console.warn(m));
  const savedRuns = new Map<string, Promise<string | null>>();
  const profiles = new Map<string, Profile>();

  // The ids of reports this app measured itself, kept next to (not inside) the history directory.
  const ownFile = `${deps.historyDir}.own.json`;
  let own: Promise<Set<string>> | null = null;
  const loadOwn = () =>
    (own ??= readFile(ownFile, 'utf8').then(
      (text) =>
        new Set((JSON.parse(text) as unknown[]).filter((x): x is string => typeof x === 'string' && isHistoryId(x))),
      () => new Set<string>(),
    ));

  const save = async (report: Report, profile: Profile, options: { measuredHere?: boolean } = {}) => {
    const entry = await history.save(report);
    profiles.set(entry.id, profile);
    if (options.measuredHere === false) return entry;
    const ids = await loadOwn();
    ids.add(entry.id);
    await writeFileAtomic(ownFile, JSON.stringify([...ids]));
    return entry;
  };

  return {
    history,
    deps,
    save,
    completed(runId, report, profile) {
      const saving = save(report, profile).then(
        (e) => e.id,
        (e: unknown) => {
          log(`[history] could not save the report of run ${runId}: ${(e as Error)?.message ?? String(e)}`);
          return null;
        },
      );
      savedRuns.set(runId, saving);
    },
    async resolve(ref) {
      let id: string | null;
      if ('runId' in ref) {
        id = (await savedRuns.get(ref.runId)) ?? null;
        if (!id)
          return fail(
            HistoryErrorCode.notFound,
            'That run has no saved report (it did not finish, or saving it failed).',
          );
      } else id = ref.reportId;
      try {
        return ok({ id, report: await history.load(id) });
      } catch (e) {
        return historyFailure(e);
      }
    },
    producedHere: async (id) => (await loadOwn()).has(id),
    async profileFor(id, report) {
      const known = profiles.get(id);
      if (known) return known;
      try {
        const found = (await listProfiles(profilesDir)).find((p) => p.id === report.profile.id);
        if (!found) return null;
        // Placeholders are filled in with the values the report's run used (or it is not usable).
        const filled = applyParameters(found, report.profile.parameters ?? {});
        if (!filled.ok) return null;
        return ranges ? await ranges(filled.profile) : filled.profile;
      } catch {
        return null;
      }
    },
  };
}

/** A kind's label, except that these tables name the NAT check by what it measures. */
const kindLabel = (kind: CheckResult['kind']): string => (kind === 'nat' ? 'NAT behaviour' : CHECK_KINDS[kind].label);

/** A short human label for a check (the page's tables), e.g. "TURN over UDP turn.lab.test:3478". */
export function checkLabel(c: CheckResult): string {
  const over = c.transport && c.kind !== 'tls' && c.kind !== 'tcp' ? ` over ${TRANSPORT_LABEL[c.transport]}` : '';
  const where = c.host ? ` ${c.host}${c.port ? `:${c.port}` : ''}` : '';
  return `${kindLabel(c.kind)}${over}${where}`.trim() || c.id;
}
