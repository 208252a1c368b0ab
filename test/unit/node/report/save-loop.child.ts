/**
 * Child process for history.kill.test.ts (run through jiti, since Node 20 cannot run TypeScript):
 * saves a large report into the history directory in an endless loop until it is SIGKILLed.
 * argv: <history dir> <fixture json path>
 */
import { readFileSync } from 'node:fs';
import { parseReportJson } from '#common/report/parse';
import { createHistory } from '#node/report/history';

const [dir, fixture] = process.argv.slice(2);
const parsed = parseReportJson(readFileSync(fixture!, 'utf8'));
if (!parsed.ok) throw new Error('bad fixture');
const report = parsed.report;
// ~3 MB of JSON, so the parent's kill lands in the middle of a write most of the time.
const base = report.checks[0]!;
report.checks = Array.from({ length: 6000 }, (_, i) => ({
  ...base,
  id: `dns:host-${i}.lab.test`,
  detail: `padding ${'x'.repeat(300)} ${i}`,
}));
const history = createHistory(dir!);
process.stdout.write('ready\n');
for (;;) {
  const entry = await history.save(report);
  process.stdout.write(`saved ${entry.id}\n`);
}
