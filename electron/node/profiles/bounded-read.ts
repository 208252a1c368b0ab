import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Why a file was not read: what the person who named it needs to know (never shown to the page). */
export class BoundedReadError extends Error {
  /** `short`: the reason without the file name, e.g. `ENOENT`, `not a regular file`, `larger than 64 KB`. */
  constructor(
    readonly kind: 'unreadable' | 'not-regular' | 'too-large',
    message: string,
    readonly short: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BoundedReadError';
  }
}

const CHUNK = 16 * 1024;

/**
 * Reads a regular file of at most `maxBytes` as UTF-8. The cap is enforced while reading, not from
 * `stat` (procfs and sysfs files report size 0 and can be endless, like `/proc/self/pagemap`), so
 * at most `maxBytes` + 16 KB are ever read. The file is opened non-blocking and checked through its
 * descriptor (no stat-then-open race), so a FIFO, a device or a folder is refused, never waited on.
 */
export async function readBoundedText(file: string, maxBytes: number): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new BoundedReadError('unreadable', `cannot read ${file} (${code})`, code, { cause: e });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new BoundedReadError('not-regular', `${file} is not a regular file`, 'not a regular file');
    const chunks: Buffer[] = [];
    let total = 0;
    // Whole chunks: some procfs files (pagemap) refuse reads of other sizes.
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await handle.read(buf, 0, CHUNK, null));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        throw new BoundedReadError('unreadable', `cannot read ${file} (${code})`, code, { cause: e });
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
      if (total > maxBytes)
        throw new BoundedReadError(
          'too-large',
          `${file} is larger than ${Math.round(maxBytes / 1024)} KB`,
          `larger than ${Math.round(maxBytes / 1024)} KB`,
        );
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await handle.close().catch(() => undefined);
  }
}
