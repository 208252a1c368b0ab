import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaFileError, MAX_CA_BYTES, readCaPem } from '#node/profiles/ca';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('tls.ca file reads are bounded', () => {
  it('refuses a procfs file that reports size 0 but is endless, after reading at most the cap', async () => {
    // /proc/self/pagemap is a "regular" file of size 0 that reads for gigabytes: stat-based caps miss it.
    const before = process.memoryUsage().rss;
    const err = await readCaPem('/proc/self/pagemap').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaFileError);
    expect((err as CaFileError).kind).toBe('too-large');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a FIFO at once instead of waiting for a writer, and devices and folders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-ca-'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(readCaPem(fifo)).rejects.toMatchObject({ kind: 'not-regular' });
    await expect(readCaPem('/dev/zero')).rejects.toMatchObject({ kind: 'not-regular' });
    await expect(readCaPem(dir)).rejects.toMatchObject({ kind: 'not-regular' });
  });

  it('reads a PEM file relative to the profile folder, and refuses one just over the cap or without PEM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-ca-'));
    writeFileSync(join(dir, 'ca.pem'), PEM);
    expect(await readCaPem('ca.pem', dir)).toBe(PEM);
    writeFileSync(join(dir, 'big.pem'), PEM + 'x'.repeat(MAX_CA_BYTES));
    await expect(readCaPem('big.pem', dir)).rejects.toMatchObject({ kind: 'too-large' });
    writeFileSync(join(dir, 'exact.pem'), PEM + 'x'.repeat(MAX_CA_BYTES - PEM.length));
    expect((await readCaPem('exact.pem', dir)).length).toBe(MAX_CA_BYTES);
    writeFileSync(join(dir, 'text.txt'), 'hello');
    await expect(readCaPem('text.txt', dir)).rejects.toMatchObject({ kind: 'not-pem' });
    await expect(readCaPem('missing.pem', dir)).rejects.toMatchObject({ kind: 'unreadable' });
  });

  it('PEM text is returned as is, without touching the disk', async () => {
    expect(await readCaPem(PEM, '/nonexistent')).toBe(PEM);
  });
});
