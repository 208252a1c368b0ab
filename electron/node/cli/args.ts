import { parseArgs } from 'node:util';
import type { RoomType } from '#common/report/schema';

/** A command line we cannot act on: exit 64 (EX_USAGE) with this message and the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage:
  pathcheck diagnose [--profile <id|path.json>] [--param name=value ...] [--refresh-ranges] [--room group|p2p|both]
                     [--json <file|->] [--html <file>] [--pdf <file>] [--history <dir>]
                     [--turn-username U --turn-credential C] [--ca <pem file>]
                     [--deadline-ms N] [--quality on|off] [--quality-seconds N] [--quiet]
  pathcheck profiles
  pathcheck rules --from <report.json> --target <name|auto> [--profile <id|path.json>] [--param name=value ...]
                  [--refresh-ranges] [--undo]
  pathcheck fix [--from <report.json> | --profile <id|path.json>] [--param name=value ...] [--yes] [--undo]
                [--ticket <file.pdf|file.html>] [--json <file|->] [--deadline-ms N]

--param fills in a profile parameter (e.g. --param project=acme for LiveKit Cloud); "pathcheck
profiles" lists each profile's parameters. Without --profile, the first built-in profile whose
service has not ended is used. --refresh-ranges fetches the address ranges the provider publishes
(the profile's addressFeed, through HTTPS_PROXY if set) and keeps them in the cache; without it the
cached ranges (if any) or the profile's own list are used, and nothing is fetched.
--quality (default on) measures call quality on the paths that work — throughput, loss, jitter,
added delay — for at most --quality-seconds (default 3, at most 10) per path, one path at a time.

rules prints the rules for --target (auto: the tool the diagnosed Linux computer needs); --undo prints
the script that removes exactly what they add (every rule is tagged "pathcheck").

fix prints what it would change on this computer and where; only --yes changes it (as root, or
through pkexec), then re-checks what failed. --undo removes the rules tagged "pathcheck". Exit 0
fixed, 1 partly fixed (or not applied yet), 3 not fixable here (network edge, proxy, policy: --ticket
writes the rules for the network team), 77 --yes without root or pkexec.

Exit codes: 0 direct path for every requested room type, 1 a relay is needed (TURN/UDP),
2 only a high-latency relay works (TURN over TCP/TLS), 3 blocked, 64 usage error, 65 invalid profile.`;

export interface DiagnoseArgs {
  command: 'diagnose';
  profile?: string;
  /** `--param name=value`, repeatable: values for the profile's `${name}` placeholders. */
  params?: Record<string, string>;
  /** The user's consent to fetch the profile's published address ranges now. */
  refreshRanges?: boolean;
  /** Absent: every room type the profile describes. */
  rooms?: RoomType[];
  json?: string;
  html?: string;
  pdf?: string;
  history?: string;
  credentials?: { username: string; credential: string };
  ca?: string;
  deadlineMs?: number;
  /** `--quality on|off` and `--quality-seconds N`; absent when neither is given (quality on, 3 s). */
  quality?: { enabled: boolean; seconds?: number };
  quiet: boolean;
}
export interface RulesArgs {
  command: 'rules';
  from: string;
  target: string;
  profile?: string;
  params?: Record<string, string>;
  refreshRanges?: boolean;
  /** Print the script that removes exactly what the rules add (by their tag) instead of the rules. */
  undo?: boolean;
}
export interface FixArgs {
  command: 'fix';
  from?: string;
  profile?: string;
  params?: Record<string, string>;
  yes: boolean;
  undo: boolean;
  ticket?: string;
  json?: string;
  deadlineMs?: number;
}
export type CliArgs = DiagnoseArgs | RulesArgs | FixArgs | { command: 'profiles' } | { command: 'help' };

function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>(
  argv: string[],
  options: T,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `--param name=value` occurrences as a record; a repeated name or a missing `=` is a usage error. */
function parseParams(values: string[] | undefined): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const name = eq > 0 ? v.slice(0, eq) : '';
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(name))
      throw new UsageError(`--param needs name=value with a parameter name (got "${v}")`);
    if (Object.hasOwn(out, name)) throw new UsageError(`--param ${name} is given twice`);
    out[name] = v.slice(eq + 1);
  }
  return out;
}

