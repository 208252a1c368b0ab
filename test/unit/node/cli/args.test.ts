import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '#node/cli/args';
import { main } from '#node/cli/command';
import { captureIo } from './io';

describe('pathcheck command line', () => {
  it('parses the documented diagnose options (docs/architecture.md, "CLI")', () => {
    expect(
      parseCli([
        'diagnose',
        '--profile',
        'zoom',
        '--room',
        'p2p',
        '--json',
        '-',
        '--turn-username',
        'u',
        '--turn-credential',
        'c',
        '--deadline-ms',
        '5000',
        '--quiet',
      ]),
    ).toEqual({
      command: 'diagnose',
      profile: 'zoom',
      rooms: ['p2p'],
      json: '-',
      credentials: { username: 'u', credential: 'c' },
      deadlineMs: 5000,
      quiet: true,
    });
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
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 1,
        id: 'bad',
        name: 'Bad',
        turn: [
          { host: 'turn.example.com', port: 70000, transport: 'udp' },
          { host: 'evil;rm -rf', port: 443, transport: 'tls' },
        ],
        group: { udpPorts: [[60000, 10000]] },
      }),
    );
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
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 1,
        id: 'ca',
        name: 'CA',
        stun: [{ host: '127.0.0.1', port: 9 }],
        group: { udpPorts: [[10000, 60000]] },
        tls: { ca },
      }),
    );
    const io = captureIo();
    expect(await main(['diagnose', '--profile', file, '--quiet'], io)).toBe(65);
    expect(io.err()).toMatch(message);
  });

  it('an unknown built-in id exits 65 and lists the known ones', async () => {
    const io = captureIo();
    expect(await main(['diagnose', '--profile', 'skype'], io)).toBe(65);
    expect(io.err()).toMatch(/known: twilio-video, .*zoom/);
  });

  it('profiles lists every built-in profile, Twilio first while it lasts with its end-of-service notice', async () => {
    const io = { ...captureIo(), now: () => new Date(2026, 11, 1, 12) };
    expect(await main(['profiles'], io)).toBe(0);
    const ids = io
      .out()
      .split('\n')
      .filter((l) => /^\S/.test(l))
      .map((l) => l.split(/\s+/)[0]);
    expect(ids[0]).toBe('twilio-video');
    expect(ids).toEqual(expect.arrayContaining(['zoom', 'livekit-cloud', 'jitsi', 'custom', 'microsoft-teams']));
    expect(io.out()).toContain('Twilio Programmable Video ends on 2026-12-05.');
    expect(io.out()).toContain('--param project=<LiveKit Cloud project subdomain>  (e.g. acme)');
  });

  it('after its end of service Twilio is listed last, says it ended, and is not the default', async () => {
    const io = { ...captureIo(), now: () => new Date(2026, 11, 6, 9) };
    expect(await main(['profiles'], io)).toBe(0);
    const ids = io
      .out()
      .split('\n')
      .filter((l) => /^\S/.test(l))
      .map((l) => l.split(/\s+/)[0]);
    expect(ids.at(-1)).toBe('twilio-video');
    expect(ids[0]).not.toBe('twilio-video');
    expect(io.out()).toContain(
      'Twilio Programmable Video ended on 2026-12-05: this profile is for diagnosing existing deployments.',
    );
    expect(io.out()).not.toContain('ends on');
  });
});

describe('pathcheck --param', () => {
  it('parses repeatable name=value pairs and refuses malformed or repeated ones', () => {
    expect(parseCli(['diagnose', '--profile', 'livekit-cloud', '--param', 'project=acme'])).toMatchObject({
      params: { project: 'acme' },
    });
    expect(
      parseCli(['rules', '--from', 'r.json', '--target', 'nftables', '--param', 'a=1', '--param', 'b=x=y']),
    ).toMatchObject({ params: { a: '1', b: 'x=y' } });
    expect(() => parseCli(['diagnose', '--param', 'project'])).toThrow(/--param needs name=value/);
    expect(() => parseCli(['diagnose', '--param', 'a=1', '--param', 'a=2'])).toThrow(/--param a is given twice/);
  });

  it('a profile with an unfilled parameter cannot run: exit 65 naming it, before any network check', async () => {
    const io = captureIo();
    expect(await main(['diagnose', '--profile', 'livekit-cloud', '--quiet'], io)).toBe(65);
    expect(io.err()).toContain(
      'parameters.project: LiveKit Cloud project subdomain is required (for example acme); give it with --param project=value',
    );
    expect(io.out()).toBe('');
  });

  it('an invalid value or an unknown parameter is exit 65 naming it', async () => {
    const bad = captureIo();
    expect(await main(['diagnose', '--profile', 'livekit-cloud', '--param', 'project=no such', '--quiet'], bad)).toBe(
      65,
    );
    expect(bad.err()).toContain(
      'parameters.project: LiveKit Cloud project subdomain must be letters, digits, hyphens and dots',
    );
    const unknown = captureIo();
    expect(
      await main(
        ['diagnose', '--profile', 'livekit-cloud', '--param', 'project=acme', '--param', 'region=eu', '--quiet'],
        unknown,
      ),
    ).toBe(65);
    expect(unknown.err()).toContain('parameters.region: this profile has no parameter "region"');
  });

  it('a valid value fills the hosts the run uses and is recorded in the report; rules reuse it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-cli-'));
    const json = join(dir, 'r.json');
    const io = captureIo();
    // Names under .invalid never resolve (RFC 6761), so the run ends quickly and offline.
    const code = await main(
      [
        'diagnose',
        '--profile',
        'jitsi',
        '--param',
        'server=meet.pathcheck.invalid',
        '--json',
        json,
        '--quiet',
        '--deadline-ms',
        '3000',
      ],
      io,
    );
    expect([0, 1, 2, 3]).toContain(code);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.profile.parameters).toEqual({ server: 'meet.pathcheck.invalid' });
    expect(report.checks.map((c: { host?: string }) => c.host).filter(Boolean)).toContain('meet.pathcheck.invalid');
    expect(JSON.stringify(report)).not.toContain('${server}');
    const rules = captureIo();
    expect(await main(['rules', '--from', json, '--target', 'squid'], rules)).toBe(0);
    expect(rules.out()).not.toContain('${');
  }, 20_000);

  it('warns when an ended profile is used, and still runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-cli-'));
    const file = join(dir, 'ended.json');
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 1,
        id: 'old',
        name: 'Old Video',
        endOfService: '2026-12-05',
        stun: [{ host: '127.0.0.1', port: 9 }],
        group: { udpPorts: [[10000, 60000]] },
      }),
    );
    const io = { ...captureIo(), now: () => new Date(2026, 11, 6) };
    await main(['diagnose', '--profile', file, '--quiet', '--deadline-ms', '1000', '--json', join(dir, 'r.json')], io);
    expect(io.err()).toContain(
      'pathcheck: warning: Old Video ended on 2026-12-05: this profile is for diagnosing existing deployments.',
    );
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).profile.notice).toContain('ended on 2026-12-05');
  }, 20_000);
});
