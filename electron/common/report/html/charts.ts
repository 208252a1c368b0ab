import { formatRanges, normalizeRanges, rangeSize, subtractRanges, type PortRange } from '../../net/ranges';
import { FAMILY_LABEL, familyOf } from '../family';
import { groupByFamily } from '../family-rows';
import type { CheckResult, RangeResult, Report } from '../schema';
import { esc, fmtMs, num } from './escape';

/**
 * The two charts of the report, as inline SVG: round-trip times per path (STUN/TURN/relay checks,
 * grouped by transport) and the map of which ports of each required range are open.
 */

const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
const PATH_KINDS = new Set(['stun', 'turn', 'relay']);

/** Latency bars: one row per STUN/TURN/relay check, grouped by transport; failures show their reason. */
export function renderLatencyBars(report: Report): string {
  // IPv6 twins right under their IPv4 bar (groupByFamily), labelled and indented.
  const checks = groupByFamily(report.checks.filter((c) => PATH_KINDS.has(c.kind))).flatMap((r) =>
    r.v6 ? [r.main, r.v6] : [r.main],
  );
  if (checks.length === 0) return '<p class="muted">No STUN/TURN checks in this report.</p>';
  const groups = TRANSPORTS.map((t) => ({ t, rows: checks.filter((c) => (c.transport ?? 'udp') === t) })).filter(
    (g) => g.rows.length,
  );
  const max = Math.max(10, ...checks.map((c) => c.rttMs ?? 0));
  const W = 640;
  const LABEL = 250;
  const BAR = W - LABEL - 80;
  const ROW = 18;
  let y = 4;
  const parts: string[] = [];
  for (const g of groups) {
    parts.push(
      `<text x="0" y="${y + 12}" font-size="10.5" font-weight="700" fill="#1b1f24">${esc(g.t.toUpperCase())}</text>`,
    );
    y += 18;
    for (const c of g.rows) {
      parts.push(barRow(c, y, LABEL, BAR, max));
      y += ROW;
    }
    y += 6;
  }
  // Scale line at the bottom.
  parts.push(`<line x1="${LABEL}" y1="${y}" x2="${LABEL + BAR}" y2="${y}" stroke="#8a9099" stroke-width="0.8"/>`);
  for (const f of [0, 0.5, 1]) {
    const x = LABEL + BAR * f;
    parts.push(
      `<line x1="${num(x)}" y1="${y}" x2="${num(x)}" y2="${y + 4}" stroke="#8a9099" stroke-width="0.8"/><text x="${num(x)}" y="${y + 14}" font-size="9" text-anchor="middle" fill="#5a626c">${esc(fmtMs(max * f))}</text>`,
    );
  }
  y += 18;
  return `<div class="figure"><svg viewBox="0 0 ${W} ${y}" width="${W}" height="${y}" role="img" aria-label="Round-trip time per path">${parts.join('')}</svg>
<div class="caption">Round-trip time of each STUN/TURN/relay check, grouped by transport. Bars show the measured time; checks without an answer show their reason instead.</div></div>`;
}

function barRow(c: CheckResult, y: number, label: number, bar: number, max: number): string {
  const v6 = familyOf(c) === 6;
  const where = c.host ? `${c.kind.toUpperCase()} ${c.host}${c.port !== undefined ? `:${c.port}` : ''}` : c.id;
  const name = v6 ? `${FAMILY_LABEL[6]} ${where}` : where;
  // Long names are cut to fit the label column; the full name stays in the tooltip.
  const text = `<text x="${v6 ? 20 : 8}" y="${y + 11}" font-size="9.5" fill="#1b1f24"><title>${esc(name)}</title>${esc(name.length > 40 ? `${name.slice(0, 39)}…` : name)}</text>`;
  if (c.rttMs === undefined) {
    return (
      `${text}<rect x="${label}" y="${y + 2}" width="14" height="11" fill="url(#hatch-lat)" stroke="#b3261e" stroke-width="0.8"/>` +
      `<text x="${label + 20}" y="${y + 11}" font-size="9"><tspan font-weight="700" fill="#b3261e">${esc(`${c.status}: ${c.reason}`)}</tspan><tspan fill="#5a626c"> — no round-trip time</tspan></text>`
    );
  }
  const w = Math.max(2, (c.rttMs / max) * bar);
  const fill = c.status === 'pass' ? '#1e7d3a' : c.status === 'warn' ? '#b7791f' : '#b3261e';
  return (
    `${text}<rect x="${label}" y="${y + 2}" width="${num(w)}" height="11" fill="${fill}"/>` +
    `<text x="${num(label + w + 5)}" y="${y + 11}" font-size="9" fill="#1b1f24">${esc(fmtMs(c.rttMs))}${c.status === 'pass' ? '' : ` (${esc(c.status)})`}</text>`
  );
}

