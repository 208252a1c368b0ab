import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Tests that need real components (coturn, nftables, Chromium, root, netns) call this at the top of
 * a `describe`. When something is missing they skip with one clear line, unless
 * PATHCHECK_REQUIRE_PREREQS=1 (set by .ci/run), which turns the skip into a failure.
 */
export interface Prereq {
  /** Short name shown to the developer, e.g. "coturn (turnserver)". */
  name: string;
  /** Returns true when the prerequisite is present. */
  present: () => boolean;
  /** What to run to get it. */
  install?: string;
}

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export const prereqs = {
  coturn: { name: 'coturn (turnserver)', present: () => hasCommand('turnserver'), install: 'apt-get install coturn' },
  chromium: {
    name: 'Debian chromium (/usr/bin/chromium)',
    present: () => existsSync('/usr/bin/chromium'),
    install: 'apt-get install chromium',
  },
  nft: { name: 'nftables (nft)', present: () => hasCommand('nft'), install: 'apt-get install nftables' },
  root: { name: 'root (network namespaces)', present: isRoot },
  ip: { name: 'iproute2 (ip)', present: () => hasCommand('ip'), install: 'apt-get install iproute2' },
  squid: { name: 'squid', present: () => hasCommand('squid'), install: 'apt-get install squid' },
  openssl: { name: 'openssl', present: () => hasCommand('openssl'), install: 'apt-get install openssl' },
  pdftotext: {
    name: 'poppler-utils (pdftotext, pdftoppm)',
    present: () => hasCommand('pdftotext'),
    install: 'apt-get install poppler-utils',
  },
} satisfies Record<string, Prereq>;

/**
 * Returns a reason string when the test must be skipped, or null when everything is present.
 * Throws (fails the suite) instead of skipping when PATHCHECK_REQUIRE_PREREQS=1.
 */
export function missingPrereqs(suite: string, needs: Prereq[]): string | null {
  const missing = needs.filter((p) => !p.present());
  if (missing.length === 0) return null;
  const line =
    `[skip] ${suite}: missing ${missing.map((m) => m.name).join(', ')}` +
    ` — install with \`npm run lab:deps\` (${
      missing
        .map((m) => m.install)
        .filter(Boolean)
        .join('; ') || 'run as root'
    })`;
  if (process.env.PATHCHECK_REQUIRE_PREREQS === '1') {
    throw new Error(`${line} (PATHCHECK_REQUIRE_PREREQS=1 turns this skip into a failure)`);
  }
  console.warn(line);
  return line;
}
