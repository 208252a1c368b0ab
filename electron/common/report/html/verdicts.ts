import type { Report, RoomType, Verdict } from '../schema';
import { describeVerdict, latencyText, pathLabel, reportVerdicts, roomLabel } from '../summary';
import { esc } from './escape';
import { verdictNotes } from '../family-rows';
import { throughputChart } from '../../quality/chart';
import { addedLatencyText, formatRate } from '../../quality/grade';

/**
 * One block per room type: the plain-language verdict, a diagram of the path media will take, the
 * latency class and the analysis' notes. This is what a helpdesk reads first.
 */
export function renderVerdicts(report: Report): string {
  const blocks = reportVerdicts(report).map(({ room, verdict }) => renderVerdict(report, room, verdict));
  if (blocks.length === 0)
    return '<section><h2>Verdicts</h2><p class="muted">No room type was diagnosed.</p></section>';
  return `<section><h2>Verdicts</h2><div class="verdicts">${blocks.join('\n')}</div></section>`;
}

/** The relay the verdict uses, as "host:port", from `via` or from the TURN check in its evidence. */
function relayOf(report: Report, verdict: Verdict): string | null {
  if (verdict.via) return verdict.via;
  for (const id of verdict.evidence) {
    const c = report.checks.find((x) => x.id === id && (x.kind === 'turn' || x.kind === 'relay'));
    if (c?.host) return c.port !== undefined ? `${c.host}:${c.port}` : c.host;
  }
  return null;
}

