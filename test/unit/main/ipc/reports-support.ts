import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import type { ReportsDeps, SaveRequest } from '#main/ipc/reports-context';
import { createIpcHarness, type IpcHarness } from '#test/support/ipc-harness';
import type { FirewallDeps } from '#main/ipc/firewall-handlers';
import type { DiagnosisEngine } from '#main/ipc/diagnosis-handlers';
import type { Report } from '#common/report/schema';

/** test/lab/profile.json: the profile (id "lab") the report fixtures were made with. */
// From the path string: under happy-dom, `URL` is the DOM's class, which fileURLToPath refuses.
export const LAB_PROFILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../lab/profile.json');

export interface ReportsSetup {
  root: string;
  historyDir: string;
  profilesDir: string;
  /** Where the fake save dialog answers; set `nextSavePath = null` to cancel. */
  nextSavePath: string | null;
  saveRequests: SaveRequest[];
  printed: Array<{ html: string; footerTemplate: string }>;
  deps: ReportsDeps;
  cleanup(): void;
}

/**
 * Temp dirs and fake surroundings for the history/report/firewall handlers: a history directory,
 * a profiles directory holding the lab profile, a save "dialog" answering a temp path, and a
 * printPdf that records the HTML and answers a tiny PDF.
 */
export function reportsSetup(): ReportsSetup {
  const root = mkdtempSync(join(tmpdir(), 'pathcheck-reports-'));
  const profilesDir = join(root, 'profiles');
  mkdirSync(profilesDir);
  // The lab's CA lives in /run/pathcheck-lab only while the lab runs; main reads tls.ca before a
  // run starts, so the copy names a CA file beside it instead.
  const lab = JSON.parse(readFileSync(LAB_PROFILE, 'utf8')) as { tls?: { ca?: string } };
  writeFileSync(join(profilesDir, 'lab-ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(
    join(profilesDir, 'lab.json'),
    JSON.stringify({ ...lab, tls: { ca: join(profilesDir, 'lab-ca.pem') } }),
  );
  const s: ReportsSetup = {
    root,
    historyDir: join(root, 'history'),
    profilesDir,
    nextSavePath: join(root, 'out.file'),
    saveRequests: [],
    printed: [],
    deps: {
      historyDir: join(root, 'history'),
      chooseSavePath: async (request) => {
        s.saveRequests.push(request);
        return s.nextSavePath;
      },
      printPdf: async (html, options) => {
        s.printed.push({ html, footerTemplate: options.footerTemplate });
        return Buffer.from('%PDF-1.7 test');
      },
      log: () => {},
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  return s;
}

/** Reports the harness's engine hands out, one per `diagnosis:start` (see seedRun). */
const queued = new WeakMap<IpcHarness, Report[]>();

/**
 * The harness with reports (and optionally firewall) deps, its profilesDir swapped for the temp one.
 * Its engine "measures" whatever seedRun queued, so a test can make main produce a report itself.
 */
export function reportsHarness(s: ReportsSetup, firewall?: FirewallDeps, origin?: string): IpcHarness {
  const queue: Report[] = [];
  const engine: DiagnosisEngine = {
    diagnose: async (_profile, o) => {
      const report = { ...queue.shift()!, id: o.runId };
      o.onEvent({ type: 'done', runId: o.runId, report });
      return report;
    },
  };
  const h = createIpcHarness({
    reports: s.deps,
    ...(firewall ? { firewall } : {}),
    profilesDir: s.profilesDir,
    engine,
    ...(origin ? { origin } : {}),
  });
  queued.set(h, queue);
  return h;
}

/**
 * Makes main produce `report` through a real `diagnosis:start` (so it is saved as this session's
 * own measurement, the only kind the firewall may act on) and returns its history id.
 */
export async function seedRun(h: IpcHarness, report: Report): Promise<string> {
  queued.get(h)!.push(report);
  const started = await h.invoke('diagnosis:start', { profileId: report.profile.id, rooms: report.rooms });
  if (!started.ok) throw new Error(`diagnosis:start: ${started.error.message}`);
  const runId = started.value.runId;
  // The report is saved when main passes the run's `done`; the firewall can then resolve the run.
  for (let i = 0; i < 300; i++) {
    const plan = await h.invoke('firewall:plan', { runId });
    if (plan.ok) return plan.value.reportId;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the seeded run was not saved');
}

export function fakeFirewallDeps(): FirewallDeps & {
  apply: ReturnType<typeof vi.fn>;
  recheck: ReturnType<typeof vi.fn>;
  detect: ReturnType<typeof vi.fn>;
  confirm: ReturnType<typeof vi.fn>;
} {
  return {
    platform: 'linux',
    detect: vi.fn(async () => ({
      platform: 'linux',
      outboundDefault: 'allow' as const,
      localRulesAllowed: true,
      notes: [],
      engines: [
        { name: 'nftables' as const, present: true, active: true, outboundDefault: 'allow' as const, detail: '' },
      ],
      dropChains: [{ family: 'inet' as const, table: 'pc_fw', chain: 'local_out' }],
    })),
    apply: vi.fn(async (_plan, action) => ({
      ok: true,
      action,
      elevation: 'root' as const,
      exitCode: 0,
      error: null,
      added:
        action === 'apply'
          ? [
              { handle: 7, family: 'inet', table: 'pc_fw', chain: 'local_out' },
              { handle: 8, family: 'inet', table: 'pc_fw', chain: 'local_out' },
            ]
          : [],
      removed:
        action === 'undo'
          ? [
              { handle: 7, family: 'inet', table: 'pc_fw', chain: 'local_out' },
              { handle: 8, family: 'inet', table: 'pc_fw', chain: 'local_out' },
            ]
          : [],
    })),
    recheck: vi.fn(),
    // The user's answer in main's own dialog: yes unless a test says otherwise.
    confirm: vi.fn(async () => true),
  } as never;
}
