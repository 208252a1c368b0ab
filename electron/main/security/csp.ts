/**
 * The renderer's Content-Security-Policy. Sent as a response header by the app protocol and
 * repeated in `renderer/index.html`'s meta tag ({@link CSP_META}; a test keeps the two in step), so
 * the page is covered wherever it is served from (the Chromium e2e server sends the header too).
 *
 * Nothing is loaded from elsewhere: scripts, styles and fonts come from the app itself. WebRTC
 * (the renderer's ICE suite, a later issue) is not governed by CSP, so `connect-src 'self'` does
 * not get in its way.
 *
 * Checklist: https://www.electronjs.org/docs/latest/tutorial/security#7-define-a-content-security-policy
 */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The meta-tag copy: the same policy without `frame-ancestors`, which browsers ignore in a meta tag
 * (and complain about on the console); only the header can say it.
 */
export const CSP_META = CSP.split('; ')
  .filter((d) => !d.startsWith('frame-ancestors'))
  .join('; ');

/** Headers every renderer response carries. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}
