/**
 * The report's only stylesheet, inlined into the document so the HTML is standalone. Written for
 * screen and for print (A4 and Letter): system fonts, greyscale-safe (status is always spelled out,
 * blocked areas are hatched, not only red), and page-break rules that keep blocks and rows whole.
 */
export const REPORT_CSS = `
:root {
  --ink: #1b1f24; --muted: #5a626c; --line: #d4d8dd; --soft: #f3f5f7;
  --ok: #1e7d3a; --ok-bg: #e6f4ea; --bad: #b3261e; --bad-bg: #fbe9e7; --warn: #8a5a00; --warn-bg: #fff4dc;
  --skip: #6b7280; --accent: #1f4e79;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0 auto; max-width: 190mm; padding: 8mm 0; color: var(--ink);
  font: 10pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
}
h1 { font-size: 17pt; margin: 0 0 1mm; letter-spacing: -0.01em; }
h2 { font-size: 12.5pt; margin: 7mm 0 2.5mm; padding-bottom: 1mm; border-bottom: 1.5px solid var(--ink); break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
p { margin: 1mm 0 2mm; }
.lead { break-after: avoid; page-break-after: avoid; break-inside: avoid; page-break-inside: avoid; }
td.reason { white-space: nowrap; }
td.ports { white-space: nowrap; }
.muted { color: var(--muted); }
.mono, code, td.id { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 8.5pt; }
header.report-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 6mm; border-bottom: 3px solid var(--accent); padding-bottom: 3mm; }
header .brand { font-size: 8.5pt; text-transform: uppercase; letter-spacing: 0.12em; color: var(--accent); font-weight: 700; }
header .meta { text-align: right; font-size: 8.5pt; color: var(--muted); line-height: 1.5; }
.notice { margin: 3mm 0 0; padding: 2mm 3mm; border-left: 4px solid var(--warn); background: var(--warn-bg); font-size: 9pt; }
.incomplete { border-left-color: var(--bad); background: var(--bad-bg); }
dl.facts { display: grid; grid-template-columns: 32mm 1fr; gap: 0.8mm 4mm; margin: 3mm 0 0; font-size: 9pt; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.verdicts { display: grid; grid-template-columns: 1fr; gap: 3mm; }
.verdict { border: 1px solid var(--line); border-left: 6px solid var(--skip); border-radius: 2mm; padding: 3mm 4mm; break-inside: avoid; page-break-inside: avoid; }
.verdict.optimal { border-left-color: var(--ok); }
.verdict.marginal { border-left-color: var(--warn); }
.verdict.high { border-left-color: #c26a00; border-left-style: double; border-left-width: 7px; }
.verdict.none { border-left-color: var(--bad); border-left-style: dashed; }
.verdict .room { font-size: 8.5pt; text-transform: uppercase; letter-spacing: 0.1em; color: var(--muted); font-weight: 700; }
.verdict .sentence { font-size: 12pt; font-weight: 600; margin: 1mm 0 2mm; }
.verdict ul { margin: 1mm 0 0; padding-left: 5mm; font-size: 9pt; }
.verdict svg { display: block; margin: 1mm 0; max-width: 100%; height: auto; }
.pill { display: inline-block; padding: 0 2mm; border-radius: 3mm; font-size: 8pt; font-weight: 700; border: 1px solid currentColor; white-space: nowrap; }
.pill.pass, .pill.optimal { color: var(--ok); background: var(--ok-bg); }
.pill.fail, .pill.none, .pill.error { color: var(--bad); background: var(--bad-bg); }
.pill.warn, .pill.marginal, .pill.high { color: var(--warn); background: var(--warn-bg); }
.pill.skipped, .pill.info { color: var(--skip); background: var(--soft); }
.figure { break-inside: avoid; page-break-inside: avoid; margin: 2mm 0 3mm; }
.figure svg { display: block; max-width: 100%; height: auto; }
.figure .caption { font-size: 8.5pt; color: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: 8.5pt; margin: 1mm 0 3mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th { text-align: left; font-weight: 700; background: var(--soft); border-bottom: 1.5px solid var(--ink); padding: 1.2mm 1.5mm; }
td { border-bottom: 1px solid var(--line); padding: 1.2mm 1.5mm; vertical-align: top; }
td.id { overflow-wrap: anywhere; word-break: break-all; width: 30%; }
tr.v6 td { border-top: 1px dashed #d0d4da; } tr.v6 td.id { padding-left: 3mm; } .v6 { margin-left: 6mm; } .v6 svg { max-width: 100%; height: auto; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.status { white-space: nowrap; }
tr.why { break-before: avoid; page-break-before: avoid; }
tr.why td { background: var(--soft); color: var(--ink); padding-top: 0.8mm; }
ul.findings { list-style: none; padding: 0; margin: 0; }
ul.findings li { padding: 1.5mm 0 1.5mm 0; border-bottom: 1px solid var(--line); break-inside: avoid; page-break-inside: avoid; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }
pre.rules { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--soft); border: 1px solid var(--line); padding: 2mm 3mm; font-size: 7.8pt; line-height: 1.35; font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; }
.appendix { break-before: page; page-break-before: always; }
.changes .better { color: var(--ok); font-weight: 700; }
.changes .worse { color: var(--bad); font-weight: 700; }
footer.report-foot { margin-top: 8mm; font-size: 8pt; color: var(--muted); border-top: 1px solid var(--line); padding-top: 2mm; }
@page { size: auto; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
}
`;