export function parseCli(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command === 'profiles') {
    parse(rest, {});
    return { command: 'profiles' };
  }
  if (command === 'rules') {
    const v = parse(rest, {
      from: { type: 'string' },
      target: { type: 'string' },
      profile: { type: 'string' },
      param: { type: 'string', multiple: true },
      'refresh-ranges': { type: 'boolean' },
      undo: { type: 'boolean' },
    });
    if (!v.from) throw new UsageError('rules needs --from <report.json>');
    if (!v.target) throw new UsageError('rules needs --target <name>');
    const params = parseParams(v.param as string[] | undefined);
    return {
      command: 'rules',
      from: v.from,
      target: v.target,
      ...(v.profile ? { profile: v.profile } : {}),
      ...(params ? { params } : {}),
      ...(v['refresh-ranges'] ? { refreshRanges: true } : {}),
      ...(v.undo ? { undo: true } : {}),
    };
  }
  if (command === 'fix') return parseFix(rest);
  if (command !== 'diagnose') throw new UsageError(`unknown command "${command}"`);
  const v = parse(rest, {
    profile: { type: 'string' },
    room: { type: 'string' },
    json: { type: 'string' },
    html: { type: 'string' },
    pdf: { type: 'string' },
    history: { type: 'string' },
    'turn-username': { type: 'string' },
    'turn-credential': { type: 'string' },
    ca: { type: 'string' },
    'deadline-ms': { type: 'string' },
    quiet: { type: 'boolean' },
    param: { type: 'string', multiple: true },
    'refresh-ranges': { type: 'boolean' },
    quality: { type: 'string' },
    'quality-seconds': { type: 'string' },
  });
  const params = parseParams(v.param as string[] | undefined);
  const room = v.room;
  if (room !== undefined && !['group', 'p2p', 'both'].includes(room))
    throw new UsageError(`--room must be group, p2p or both (got "${room}")`);
  const user = v['turn-username'];
  const cred = v['turn-credential'];
  if ((user === undefined) !== (cred === undefined))
    throw new UsageError('--turn-username and --turn-credential go together');
  const deadlineMs = parseDeadline(v['deadline-ms']);
  const quality = parseQuality(v.quality, v['quality-seconds']);
  return {
    command: 'diagnose',
    ...(quality ? { quality } : {}),
    ...(room !== undefined ? { rooms: room === 'both' ? (['group', 'p2p'] as RoomType[]) : [room as RoomType] } : {}),
    quiet: v.quiet ?? false,
    ...(v.profile ? { profile: v.profile } : {}),
    ...(params ? { params } : {}),
    ...(v['refresh-ranges'] ? { refreshRanges: true } : {}),
    ...(v.json ? { json: v.json } : {}),
    ...(v.html ? { html: v.html } : {}),
    ...(v.pdf ? { pdf: v.pdf } : {}),
    ...(v.history ? { history: v.history } : {}),
    ...(user !== undefined && cred !== undefined ? { credentials: { username: user, credential: cred } } : {}),
    ...(v.ca ? { ca: v.ca } : {}),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
  };
}

function parseDeadline(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!/^\d+$/.test(value) || ms < 500 || ms > 600_000) {
    throw new UsageError(
      `--deadline-ms must be a whole number of milliseconds between 500 and 600000 (got "${value}")`,
    );
  }
  return ms;
}

function parseFix(rest: string[]): FixArgs {
  const v = parse(rest, {
    from: { type: 'string' },
    profile: { type: 'string' },
    param: { type: 'string', multiple: true },
    yes: { type: 'boolean' },
    undo: { type: 'boolean' },
    ticket: { type: 'string' },
    json: { type: 'string' },
    'deadline-ms': { type: 'string' },
  });
  if (v.ticket !== undefined && !/\.(pdf|html?)$/i.test(v.ticket))
    throw new UsageError(`--ticket needs a .pdf or .html file name (got "${v.ticket}")`);
  const params = parseParams(v.param as string[] | undefined);
  const deadlineMs = parseDeadline(v['deadline-ms']);
  return {
    command: 'fix',
    yes: v.yes ?? false,
    undo: v.undo ?? false,
    ...(v.from ? { from: v.from } : {}),
    ...(v.profile ? { profile: v.profile } : {}),
    ...(params ? { params } : {}),
    ...(v.ticket ? { ticket: v.ticket } : {}),
    ...(v.json ? { json: v.json } : {}),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
  };
}

/** `--quality on|off` and `--quality-seconds N` (a number of seconds, more than 0 and at most 10). */
function parseQuality(onOff: string | undefined, seconds: string | undefined): DiagnoseArgs['quality'] {
  if (onOff === undefined && seconds === undefined) return undefined;
  if (onOff !== undefined && onOff !== 'on' && onOff !== 'off')
    throw new UsageError(`--quality must be on or off (got "${onOff}")`);
  const enabled = onOff !== 'off';
  if (seconds === undefined) return { enabled };
  const n = Number(seconds);
  if (!/^\d+(\.\d+)?$/.test(seconds) || !(n >= 0.5 && n <= 10)) {
    throw new UsageError(`--quality-seconds must be a number of seconds between 0.5 and 10 (got "${seconds}")`);
  }
  if (!enabled) throw new UsageError('--quality-seconds needs --quality on');
  return { enabled, seconds: n };
}
