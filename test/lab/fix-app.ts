// Runs inside pc-client (lab.clientExec, via jiti): the app's own main-process handlers —
// createHandlers() with the real engine, history, local-firewall detection, the fixed apply script
// and recheck — behind main's validating wrapper, exactly as the window would call them. One step
// per process; state lives in <stateDir> (history/ and profiles/), so the test can look at the
// namespace's nftables between steps. Prints one JSON object on stdout.
//
//   fix-app.ts <stateDir> diagnose-plan            start a run, wait for done, firewall:plan {runId}
//   fix-app.ts <stateDir> apply|undo <reportId>    firewall:apply / firewall:undo with consent
//   fix-app.ts <stateDir> recheck <reportId>       firewall:recheck
//   fix-app.ts <stateDir> plan <reportId>          firewall:plan
//   fix-app.ts <stateDir> ticket <reportId> <target> [pdfOut]  firewall:ticket (+ report:pdf with the rules appendix)
import { join } from 'node:path';
import type { DiagnosisEvent } from '#common/report/progress';
import { applyLinuxPlan, defaultApplyScriptPath } from '#node/firewall/apply';
import { detectLocalFirewall } from '#node/firewall/detect';
import { diagnose } from '#node/engine/diagnose';
import { recheck } from '#node/engine/recheck';
import { createIpcHarness } from '../support/ipc-harness';

const [stateDir, step, arg, arg2, arg3] = process.argv.slice(2);
if (!stateDir || !step) {
  process.stderr.write('usage: fix-app.ts <stateDir> <step> [args]\n');
  process.exit(64);
}

const harness = createIpcHarness({
  profilesDir: join(stateDir, 'profiles'),
  engine: { diagnose },
  reports: {
    historyDir: join(stateDir, 'history'),
    chooseSavePath: async () => arg3 ?? null,
    // The lab checks the document that would be printed: the "PDF" here is the HTML itself.
    printPdf: async (html) => Buffer.from(html, 'utf8'),
  },
  firewall: {
    detect: () => detectLocalFirewall(),
    apply: (plan, action) => applyLinuxPlan(plan, action, { scriptPath: defaultApplyScriptPath() }),
    recheck: (profile, previous) => recheck(profile, previous),
    // The lab plays the user who reads main's dialog and confirms; what it was shown goes to stderr.
    confirm: async (c) => {
      process.stderr.write(`[consent] ${c.message}\n${[...c.where, ...c.rules].join('\n')}\n`);
      return true;
    },
  },
});

async function run(): Promise<unknown> {
  switch (step) {
    case 'diagnose-plan': {
      const done = new Promise<DiagnosisEvent>((resolve) => {
        harness.onEmit = (_channel, payload) => {
          const e = payload as DiagnosisEvent;
          if (e.type === 'done' || e.type === 'error') resolve(e);
        };
      });
      const started = await harness.invoke('diagnosis:start', { profileId: 'lab', rooms: ['group', 'p2p'] });
      if (!started.ok) return { started };
      const end = await done;
      if (end.type !== 'done') return { end };
      // By runId: main resolves it to the history entry the `done` hook saved.
      const plan = await harness.invoke('firewall:plan', { runId: started.value.runId });
      return { report: end.report, plan };
    }
    case 'plan':
      return harness.invoke('firewall:plan', { reportId: arg! });
    case 'apply':
      return harness.invoke('firewall:apply', { reportId: arg!, consent: true });
    case 'undo':
      return harness.invoke('firewall:undo', { reportId: arg!, consent: true });
    case 'recheck':
      return harness.invoke('firewall:recheck', { reportId: arg! });
    case 'ticket': {
      const ticket = await harness.invoke('firewall:ticket', { reportId: arg!, target: arg2 as never });
      const pdf = arg3 ? await harness.invoke('report:pdf', { id: arg!, firewallTarget: arg2 as never }) : null;
      return { ticket, pdf };
    }
    default:
      throw new Error(`unknown step ${step}`);
  }
}

run().then(
  (out) => {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
