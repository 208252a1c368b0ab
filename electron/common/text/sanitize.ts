/**
 * Characters that change how text is shown rather than being text: C0 and C1 controls (ESC starts
 * terminal sequences, U+009B is a one-byte CSI), DEL, bidirectional overrides and isolates
 * (U+202E makes `fdp.exe` read backwards), zero-width and line/paragraph separators, and the BOM.
 * Profile and report text from a file must never carry these to a terminal, a rule or a PDF.
 */
export const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;
const UNSAFE_TEXT_ALL = new RegExp(UNSAFE_TEXT.source, 'gu');

/** True when `s` is plain text: no control, bidi or invisible formatting character. */
export function isPlainText(s: string): boolean {
  return !UNSAFE_TEXT.test(s);
}

/**
 * `s` with every control, bidi and invisible formatting character shown as a visible `\u{…}`
 * escape, so it can be printed to a terminal (or put in a rule comment or a PDF) as inert text.
 * With `keepNewlines`, `\n` stays a line break (for text whose lines are the caller's own).
 */
export function plainText(s: string, options: { keepNewlines?: boolean } = {}): string {
  return s.replace(UNSAFE_TEXT_ALL, (c) =>
    options.keepNewlines && c === '\n' ? c : `\\u{${c.codePointAt(0)!.toString(16).padStart(4, '0')}}`,
  );
}
