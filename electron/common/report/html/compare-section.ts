import { formatRanges } from '../../net/ranges';
import { compareReports, isUnchanged } from '../compare';
import type { Report } from '../schema';
import { pathLabel, roomLabel } from '../summary';
import { esc, fmtMs, fmtTime } from './escape';

/**
 * "Changes since <date>": the comparison of an earlier report with this one, so a before/after PDF
 * shows an admin that their firewall change did what it should.
 */
export function renderCompare(before: Report, after: Report): string {
  const c = compareReports(before, after);
  const head = `<section class="changes"><h2>Changes since ${esc(fmtTime(before.startedAt))}</h2>
<p class="muted lead">Compared with the earlier report${before.id ? ` <code>${esc(before.id)}</code>` : ''} (profile ${esc(before.profile.name)}).</p>`;
  if (isUnchanged(c)) return `${head}<p>No verdict, check status or port range changed.</p></section>`;

  const verdictRows = c.verdicts.map((v) => {
    const mark =
      v.improved === true
        ? '<span class="better">better</span>'
        : v.improved === false
          ? '<span class="worse">worse</span>'
          : v.changed
            ? 'changed'
            : 'unchanged';
    const p = (x: typeof v.before, l: typeof v.beforeLatency) =>
      x ? `${esc(pathLabel(x))} <span class="muted">(${esc(l)})</span>` : '<span class="muted">not tested</span>';
    return `<tr><td>${esc(roomLabel(v.room))}</td><td>${p(v.before, v.beforeLatency)}</td><td>${p(v.after, v.afterLatency)}</td><td>${mark}</td></tr>`;
  });
  const parts = [
    `<table><thead><tr><th>Room type</th><th>Before</th><th>After</th><th>Change</th></tr></thead><tbody>${verdictRows.join('')}</tbody></table>`,
  ];

  if (c.flipped.length) {
    const rows = c.flipped.map(
      (f) =>
        `<tr><td class="id">${esc(f.id)}</td><td><span class="pill ${esc(f.before)}">${esc(f.before)}</span></td><td><span class="pill ${esc(f.after)}">${esc(f.after)}</span></td></tr>`,
    );
    parts.push(
      `<h3 class="lead">Checks that flipped (${c.flipped.length})</h3><table><thead><tr><th>Check</th><th>Before</th><th>After</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    );
  }
  if (c.rangesChanged.length) {
    const rows = c.rangesChanged.map(
      (
        r,
      ) => `<tr><td class="id">${esc(r.id)}</td><td class="mono">${r.beforeAllowed ? esc(formatRanges(r.beforeAllowed)) : '—'}</td>
<td class="mono">${r.afterAllowed ? esc(formatRanges(r.afterAllowed)) : '—'}</td><td class="mono">${r.opened.length ? `+ ${esc(formatRanges(r.opened))}` : ''}${r.closed.length ? `<br>− ${esc(formatRanges(r.closed))}` : ''}</td></tr>`,
    );
    parts.push(
      `<h3>Port ranges</h3><table><thead><tr><th>Range</th><th>Allowed before</th><th>Allowed after</th><th>Opened / closed</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    );
  }
  const lat = c.latency.filter((l) => Math.abs(l.deltaMs) >= 0.05).slice(0, 12);
  if (lat.length) {
    const rows = lat.map(
      (l) =>
        `<tr><td class="id">${esc(l.id)}</td><td class="num">${esc(fmtMs(l.beforeMs))}</td><td class="num">${esc(fmtMs(l.afterMs))}</td><td class="num">${l.deltaMs > 0 ? '+' : '−'}${esc(fmtMs(Math.abs(l.deltaMs)))}</td></tr>`,
    );
    parts.push(
      `<h3>Round-trip time changes</h3><table><thead><tr><th>Check</th><th class="num">Before</th><th class="num">After</th><th class="num">Change</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    );
  }
  if (c.added.length || c.removed.length) {
    const list = (xs: typeof c.added) =>
      xs.map((x) => `<span class="mono">${esc(x.id)}</span> (${esc(x.status)})`).join(', ');
    parts.push(
      `<h3>Checks added or removed</h3>${c.added.length ? `<p>New: ${list(c.added)}</p>` : ''}${c.removed.length ? `<p>No longer run: ${list(c.removed)}</p>` : ''}`,
    );
  }
  return `${head}${parts.join('\n')}</section>`;
}
