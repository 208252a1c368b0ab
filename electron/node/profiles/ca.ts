import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';

/** The largest CA file read; a CA bundle of a private stack is a few KB. */
export const MAX_CA_BYTES = 64 * 1024;
const PEM_MARK = '-----BEGIN CERTIFICATE-----';

/**
 * Why a `tls.ca` path could not be used. `message` names the file and is for the person who gave
 * the path (the CLI user); the page only ever gets the generic `CA_UNUSABLE` sentence, so it cannot
 * use the app to learn which paths exist or what they hold.
 */
export class CaFileError extends Error {
  constructor(readonly kind: 'unreadable' | 'not-regular' | 'too-large' | 'not-pem', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CaFileError';
  }
}

/** The one sentence a page-supplied profile gets for any unusable `tls.ca` path. */
export const CA_UNUSABLE = 'tls.ca must be PEM text or the path of a readable PEM certificate file of at most 64 KB.';

/**
 * A profile's `tls.ca` is PEM text or the path of a PEM file. A path is read only when the opened
 * file is a regular file, and never more than `maxBytes` + 16 KB are read whatever its reported
 * size: procfs and sysfs files report size 0 and can be endless (`/proc/self/pagemap`), so the cap
 * is enforced while reading, not from `stat`. The file is opened non-blocking and checked through
 * its descriptor (no stat-then-open race), so a FIFO or a device is refused instead of waited on.
 * Relative paths are resolved against `baseDir` (the profile file's folder).
 */
export async function readCaPem(value: string, baseDir: string = process.cwd(), maxBytes: number = MAX_CA_BYTES): Promise<string> {
  if (value.includes(PEM_MARK)) return value;
  const file = isAbsolute(value) ? value : resolve(baseDir, value);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CaFileError('unreadable', `cannot read ${file} (${code ?? (e as Error).message})`, { cause: e });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new CaFileError('not-regular', `${file} is not a regular file`);
    const chunks: Buffer[] = [];
    let total = 0;
    // Whole chunks (procfs files such as pagemap refuse odd-sized reads): at most maxBytes + one chunk is read.
    const buf = Buffer.alloc(16 * 1024);
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await handle.read(buf, 0, buf.length, null));
      } catch (e) {
        throw new CaFileError('unreadable', `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
      if (total > maxBytes) throw new CaFileError('too-large', `${file} is larger than ${Math.round(maxBytes / 1024)} KB; a CA certificate is not`);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text.includes(PEM_MARK)) throw new CaFileError('not-pem', `${file} holds no PEM certificate`);
    return text;
  } finally {
    await handle.close().catch(() => undefined);
  }
}
