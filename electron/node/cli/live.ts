import { ladderProgress, type RungState } from '#common/analysis/ladder-progress';
import type { Profile } from '#common/profile/schema';
import type { DiagnosisEvent, PlannedCheck } from '#common/report/progress';
import type { CheckResult, NatResult, RangeResult, RoomType } from '#common/report/schema';
import { formatRanges } from '#common/net/ranges';
import { FAMILY_LABEL, familyOf } from '#common/report/family';

export interface Out {
  write(s: string): unknown;
}

const MARK: Record<RungState, string> = { pending: '…', pass: '✔', fail: '✘', 'n/a': '–' };
const COLOR: Record<RungState, string> = { pending: '\x1b[2m', pass: '\x1b[32m', fail: '\x1b[31m', 'n/a': '\x1b[2m' };
const ROOM: Record<RoomType, string> = { group: 'Group (SFU)', p2p: 'Peer-to-peer' };

/**
 * Progress on stderr. On a TTY: a ladder per room type that redraws in place as rungs resolve,
 * with a count of finished checks. Otherwise: one plain line per finished check, for logs.
 */
export class LiveView {
  private planned: PlannedCheck[] = [];
  private readonly checks = new Map<string, CheckResult>();
  private readonly ranges: RangeResult[] = [];
  private nat: NatResult | null = null;
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: Out,
    private readonly tty: boolean,
    private readonly profile: Profile,
    private readonly rooms: RoomType[],
  ) {}

  onEvent(e: DiagnosisEvent): void {
    switch (e.type) {
      case 'plan':
        this.planned = e.checks;
        if (!this.tty) this.out.write(`pathcheck: ${plannedText(e.checks)} planned for ${this.profile.name}\n`);
        break;
      case 'check':
        this.checks.set(e.result.id, e.result);
        if (!this.tty) this.out.write(plainLine(e.result));
        break;
      case 'range':
        this.ranges.push(e.result);
        if (!this.tty)
          this.out.write(
            `${v6Prefix(e.result)}${e.result.id}: allowed ${formatRanges(e.result.allowed)}; blocked ${formatRanges(e.result.blocked)} (${e.result.probes} probes)\n`,
          );
        break;
      case 'nat':
        this.nat = e.result;
        if (!this.tty) this.out.write(`nat: mapping ${e.result.mapping}, filtering ${e.result.filtering}\n`);
        break;
      default:
        break;
    }
    if (this.tty) this.schedule();
  }

  /** Redraws at most every 80 ms, so a burst of results doesn't flicker. */
  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, 80);
  }

  draw(): void {
    const lines: string[] = [];
    const ladder = ladderProgress(this.profile, this.rooms, this.planned, this.checks, this.ranges, this.nat);
    for (const room of this.rooms) {
      const rungs = ladder[room];
      if (!rungs) continue;
      lines.push(
        `\x1b[1m${ROOM[room]}\x1b[0m  ${rungs.map((r) => `${COLOR[r.state]}${MARK[r.state]} ${r.label}\x1b[0m`).join('   ')}`,
      );
    }
    const finished = (ps: PlannedCheck[]) =>
      ps.filter((p) => this.checks.has(p.id) || this.ranges.some((r) => r.id === p.id)).length;
    const [v4, v6] = splitFamilies(this.planned);
    const also = v6.length ? ` (+ ${FAMILY_LABEL[6]}: ${finished(v6)}/${v6.length})` : '';
    lines.push(`\x1b[2m${finished(v4)}/${v4.length} checks finished${also}\x1b[0m`);
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    this.out.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    this.drawn = lines.length;
  }

  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.tty) this.draw();
  }
}

/** IPv6 twins are counted apart, so a dual-stack plan does not read as twice the work. */
function splitFamilies(planned: readonly PlannedCheck[]): [PlannedCheck[], PlannedCheck[]] {
  return [planned.filter((p) => familyOf(p) !== 6), planned.filter((p) => familyOf(p) === 6)];
}

function plannedText(planned: readonly PlannedCheck[]): string {
  const [v4, v6] = splitFamilies(planned);
  return `${v4.length} checks${v6.length ? ` (+ ${v6.length} over ${FAMILY_LABEL[6]})` : ''}`;
}

/** IPv6 lines are indented and tagged, so in a log they read as the twin of the line above. */
function v6Prefix(entry: { id: string; family?: 4 | 6 | undefined }): string {
  return familyOf(entry) === 6 ? `  ${FAMILY_LABEL[6]} ` : '';
}

function plainLine(c: CheckResult): string {
  const rtt = c.rttMs !== undefined ? ` ${c.rttMs} ms` : '';
  return `${v6Prefix(c)}${c.id}: ${c.status} (${c.reason})${rtt}\n`;
}