/** Hatch pattern definitions shared by the charts (ids are unique per document). */
export function chartDefs(): string {
  return `<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
<pattern id="hatch-lat" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fbe9e7"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b3261e" stroke-width="1.2"/></pattern>
<pattern id="hatch-blocked" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4c7c3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b3261e" stroke-width="2"/></pattern>
</defs></svg>`;
}

/** One strip per range over its required span: allowed solid green, blocked hatched red, untested grey. */
export function renderRangeMap(report: Report): string {
  if (report.ranges.length === 0)
    return '<p class="muted">No port ranges were probed (the profile has no reflector, or the run was cut short).</p>';
  return groupByFamily(report.ranges)
    .map((row) => rangeStrip(row.main) + (row.v6 ? `<div class="v6">${rangeStrip(row.v6)}</div>` : ''))
    .join('\n');
}

function rangeStrip(r: RangeResult): string {
  const required = normalizeRanges(r.required as PortRange[]);
  const lo = required.length ? required[0]![0] : 0;
  const hi = required.length ? required[required.length - 1]![1] : 65535;
  const span = Math.max(1, hi - lo + 1);
  const W = 640;
  const X0 = 10;
  const SW = W - 20;
  const x = (p: number) => X0 + ((p - lo) / span) * SW;
  const clip = (rs: readonly PortRange[]) =>
    normalizeRanges(rs)
      .map(([a, b]) => [Math.max(a, lo), Math.min(b, hi)] as PortRange)
      .filter(([a, b]) => a <= b);
  const allowed = clip(r.allowed as PortRange[]);
  const blocked = clip(r.blocked as PortRange[]);
  const untested = subtractRanges(subtractRanges(required, allowed), blocked);
  const seg = (rs: PortRange[], fill: string) =>
    rs
      .map(
        ([a, b]) =>
          `<rect x="${num(x(a))}" y="8" width="${num(Math.max(1.5, x(b + 1) - x(a)))}" height="22" fill="${fill}"/>`,
      )
      .join('');
  const boundaries = [...new Set([lo, hi, ...allowed.flat(), ...blocked.flat()])].sort((a, b) => a - b);
  // Tick labels must not overlap: keep those at least ~46 px apart, and always both ends.
  const ticks: number[] = [];
  for (const p of boundaries) {
    const last = () => ticks[ticks.length - 1]!;
    if (p === hi) {
      while (ticks.length > 1 && x(hi) - x(last()) < 46) ticks.pop();
      if (!ticks.length || last() !== hi) ticks.push(p);
    } else if (!ticks.length || x(p) - x(last()) >= 46) {
      ticks.push(p);
    }
  }
  const tickSvg = ticks
    .map((p, i) => {
      const anchor = i === 0 ? 'start' : p === hi ? 'end' : 'middle';
      return `<line x1="${num(x(p))}" y1="30" x2="${num(x(p))}" y2="35" stroke="#5a626c" stroke-width="0.8"/><text x="${num(x(p))}" y="46" font-size="9" text-anchor="${anchor}" fill="#1b1f24">${p}</text>`;
    })
    .join('');
  const svg = `<svg viewBox="0 0 ${W} 52" width="${W}" height="52" role="img" aria-label="${esc(`${r.id}: allowed ${formatRanges(allowed)}`)}">
<rect x="${X0}" y="8" width="${SW}" height="22" fill="#e5e7eb"/>${seg(allowed, '#1e7d3a')}${seg(blocked, 'url(#hatch-blocked)')}
<rect x="${X0}" y="8" width="${SW}" height="22" fill="none" stroke="#1b1f24" stroke-width="1"/>${tickSvg}</svg>`;
  const pct = (n: number) => `${Math.round((n / Math.max(1, rangeSize(required))) * 100)}%`;
  const notes = r.notes.length ? `<div class="caption">${r.notes.map(esc).join(' ')}</div>` : '';
  return `<div class="figure"><h3><span class="mono">${esc(r.id)}</span> — ${esc(r.protocol.toUpperCase())} towards ${esc(r.host)}${familyOf(r) === 6 ? ` over ${FAMILY_LABEL[6]}` : ''}</h3>${svg}
<div class="caption"><strong>Allowed</strong> (solid): ${esc(formatRanges(allowed))} (${pct(rangeSize(allowed))}) · <strong>Blocked</strong> (hatched): ${esc(formatRanges(blocked))} (${pct(rangeSize(blocked))})${untested.length ? ` · <strong>Untested</strong> (grey): ${esc(formatRanges(untested))}` : ''}<br>
Required ${esc(formatRanges(required))} · ${r.probes} probes · resolution ${r.resolution === 1 ? 'exact' : `±${r.resolution} ports`} · ${esc(r.confidence)}${r.layer ? ` · blocked at: ${esc(r.layer)}` : ''}</div>${notes}</div>`;
}
