import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../../../electron/node/cli/args';
import { main } from '../../../../electron/node/cli/command';
import { captureIo } from './io';

describe('pathcheck command line', () => {
  it('parses the documented diagnose options (docs/architecture.md, "CLI")', () => {
    expect(parseCli(['diagnose', '--profile', 'zoom', '--room', 'p2p', '--json', '-', '--turn-username', 'u', '--turn-credential', 'c', '--deadline-ms', '5000', '--quiet']))
      .toEqual({ command: 'diagnose', profile: 'zoom', rooms: ['p2p'], json: '-', credentials: { username: 'u', credential: 'c' }, deadlineMs: 5000, quiet: true });
    expect(parseCli(['diagnose'])).toEqual({ command: 'diagnose', quiet: false }); // rooms: whatever the profile describes
    expect(parseCli(['diagnose', '--room', 'both'])).toMatchObject({ rooms: ['group', 'p2p'] });
  });

  it.each([
    [['diagnose', '--room', 'mesh'], /--room must be group, p2p or both/],
    [['diagnose', '--turn-username', 'u'], /go together/],
    [['diagnose', '--deadline-ms', '12abc'], /--deadline-ms must be a whole number/],
    [['diagnose', '--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['rules', '--target', 'nftables'], /--from/],
  ])('refuses %j with a message naming what is wrong', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });

  it('usage errors exit 64 and print the usage', async () => {
    const io = captureIo();
    expect(await main(['diagnose', '--room', 'x'], io)).toBe(64);
    expect(io.err()).toContain('Usage:');
  });

  it('an invalid profile exits 65 naming every bad field, before any network check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-cli-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({
      schemaVersion: 1, id: 'bad', name: 'Bad',
      turn: [{ host: 'turn.example.com', port: 70000, transport: 'udp' }, { host: 'evil;rm -rf', port: 443, transport: 'tls' }],
      group: { udpPorts: [[60000, 10000]] },
    }));
    const io = captureIo();
    expect(await main(['diagnose', '--profile', file, '--quiet'], io)).toBe(65);
    expect(io.err()).toContain('turn[0].port: must be 1-65535');
    expect(io.err()).toContain('turn[1].host: must be a hostname');
    expect(io.err()).toContain('group.udpPorts[0]: range start must not be greater than its end');
    expect(io.out()).toBe('');
  });

  it('asking for a room type the profile does not describe is a usage error, not a silent exit 0', async () => {
    const io = captureIo();
    expect(await main(['diagnose', '--profile', 'zoom', '--room', 'p2p', '--quiet'], io)).toBe(64);
    expect(io.err()).toContain('profile "zoom" has no p2p section (it describes group)');
  });

  it.each([
    ['nope.pem', /tls\.ca: cannot read .*nope\.pem \(ENOENT\)/],
    ['/dev/zero', /tls\.ca: \/dev\/zero is not a regular file/],
  ])('a profile whose tls.ca is %s exits 65 at once, naming the field', async (ca, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-cli-'));
    const file = join(dir, 'ca.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, id: 'ca', name: 'CA', stun: [{ host: '127.0.0.1', port: 9 }], group: { udpPorts: [[10000, 60000]] }, tls: { ca } }));
    const io = captureIo();
    expect(await main(['diagnose', '--profile', file, '--quiet'], io)).toBe(65);
    expect(io.err()).toMatch(message);
  });

  it('an unknown built-in id exits 65 and lists the known ones', async () => {
    const io = captureIo();
    expect(await main(['diagnose', '--profile', 'skype'], io)).toBe(65);
    expect(io.err()).toMatch(/known: twilio-video, .*zoom/);
  });

  it('profiles lists every built-in profile, Twilio first with its end-of-service notice', async () => {
    const io = captureIo();
    expect(await main(['profiles'], io)).toBe(0);
    const ids = io.out().split('\n').filter((l) => /^\S/.test(l)).map((l) => l.split(/\s+/)[0]);
    expect(ids[0]).toBe('twilio-video');
    expect(ids).toEqual(expect.arrayContaining(['zoom', 'livekit-cloud', 'jitsi', 'custom']));
    expect(io.out()).toContain('ends service on 2026-12-05');
  });
});
