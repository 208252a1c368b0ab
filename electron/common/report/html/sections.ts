import { formatRanges, type PortRange } from '../../net/ranges';
import { blockWhy } from '../../firewall/why';
import type { Report } from '../schema';
import { layerText } from '../summary';
import { esc, fmtMs } from './escape';
import { FAMILY_LABEL } from '../family';
import { checkCountsText, groupByFamily } from '../family-rows';
import type { CheckResult } from '../schema';

/**
 * The factual sections of the report: NAT behaviour, findings, what is blocked and where, the table
 * of every check, and the firewall rules appendix. Each returns one HTML fragment.
 */

const NAT_TEXT: Record<string, string> = {
  'endpoint-independent': 'endpoint-independent',
  'address-dependent': 'address-dependent',
  'address-and-port-dependent': 'address-and-port-dependent',
  none: 'no NAT',
  unknown: 'unknown',
};

/** NAT mapping/filtering and whether peers can reach each other directly (BEHAVE, RFC 4787). */
export function renderNat(report: Report): string {
  const n = report.nat;
  const behave =
    n.behaveCompliant === null
      ? '<span class="pill skipped">unknown</span> could not be tested'
      : n.behaveCompliant
        ? '<span class="pill pass">yes</span> mapping is endpoint-independent (or there is no NAT), so peer-to-peer UDP can work'
        : '<span class="pill fail">no</span> the mapping changes per destination (symmetric NAT): direct peer-to-peer UDP will fail and needs a relay';
  const notes = n.notes.length ? `<ul>${n.notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '';
  return `<section><h2>NAT behaviour</h2>
<dl class="facts">
  <dt>Mapping</dt><dd>${esc(NAT_TEXT[n.mapping] ?? n.mapping)}</dd>
  <dt>Filtering</dt><dd>${esc(NAT_TEXT[n.filtering] ?? n.filtering)}</dd>
  <dt>BEHAVE-compliant</dt><dd>${behave}</dd>
  <dt>Public address</dt><dd>${n.publicAddress ? `<code>${esc(n.publicAddress)}</code>` : '<span class="muted">unknown</span>'}</dd>
  <dt>Method</dt><dd>${esc(n.method === 'rfc5780' ? 'RFC 5780 tests' : n.method === 'two-destinations' ? 'mapped ports towards two destinations' : 'not measured')}</dd>
</dl>${notes}</section>`;
}

/** Findings that are not verdicts: TLS inspection, proxy, VPN, disagreements. */
export function renderFindings(report: Report): string {
  if (report.findings.length === 0)
    return '<section><h2>Findings</h2><p class="muted">No further findings.</p></section>';
  const rank = { error: 0, warn: 1, info: 2 } as const;
  const items = [...report.findings]
    .sort((a, b) => rank[a.severity] - rank[b.severity])
    .map(
      (f) =>
        `<li><span class="pill ${esc(f.severity)}">${esc(f.severity)}</span> ${esc(f.message)} <span class="muted mono">(${esc(f.code)})</span></li>`,
    );
  return `<section><h2>Findings</h2><ul class="findings">${items.join('')}</ul></section>`;
}

/** "What is blocked and where": every blocked requirement with the layer that blocks it. */
export function renderBlocked(report: Report): string {
  const fw = report.firewall;
  if (fw.blocked.length === 0) {
    return '<section><h2>What is blocked and where</h2><p>Nothing the video service needs was found blocked.</p></section>';
  }
  const rows = fw.blocked.map((b) => {
    // Why Pathcheck places this block where it does, from this entry's own evidence (firewall/why.ts),
    // right under it, so an admin can check the claim against the checks it cites.
    const why = blockWhy({ ...report, firewall: { ...fw, blocked: [b] } });
    const whyRow = why.length
      ? `\n<tr class="why"><td colspan="6"><strong>Why here:</strong> ${why.map(esc).join(' ')}</td></tr>`
      : '';
    return `<tr><td>${esc(b.purpose ?? '—')}</td><td class="status">${esc(b.protocol.toUpperCase())}</td>
<td class="mono ports">${esc(formatRanges(b.ports as PortRange[]))}</td><td class="mono">${b.anyDestination ? 'any (peers)' : b.to.map(esc).join('<br>') || '—'}</td>
<td>${esc(layerText(b.layer))}</td><td class="mono">${b.checks.map(esc).join('<br>')}</td></tr>${whyRow}`;
  });
  return `<section><h2>What is blocked and where</h2>
<p class="lead">Most blocks sit at <strong>${esc(layerText(fw.layer))}</strong>. ${esc(layerAdvice(fw.layer))}</p>
<table><thead><tr><th>Needed for</th><th>Protocol</th><th>Ports</th><th>Destination</th><th>Blocked at</th><th>Evidence</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function layerAdvice(layer: string): string {
  switch (layer) {
    case 'local':
      return 'Sends failed at once on this machine, so its own firewall (or endpoint security software) must allow them.';
    case 'perimeter':
      return 'Packets left this machine but got no answer: the network firewall drops them and its administrator must allow them.';
    case 'proxy':
      return 'TCP goes through a proxy that refuses or breaks these connections: the proxy needs an exception.';
    default:
      return 'The evidence does not show which device blocks the traffic.';
  }
}

/** Every check with status, reason, round-trip time and the human sentence; IPv6 twins indented under IPv4. */
export function renderChecks(report: Report): string {
  if (report.checks.length === 0)
    return '<section><h2>All checks</h2><p class="muted">No checks were run.</p></section>';
  const row = (c: CheckResult, v6: boolean) =>
    `<tr${v6 ? ' class="v6"' : ''}><td class="id">${v6 ? `<span class="pill info">${FAMILY_LABEL[6]}</span><br>` : ''}${esc(c.id)}</td><td class="status"><span class="pill ${esc(c.status)}">${esc(c.status)}</span></td>
<td class="mono reason">${esc(c.reason)}${c.layer && c.status !== 'pass' ? `<br><span class="muted">${esc(c.layer)}</span>` : ''}</td><td class="num">${esc(fmtMs(c.rttMs))}</td><td>${esc(c.detail)}</td></tr>`;
  const rows = groupByFamily(report.checks).map(
    (r) => row(r.main, r.main.id !== r.id) + (r.v6 ? `\n${row(r.v6, true)}` : ''),
  );
  return `<section><h2>All checks</h2>
<p class="muted lead">${esc(checkCountsText(report.checks))}</p>
<table class="checks"><thead><tr><th>Check</th><th>Status</th><th>Reason</th><th class="num">RTT</th><th>Detail</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

/** Firewall rules per target, as generated by the rules module; the text is shown verbatim (escaped). */
export function renderAppendix(appendix: { target: string; label: string; text: string }[] | undefined): string {
  if (!appendix || appendix.length === 0) return '';
  const parts = appendix.map(
    (a) =>
      `<h3>${esc(a.label)} <span class="muted mono">(${esc(a.target)})</span></h3><pre class="rules">${esc(a.text)}</pre>`,
  );
  return `<section class="appendix"><h2>Appendix: firewall rules</h2>
<p>Rules that open exactly what this report found blocked. Review them before applying; comments carry the reason and the tag used for undo.</p>
${parts.join('\n')}</section>`;
}
