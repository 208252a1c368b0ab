import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '#node/cli/args';
import { main } from '#node/cli/command';
import { captureIo } from './io';

describe('pathcheck diagnose --quality / --quality-seconds', () => {
  it('parses on/off and a budget in seconds; neither given means the default (on, 3 s)', () => {
    expect(parseCli(['diagnose', '--quality', 'off'])).toMatchObject({ quality: { enabled: false } });
    expect(parseCli(['diagnose', '--quality', 'on', '--quality-seconds', '2.5'])).toMatchObject({
      quality: { enabled: true, seconds: 2.5 },
    });
    expect(parseCli(['diagnose', '--quality-seconds', '1'])).toMatchObject({ quality: { enabled: true, seconds: 1 } });
    expect(parseCli(['diagnose'])).not.toHaveProperty('quality');
  });

  it.each([
    [['diagnose', '--quality', 'yes'], /--quality must be on or off \(got "yes"\)/],
    [
      ['diagnose', '--quality-seconds', '0'],
      /--quality-seconds must be a number of seconds between 0.5 and 10 \(got "0"\)/,
    ],
    [['diagnose', '--quality-seconds', '11'], /between 0.5 and 10/],
    [['diagnose', '--quality-seconds', '3s'], /between 0.5 and 10 \(got "3s"\)/],
    [['diagnose', '--quality-seconds=-2'], /between 0.5 and 10/],
    [['diagnose', '--quality', 'off', '--quality-seconds', '2'], /--quality-seconds needs --quality on/],
  ])('refuses %j naming the option', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });

  it('a bad value exits 64 with the usage, which documents both options', async () => {
    const io = captureIo();
    expect(await main(['diagnose', '--quality-seconds', 'lots', '--quiet'], io)).toBe(64);
    expect(io.err()).toContain('--quality-seconds must be');
    expect(io.err()).toContain('[--quality on|off] [--quality-seconds N]');
  });

  it.each([
    [{ videoKbps: -5 }, 'quality.videoKbps: must be more than 0 kbit/s'],
    [{ hdVideoKbps: 'fast' }, 'quality.hdVideoKbps: must be a number (kbit/s)'],
    [{ audioKbps: 5_000_000 }, 'quality.audioKbps: must be at most 1000000 kbit/s (1 Gbit/s)'],
    [
      { videoKbps: 4000 },
      'quality.videoKbps: the video rate (4000 kbit/s) must not exceed the HD video rate (2500 kbit/s)',
    ],
    [{ hdVideoKbps: 2500, jitterMs: 3 }, 'quality: Unrecognized key: "jitterMs"'],
  ])(
    'a profile whose quality is %j is refused at load (exit 65), naming the field, before any network check',
    async (quality, message) => {
      const dir = mkdtempSync(join(tmpdir(), 'pc-cli-q-'));
      const file = join(dir, 'bad-quality.json');
      writeFileSync(
        file,
        JSON.stringify({
          schemaVersion: 1,
          id: 'badq',
          name: 'Bad quality',
          turn: [{ host: 'turn.example.com', port: 3478, transport: 'udp' }],
          group: { udpPorts: [[10000, 60000]] },
          quality,
        }),
      );
      const io = captureIo();
      expect(await main(['diagnose', '--profile', file, '--quiet'], io)).toBe(65);
      expect(io.err()).toContain(message);
      expect(io.out()).toBe('');
    },
  );
});
