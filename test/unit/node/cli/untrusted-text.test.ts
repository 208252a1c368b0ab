import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '#node/cli/command';
import { parseProfile } from '#common/profile/schema';
import { isPlainText, plainText } from '#common/text/sanitize';
import { captureIo } from './io';

const FIXTURE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/reports/blocked.json');
const tmp = () => mkdtempSync(join(tmpdir(), 'pc-untrusted-'));
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function reportWithProfileId(dir: string, id: string): string {
  const report = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  report.profile.id = id;
  const file = join(dir, 'report.json');
  writeFileSync(file, JSON.stringify(report));
  return file;
}

const cwd = process.cwd();
afterEach(() => process.chdir(cwd));

describe('rules: a report\u2019s profile id is an id, never a path', () => {
  it.each(['/etc/passwd', '/dev/zero', '../../etc/passwd', 'Lab', 'x'.repeat(65)])(
    'profile.id %j exits 65 without reading anything',
    async (id) => {
      const dir = tmp();
      const io = captureIo();
      expect(await main(['rules', '--from', reportWithProfileId(dir, id), '--target', 'nftables'], io)).toBe(65);
      expect(io.err()).toContain('not a profile id');
      expect(io.err()).not.toMatch(/root:|daemon:/);
      expect(io.out()).toBe('');
    },
  );

  it('a FIFO named as profile.id does not hang', async () => {
    const dir = tmp();
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    process.chdir(dir);
    const io = captureIo();
    expect(await main(['rules', '--from', reportWithProfileId(dir, './fifo.json'), '--target', 'nftables'], io)).toBe(
      65,
    );
  });

  it('./x.json in the report does not load an attacker\u2019s profile from the working folder', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'x.json'),
      JSON.stringify({
        schemaVersion: 1,
        id: 'lab',
        name: 'Attacker',
        stun: [{ host: 'stun.example.com', port: 3478 }],
        group: { udpPorts: [[1, 65535]] },
        addresses: { ipv4: ['0.0.0.0/1'], ipv6: [] },
      }),
    );
    process.chdir(dir);
    const io = captureIo();
    expect(await main(['rules', '--from', reportWithProfileId(dir, './x.json'), '--target', 'nftables'], io)).toBe(65);
    expect(io.out()).not.toContain('0.0.0.0/1');
  });

  it('a profile file comes only from --profile, and a FIFO or device there is refused at once', async () => {
    const dir = tmp();
    execFileSync('mkfifo', [join(dir, 'p.json')]);
    for (const p of [join(dir, 'p.json'), '/dev/zero']) {
      const io = captureIo();
      expect(await main(['diagnose', '--profile', p, '--quiet'], io)).toBe(65);
      expect(io.err()).toContain('not a regular file');
    }
  });
});

describe('terminal escapes and bidi overrides never reach the terminal', () => {
  it('an unknown key holding ESC sequences is shown inert in the error', async () => {
    const dir = tmp();
    const file = join(dir, 'esc.json');
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 1,
        id: 'esc',
        name: 'Esc',
        stun: [{ host: 'stun.example.com', port: 3478 }],
        group: { udpPorts: [[10000, 60000]] },
        '\u001b[2J\u001b]0;pwned\u0007': 1,
      }),
    );
    const io = captureIo();
    expect(await main(['diagnose', '--profile', file, '--quiet'], io)).toBe(65);
    expect(io.err()).not.toMatch(UNSAFE);
    expect(io.err()).toContain('\\u{001b}[2J');
  });

  it('a report file whose errors quote control characters prints them inert', async () => {
    const dir = tmp();
    const file = join(dir, 'r.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, '\u009b31m\u202eevil': true }));
    const io = captureIo();
    expect(await main(['rules', '--from', file, '--target', 'nftables'], io)).toBe(65);
    expect(io.err()).not.toMatch(UNSAFE);
  });

  it.each([
    ['name', 'Zoom\u009b2J'],
    ['name', 'Zoom\u202eexe.'],
    ['notice', 'ends \u202e5202'],
    ['notice', 'a\u001b[31mred'],
    ['description', 'x\u2066y'],
    ['name', 'zero\u200bwidth'],
  ])('profile %s %j is refused with the field', (field, value) => {
    const r = parseProfile({
      schemaVersion: 1,
      id: 'p',
      name: 'P',
      stun: [{ host: 'stun.example.com', port: 3478 }],
      group: { udpPorts: [[1, 2]] },
      [field]: value,
    });
    expect(r).toMatchObject({
      ok: false,
      errors: [{ path: field, message: expect.stringContaining('control, bidirectional') }],
    });
  });

  it('the HTML/PDF report shows bidi overrides, C1 controls and zero-width characters as U+FFFD', async () => {
    const { esc } = await import('#common/report/html/escape');
    expect(esc('Zoom\u202eexe.\u009b2J\u200b')).toBe('Zoom\ufffdexe.\ufffd2J\ufffd');
    expect(esc('line\nnext\ttab')).toBe('line\nnext\ttab');
  });

  it('plainText makes every unsafe character a visible escape and leaves text alone', () => {
    expect(plainText('a\u001b[2Jb\u009b\u202e\u2069c')).toBe('a\\u{001b}[2Jb\\u{009b}\\u{202e}\\u{2069}c');
    expect(plainText('line\nnext', { keepNewlines: true })).toBe('line\nnext');
    expect(plainText('Zoom – Meetings / Vidéo 会议')).toBe('Zoom – Meetings / Vidéo 会议');
    expect(isPlainText('Twilio Programmable Video')).toBe(true);
    expect(isPlainText('\u00a0non-breaking is text')).toBe(true);
  });
});
