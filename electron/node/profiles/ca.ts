import { isAbsolute, resolve } from 'node:path';
import { BoundedReadError, readBoundedText } from './bounded-read';

/** The largest CA file read; a CA bundle of a private stack is a few KB. */
export const MAX_CA_BYTES = 64 * 1024;
const PEM_MARK = '-----BEGIN CERTIFICATE-----';

/**
 * Why a `tls.ca` path could not be used. `message` names the file and is for the person who gave
 * the path (the CLI user); the page only ever gets the generic `CA_UNUSABLE` sentence, so it cannot
 * use the app to learn which paths exist or what they hold.
 */
export class CaFileError extends Error {
  constructor(
    readonly kind: 'unreadable' | 'not-regular' | 'too-large' | 'not-pem',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CaFileError';
  }
}

/** The one sentence a page-supplied profile gets for any unusable `tls.ca` path. */
export const CA_UNUSABLE = 'tls.ca must be PEM text or the path of a readable PEM certificate file of at most 64 KB.';

/**
 * A profile's `tls.ca` is PEM text or the path of a PEM file, read with `readBoundedText`: a
 * regular file only (never a device, FIFO or folder), at most 64 KB, the cap enforced while
 * reading. Relative paths are resolved against `baseDir` (the profile file's folder).
 */
export async function readCaPem(
  value: string,
  baseDir: string = process.cwd(),
  maxBytes: number = MAX_CA_BYTES,
): Promise<string> {
  if (value.includes(PEM_MARK)) return value;
  const file = isAbsolute(value) ? value : resolve(baseDir, value);
  let text: string;
  try {
    text = await readBoundedText(file, maxBytes);
  } catch (e) {
    if (e instanceof BoundedReadError) {
      throw new CaFileError(e.kind, e.kind === 'too-large' ? `${e.message}; a CA certificate is not` : e.message, {
        cause: e,
      });
    }
    throw e;
  }
  if (!text.includes(PEM_MARK)) throw new CaFileError('not-pem', `${file} holds no PEM certificate`);
  return text;
}
