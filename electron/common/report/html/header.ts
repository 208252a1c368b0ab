import type { Report } from '../schema';
import { ipv6FactLines } from '../summary';
import { esc, fmtDuration, fmtTime } from './escape';

/**
 * The report's first block: who ran what, when, and on which machine. A network admin reads this to
 * know whether the report describes the network they manage (VPN, proxy, public address).
 */
export function renderHeader(report: Report, generatedAt?: string): string {
  const notice = report.profile.notice
    ? `<p class="notice"><strong>Profile notice:</strong> ${esc(report.profile.notice)}</p>`
    : '';
  const incomplete = report.complete
    ? ''
    : '<p class="notice incomplete"><strong>Incomplete run:</strong> the diagnosis was cut short (deadline or cancel); unfinished checks are marked skipped.</p>';
  const feed = report.profile.addressFeed;
  const ranges = feed
    ? `<p class="muted">Address ranges for rules from <code>${esc(feed.url)}</code>, fetched ${esc(fmtTime(feed.fetchedAt))}${generatedAt ? ` (${esc(daysBetween(feed.fetchedAt, generatedAt))} before this report was generated)` : ''}.</p>`
    : '';
  const generated = generatedAt ? `<br>Generated ${esc(fmtTime(generatedAt))}` : '';
  return `<header class="report-head">
  <div>
    <div class="brand">Pathcheck network report</div>
    <h1>${esc(report.profile.name)}</h1>
    <div class="muted">Profile <code>${esc(report.profile.id)}</code> · rooms: ${esc(report.rooms.join(', '))}</div>
  </div>
  <div class="meta">Run ${esc(fmtTime(report.startedAt))}<br>Duration ${esc(fmtDuration(report.durationMs))}<br>Pathcheck ${esc(report.tool.version)}${report.id ? `<br>Report <code>${esc(report.id)}</code>` : ''}${generated}</div>
</header>
${notice}${incomplete}${ranges}
${renderMachine(report)}`;
}

function daysBetween(from: string, to: string): string {
  const days = Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 86_400_000));
  return days === 1 ? '1 day' : `${days} days`;
}

function interfacesText(report: Report): string {
  const rows = report.host.interfaces
    .filter((i) => i.addresses.some((a) => !a.internal))
    .map((i) => {
      const addrs = i.addresses
        .filter((a) => !a.internal)
        .map((a) => esc(a.cidr ?? a.address))
        .join(', ');
      const flags = [i.name === report.host.defaultInterface ? 'default route' : '', i.tunnel ? 'tunnel' : '']
        .filter(Boolean)
        .join(', ');
      return `<strong>${esc(i.name)}</strong> ${addrs}${flags ? ` <span class="muted">(${esc(flags)})</span>` : ''}`;
    });
  return rows.length ? rows.join('<br>') : '<span class="muted">none reported</span>';
}

function renderMachine(report: Report): string {
  const h = report.host;
  const vpn = h.vpn ? `Yes${h.vpnReason ? ` — ${esc(h.vpnReason)}` : ''}` : 'No';
  const proxy = h.proxy ? `${esc(h.proxy.url)} <span class="muted">(${esc(h.proxy.source)})</span>` : 'None';
  const pub = report.nat.publicAddress
    ? `<code>${esc(report.nat.publicAddress)}</code>`
    : '<span class="muted">unknown (no STUN answer)</span>';
  const v6 = ipv6FactLines(h);
  const ipv6 = v6.length ? `\n  <dt>IPv6</dt><dd>${v6.map(esc).join('<br>')}</dd>` : '';
  return `<section class="machine"><h2>Machine</h2>
<dl class="facts">
  <dt>Hostname</dt><dd>${h.hostname ? esc(h.hostname) : '<span class="muted">not reported</span>'}</dd>
  <dt>Operating system</dt><dd>${esc(h.os)}</dd>
  <dt>Interfaces</dt><dd>${interfacesText(report)}</dd>
  <dt>Public address</dt><dd>${pub}</dd>${ipv6}
  <dt>VPN</dt><dd>${vpn}</dd>
  <dt>Proxy</dt><dd>${proxy}</dd>
</dl></section>`;
}
