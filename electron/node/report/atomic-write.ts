import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Crash-safe file replacement. A reader (or a process started after a `kill -9`) sees either the
 * old file or the complete new one, never a prefix: data goes to a temporary file in the same
 * directory (created with O_EXCL, so two writers never share it), is fsynced, renamed over the
 * target (atomic on POSIX and NTFS), and the directory is fsynced so the rename itself survives a
 * power cut.
 */

/** Temporary files written by `writeFileAtomic` start with this and end with TEMP_SUFFIX. */
export const TEMP_PREFIX = '.pathcheck-';
export const TEMP_SUFFIX = '.tmp';

/** True for names `writeFileAtomic` uses for its temporary files (so listings can skip and clean them). */
export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(file);
  const tmp = join(
    dir,
    `${TEMP_PREFIX}${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
  );
  const fh = await open(tmp, 'wx', 0o600);
  let renamed = false;
  try {
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    await rename(tmp, file);
    renamed = true;
    await fsyncDir(dir);
  } finally {
    if (!renamed) {
      await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
    }
  }
}

/**
 * Flushes a directory entry change (create/rename/unlink) to disk. Windows cannot open a directory
 * for fsync and NTFS journals renames itself, so there it is a no-op.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