function renderVerdict(report: Report, room: RoomType, v: Verdict): string {
  // The black-holed-IPv6 warning stands once, in the findings, not under every verdict.
  const kept = verdictNotes(v);
  const notes = kept.length ? `<ul>${kept.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  const evidence = v.evidence.length
    ? `<div class="muted" style="font-size:8pt;margin-top:1mm">Evidence: <span class="mono">${v.evidence.map(esc).join(', ')}</span></div>`
    : '';
  return `<article class="verdict ${esc(v.latency)}">
  <div class="room">${esc(roomLabel(room))}</div>
  <p class="sentence">${esc(describeVerdict(room, v, report))}</p>
  <div><span class="pill ${esc(v.latency)}">${esc(pathLabel(v.path))}</span> <span class="pill ${esc(v.latency)}">${esc(v.latency === 'none' ? 'no media path' : `${v.latency} latency`)}</span> <span class="pill info">${esc(v.confidence)}</span>
  <span class="muted" style="font-size:8.5pt">— ${esc(latencyText(v.latency))}</span></div>
  ${pathDiagram(room, v, relayOf(report, v))}
  ${renderQuality(report, v)}
  ${notes}${evidence}
</article>`;
}

const SUPPORTS_WORD = {
  'hd-video': 'HD video',
  video: 'video',
  audio: 'audio only',
  none: 'too poor for calls',
} as const;

/** The measured call quality of the verdict's path: one line of numbers and throughput over time. */
function renderQuality(report: Report, v: Verdict): string {
  const q = v.quality;
  if (!q || v.path === 'blocked') return '';
  const facts = [
    `Carries ${SUPPORTS_WORD[q.supports]}`,
    `quality ${q.grade}`,
    formatRate(q.measuredKbps),
    ...(q.mos != null ? [`MOS ${q.mos.toFixed(1)}`] : []),
    ...(q.limitedBy?.length ? [`limited by ${q.limitedBy.join(', ')}`] : []),
    addedLatencyText(v.path, q.addedLatencyMs),
  ];
  const entries = (report.quality ?? []).filter((e) => q.evidence.includes(e.id));
  const cw = 300;
  const ch = 60;
  const c = throughputChart(entries, cw, ch);
  const svg = c
    ? `<div class="figure"><svg viewBox="-2 -2 ${cw + 4} ${ch + 4}" width="${cw + 4}" height="${ch + 4}" role="img" aria-label="Throughput over time">` +
      `<line x1="0" y1="${ch}" x2="${cw}" y2="${ch}" stroke="#8a9099" stroke-width="0.8"/>` +
      (c.targetY !== null
        ? `<line x1="0" y1="${c.targetY}" x2="${cw}" y2="${c.targetY}" stroke="#8a9099" stroke-width="0.8" stroke-dasharray="3 3"/>`
        : '') +
      c.lines
        .map(
          (l) =>
            `<polyline points="${esc(l.points)}" fill="none" stroke="#1e7d3a" stroke-width="1.6"${l.sensor === 'webrtc' ? ' stroke-dasharray="4 2"' : ''}/>`,
        )
        .join('') +
      `</svg><div class="caption">Throughput over time (up to ${esc(formatRate(c.maxKbps))}, ${esc((c.maxMs / 1000).toFixed(1))} s; dashed line: the HD target${c.lines.length > 1 ? '; dashed curve: in the app' : ''}).</div></div>`
    : '';
  return `<div class="quality" data-supports="${esc(q.supports)}"><span class="muted" style="font-size:8.5pt">${esc(facts.join(' · '))}</span>${svg}</div>`;
}

const W = 640;
const H = 78;
const BOX_W = 150;
const BOX_H = 40;
const Y = 24;

function box(x: number, title: string, sub: string, dashed = false): string {
  return `<g><title>${esc(`${title}: ${sub}`)}</title><rect x="${x}" y="${Y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="#ffffff" stroke="#1b1f24" stroke-width="1.3"${dashed ? ' stroke-dasharray="4 3"' : ''}/>
<text x="${x + BOX_W / 2}" y="${Y + 17}" text-anchor="middle" font-size="11.5" font-weight="700" fill="#1b1f24">${esc(title)}</text>
<text x="${x + BOX_W / 2}" y="${Y + 31}" text-anchor="middle" font-size="9.5" fill="#5a626c">${esc(truncate(sub, 28))}</text></g>`;
}

function arrow(x1: number, x2: number, label: string, marker: string, broken = false): string {
  const y = Y + BOX_H / 2;
  const line = `<line x1="${x1}" y1="${y}" x2="${x2 - 2}" y2="${y}" stroke="${broken ? '#b3261e' : '#1b1f24'}" stroke-width="1.8"${broken ? ' stroke-dasharray="5 4"' : ` marker-end="url(#${marker})"`}/>`;
  const mid = (x1 + x2) / 2;
  const cross = broken
    ? `<g stroke="#b3261e" stroke-width="3"><line x1="${mid - 7}" y1="${y - 7}" x2="${mid + 7}" y2="${y + 7}"/><line x1="${mid - 7}" y1="${y + 7}" x2="${mid + 7}" y2="${y - 7}"/></g>`
    : '';
  return `${line}${cross}<text x="${mid}" y="${Y - 6}" text-anchor="middle" font-size="10" font-weight="600" fill="#1b1f24">${esc(label)}</text>`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Transport label of the first hop of a relay path, e.g. "TURN/TLS :443". */
function relayHop(v: Verdict, relay: string | null): string {
  const port = relay && /:(\d{1,5})$/.exec(relay)?.[1];
  const proto = v.path === 'turn-udp' ? 'UDP' : v.path === 'turn-tcp' ? 'TCP' : 'TLS';
  return `TURN/${proto}${port ? ` :${port}` : ''}`;
}

/**
 * SVG of the media path: client → peer/server for direct paths, client → relay → peer/server for
 * TURN, and a broken dashed line when blocked. Drawn from the verdict, not from a fixed picture.
 */
export function pathDiagram(room: RoomType, v: Verdict, relay: string | null): string {
  const marker = `arrow-${room}`;
  const target = room === 'group' ? 'Media server' : 'Other participant';
  const targetSub = room === 'group' ? 'SFU' : 'peer (via its NAT)';
  const defs = `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1b1f24"/></marker></defs>`;
  let body: string;
  const client = box(0, 'This machine', 'client');
  if (v.path === 'direct-udp' || v.path === 'direct-tcp') {
    body =
      client +
      arrow(BOX_W, W - BOX_W, v.path === 'direct-udp' ? 'direct UDP' : 'direct TCP', marker) +
      box(W - BOX_W, target, targetSub);
  } else if (v.path === 'blocked') {
    body =
      client + arrow(BOX_W, W - BOX_W, 'no working path', marker, true) + box(W - BOX_W, target, 'unreachable', true);
  } else {
    const mid = (W - BOX_W) / 2;
    body =
      client +
      arrow(BOX_W, mid, relayHop(v, relay), marker) +
      box(mid, 'TURN relay', relay ?? 'relay server') +
      arrow(mid + BOX_W, W - BOX_W, 'UDP', marker) +
      box(W - BOX_W, target, targetSub);
  }
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(`${roomLabel(room)} path: ${pathLabel(v.path)}`)}">${defs}${body}</svg>`;
}
