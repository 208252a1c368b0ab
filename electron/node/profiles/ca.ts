import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

const MAX_CA_BYTES = 64 * 1024;

/**
 * A profile's `tls.ca` is PEM text or the path of a PEM file. A path is read only when it names a
 * regular file of at most 64 KB that holds a certificate — never a device, FIFO or directory, which
 * could block the process or read something that is not a CA. Relative paths are resolved against
 * `baseDir` (the profile file's folder). Throws an Error whose message says what is wrong.
 */
export function caPem(value: string, baseDir: string = process.cwd()): string {
  if (value.includes('-----BEGIN CERTIFICATE-----')) return value;
  const file = isAbsolute(value) ? value : resolve(baseDir, value);
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error(`${file} is not a regular file`);
    size = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code ? `cannot read ${file} (${code})` : (e as Error).message, { cause: e });
  }
  if (size > MAX_CA_BYTES) throw new Error(`${file} is larger than 64 KB; a CA certificate is not`);
  const text = readFileSync(file, 'utf8');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${file} holds no PEM certificate`);
  return text;
}
