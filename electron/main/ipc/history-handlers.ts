import { FIREWALL_TARGETS, FirewallInputError } from '#common/firewall/index';
import type { Handlers } from '#common/ipc/contract';
import { HistoryErrorCode, type HistoryItem } from '#common/ipc/history';
import { fail, ok } from '#common/ipc/result';
import { compareReports } from '#common/report/compare';
import { parseReportJson } from '#common/report/parse';
import { footerTemplate, headerTemplate, renderReportHtml } from '#common/report/html/index';
import type { Report } from '#common/report/schema';
import { summarizeReport } from '#common/report/summary';
import { writeFileAtomic } from '#node/report/atomic-write';
import { ticketRules } from './firewall-handlers';
import { checkLabel, historyFailure, toItem, type ReportsContext } from './reports-context';

type HistoryChannels =
  | 'history:list'
  | 'history:open'
  | 'history:delete'
  | 'history:import'
  | 'history:export-json'
  | 'history:summary'
  | 'report:pdf'
  | 'report:compare';

/** `pathcheck-<profile>-<yyyymmdd-hhmm>` from report data, reduced to a safe file-name alphabet. */
export function reportFileBase(report: Report): string {
  const stamp = report.startedAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 13);
  const base = `pathcheck-${report.profile.id}-${stamp}`.replace(/[^A-Za-z0-9._-]+/g, '-');
  return base.slice(0, 100);
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/**
 * History and report channels: list/open/delete/import reports, export JSON, the ticket summary,
 * the PDF (the same renderReportHtml document the CLI prints) and before/after comparison.
 * Output paths come only from main's save dialog; the page names reports by history id.
 */
export function createHistoryHandlers(ctx: ReportsContext): Pick<Handlers, HistoryChannels> {
  const { history, deps } = ctx;
  const load = async (id: string) => ctx.resolve({ reportId: id });

  return {
    'history:list': async () => ok((await history.list()).map(toItem)),

    'history:open': async ({ id }) => {
      const r = await load(id);
      return r.ok ? ok({ id, report: r.value.report }) : r;
    },

    'history:delete': async ({ id }) => {
      try {
        await history.remove(id);
        return ok({ deleted: true as const });
      } catch (e) {
        return historyFailure(e);
      }
    },

    'history:import': async ({ text }) => {
      // history.import treats text starting with '{' as JSON and anything else as a path: only JSON
      // may come from the page, so anything that is not an object literal is refused here.
      if (!text.trimStart().startsWith('{'))
        return fail(HistoryErrorCode.importInvalid, 'This file is not a Pathcheck report (expected a JSON object).');
      // Validated here (not by history.import) so the message names the problem, not "the pasted JSON".
      const parsed = parseReportJson(text);
      if (!parsed.ok) {
        // The root, foreign-file and newer-schema messages are whole sentences; field errors get their path.
        const whole = ['(root)', 'tool.name', 'schemaVersion'];
        const first = parsed.errors
          .slice(0, 3)
          .map((e) => (whole.includes(e.path) ? e.message : `${e.path}: ${e.message}`));
        return fail(
          HistoryErrorCode.importInvalid,
          first.join('; ') + (parsed.errors.length > 3 ? ` (and ${parsed.errors.length - 3} more)` : ''),
        );
      }
      try {
        return ok(toItem(await history.save(parsed.report)));
      } catch (e) {
        return historyFailure(e, HistoryErrorCode.importInvalid);
      }
    },

    'history:export-json': async ({ id }) => {
      const r = await load(id);
      if (!r.ok) return r;
      const path = await deps.chooseSavePath({
        title: 'Export report as JSON',
        defaultName: `${reportFileBase(r.value.report)}.json`,
        filters: [{ name: 'JSON', extensions: ['json'] }],
      });
      if (!path) return ok({ saved: false as const });
      try {
        await writeFileAtomic(path, `${JSON.stringify(r.value.report, null, 2)}\n`);
      } catch (e) {
        return fail(HistoryErrorCode.writeFailed, `The file could not be written: ${(e as Error).message}`);
      }
      return ok({ saved: true as const, fileName: baseName(path) });
    },

    'history:summary': async ({ id }) => {
      const r = await load(id);
      return r.ok ? ok({ text: summarizeReport(r.value.report) }) : r;
    },

    'report:pdf': async ({ id, compareWithId, firewallTarget }) => {
      const r = await load(id);
      if (!r.ok) return r;
      const report = r.value.report;
      let compareWith: Report | undefined;
      if (compareWithId) {
        const c = await load(compareWithId);
        if (!c.ok) return c;
        compareWith = c.value.report;
      }
      let firewallAppendix: { target: string; label: string; text: string }[] | undefined;
      if (firewallTarget && report.firewall.blocked.length > 0) {
        const profile = await ctx.profileFor(id, report);
        if (profile) {
          try {
            const rules = ticketRules(profile, report, firewallTarget);
            const label = FIREWALL_TARGETS.find((t) => t.id === firewallTarget)?.label ?? firewallTarget;
            firewallAppendix = [{ target: firewallTarget, label, text: rules.text }];
          } catch (e) {
            if (!(e instanceof FirewallInputError)) throw e;
            return fail('invalid-rules', `No rules could be generated from this report: ${e.message}`);
          }
        }
      }
      const path = await deps.chooseSavePath({
        title: 'Save report as PDF',
        defaultName: `${reportFileBase(report)}.pdf`,
        filters: [{ name: 'PDF', extensions: ['pdf'] }],
      });
      if (!path) return ok({ saved: false as const });
      const html = renderReportHtml(report, {
        ...(compareWith ? { compareWith } : {}),
        ...(firewallAppendix ? { firewallAppendix } : {}),
        generatedAt: new Date().toISOString(),
      });
      let pdf: Buffer;
      try {
        pdf = await deps.printPdf(html, { footerTemplate: footerTemplate(report), headerTemplate: headerTemplate() });
      } catch (e) {
        deps.log?.(`[report:pdf] printing failed: ${(e as Error)?.stack ?? String(e)}`);
        return fail(HistoryErrorCode.pdfFailed, `The PDF could not be printed: ${(e as Error).message.split('\n')[0]}`);
      }
      try {
        await writeFileAtomic(path, pdf);
      } catch (e) {
        return fail(HistoryErrorCode.writeFailed, `The file could not be written: ${(e as Error).message}`);
      }
      return ok({ saved: true as const, fileName: baseName(path) });
    },

    'report:compare': async ({ beforeId, afterId }) => {
      const b = await load(beforeId);
      if (!b.ok) return b;
      const a = await load(afterId);
      if (!a.ok) return a;
      const labels: Record<string, string> = {};
      for (const c of [...b.value.report.checks, ...a.value.report.checks]) labels[c.id] = checkLabel(c);
      const item = (id: string, r: Report): HistoryItem => ({
        id,
        startedAt: r.startedAt,
        profile: { id: r.profile.id, name: r.profile.name },
        verdicts: {
          ...(r.verdicts.group ? { group: r.verdicts.group.path } : {}),
          ...(r.verdicts.p2p ? { p2p: r.verdicts.p2p.path } : {}),
        },
      });
      return ok({
        before: item(beforeId, b.value.report),
        after: item(afterId, a.value.report),
        comparison: compareReports(b.value.report, a.value.report),
        labels,
      });
    },
  };
}
