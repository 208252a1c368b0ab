/**
 * Escaping and formatting helpers for the HTML report. Reports can carry hostile strings (a host
 * name, a proxy URL or a TLS issuer comes from the network), so every value goes through `esc`.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for element content and quoted attribute values (also safe inside SVG). */
export function esc(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  // Controls, C1 (U+009B is a CSI), bidi overrides/isolates and invisible formatting characters
  // become U+FFFD: a report (and its PDF) must not show a name written backwards or hidden.
  return s
    .replace(/[&<>"'`]/g, (c) => ENTITIES[c]!)
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
      '\ufffd',
    );
}

/** "12.3 ms", "0.41 ms", "—" when missing. */
export function fmtMs(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** "6.8 s" / "950 ms". */
export function fmtDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * "2026-11-27 04:15 UTC": UTC so the same report prints the same everywhere; falls back to the raw
 * string (escaped by the caller) when it is not a date.
 */
export function fmtTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** Keeps a number inside SVG coordinates even when a report carries nonsense. */
export function num(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '0';
}
