// Shared by the lab's app e2e files (webrtc-app.test.ts, webrtc-proxy.test.ts): Debian's Chromium
// INSIDE the client namespace (a wrapper execs `ip netns exec pc-client chromium`, HOME with an NSS
// db that trusts the lab CA, mDNS host hiding off) and main's handlers with the real engine in a
// child process in the same namespace (webrtc-app-server.ts), the page talking to them over HTTP.
//
// Why a child process: the engine opens sockets, and a socket belongs to the namespace of the
// process that opens it. The test process stays in the host namespace (it drives Playwright and the
// lab); everything that touches the network under test runs in pc-client.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_ARGS, httpBridgeScript } from '../e2e/bridge-page';
import { ensureAppBuilt } from '../e2e/built-app';
import { hasCommand, type Prereq } from '../support/prereq';
import * as lab from './lab.mjs';

export const ROOT = resolve(import.meta.dirname, '../..');
const JITI = join(ROOT, 'node_modules/jiti/lib/jiti-cli.mjs');
const SERVER = join(ROOT, 'test/lab/webrtc-app-server.ts');
export const NO_PROXY_ENV = {
  HTTPS_PROXY: '',
  https_proxy: '',
  HTTP_PROXY: '',
  http_proxy: '',
  ALL_PROXY: '',
  all_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
};

export const certutil: Prereq = {
  name: 'certutil (libnss3-tools)',
  present: () => hasCommand('certutil'),
  install: 'apt-get install libnss3-tools',
};

export type Path = 'direct-udp' | 'direct-tcp' | 'turn-udp' | 'turn-tcp' | 'turn-tls' | 'blocked';
export const PORT = { udp: 3478, tcp: 3478, tls: 443 } as const;
export const LABEL: Record<Path, string> = {
  'direct-udp': 'Direct UDP',
  'direct-tcp': 'Direct TCP',
  'turn-udp': 'TURN over UDP',
  'turn-tcp': 'TURN over TCP',
  'turn-tls': 'TURN over TLS',
  blocked: 'Blocked',
};

export interface AppInLab {
  page: Page;
  browser: Browser;
  /** pageerror messages seen so far. */
  problems: string[];
  /** What the handler child printed (stdout + stderr). */
  serverLog(): string;
  stop(): Promise<void>;
}

/**
 * Brings the app up in pc-client (the lab must be up) and imports the lab profile. `proxy` set:
 * the handler child gets HTTPS_PROXY=<proxy> (the engine tunnels TURN-TCP/TLS through it) and
 * Chromium `--proxy-server=<proxy>`; unset: both go direct (proxy variables cleared, `--no-proxy-server`).
 */
export async function startAppInLab(
  opts: { proxy?: string; proxyCredentials?: { username: string; password: string } } = {},
): Promise<AppInLab> {
  ensureAppBuilt();
  const home = mkdtempSync(join(tmpdir(), 'pathcheck-webrtc-e2e-'));
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;
  let log = '';
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    if (server?.pid && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await lab.makeNssDb(home);
    // A fixed script (no data in it): HOME and the proxy variables arrive through the environment,
    // which `ip netns exec` passes on.
    const wrapper = join(home, 'chromium-in-pc-client.sh');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${lab.ns.client} /usr/bin/chromium "$@"\n`);
    chmodSync(wrapper, 0o755);

    const proxyEnv = opts.proxy ? { HTTPS_PROXY: opts.proxy } : {};
    const child = spawn('ip', ['netns', 'exec', lab.ns.client, process.execPath, JITI, SERVER], {
      cwd: ROOT,
      env: { ...process.env, ...NO_PROXY_ENV, ...proxyEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    const origin = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`harness server did not start:\n${log}`)), 30_000);
      child.stdout!.on('data', (d: Buffer) => {
        log += d.toString();
        const m = /READY (\d+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          ok(`http://127.0.0.1:${m[1]}`);
        }
      });
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      child.on('exit', (code) => fail(new Error(`harness server exited (${code}):\n${log}`)));
    });

    mkdirSync(join(home, 'chrome-data'), { recursive: true });
    // Playwright would otherwise send loopback through the proxy too (the page lives on 127.0.0.1).
    if (opts.proxyCredentials) process.env.PLAYWRIGHT_DISABLE_FORCED_CHROMIUM_PROXIED_LOOPBACK = '1';
    browser = await chromium.launch({
      executablePath: wrapper,
      env: { ...process.env, ...NO_PROXY_ENV, HOME: home },
      // With proxyCredentials, Playwright answers Chromium's proxy challenges (as the app's login
      // handler does after the user signs in) and sets --proxy-server itself.
      args: [
        ...CHROMIUM_ARGS,
        '--disable-features=WebRtcHideLocalIpsWithMdns',
        ...(opts.proxyCredentials ? [] : [opts.proxy ? `--proxy-server=${opts.proxy}` : '--no-proxy-server']),
      ],
      ...(opts.proxy && opts.proxyCredentials ? { proxy: { server: opts.proxy, ...opts.proxyCredentials } } : {}),
    });
    const page = await browser.newPage({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript({ content: httpBridgeScript() });
    await page.goto(`${origin}/index.html`);
    await page.getByRole('radio', { name: /Twilio Programmable Video/ }).waitFor();

    // The lab profile, imported the way a helpdesk would (pasted JSON, checked by main).
    await page.getByRole('button', { name: 'or paste JSON' }).click();
    await page.getByLabel('Profile JSON').fill(readFileSync(lab.paths.profile, 'utf8'));
    await page.getByRole('button', { name: 'Check and import' }).click();
    await page.getByRole('heading', { level: 2, name: 'Pathcheck network lab' }).waitFor();
    return { page, browser, problems, serverLog: () => log, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Run (or Run again), watching the live ladder; resolves when both verdict cards are shown, with how
 * many rungs resolved (pass/fail) before the first verdict appeared.
 */
export async function runAndWait(page: Page): Promise<{ resolvedBefore: number; changes: number }> {
  // Record, in the page, when rungs change state and when the first verdict card appears.
  await page.evaluate(() => {
    const w = window as unknown as {
      __rungLog: Array<{ t: number; rung: string; state: string }>;
      __verdictAt: number | null;
      __observer?: MutationObserver;
    };
    w.__rungLog = [];
    w.__verdictAt = null;
    w.__observer?.disconnect();
    w.__observer = new MutationObserver(() => {
      for (const el of document.querySelectorAll('.rung')) {
        const key = `${el.closest('.ladder')?.getAttribute('data-room')}/${el.getAttribute('data-rung')}`;
        const state = el.getAttribute('data-state') ?? '';
        const last = [...w.__rungLog].reverse().find((x) => x.rung === key);
        if (last?.state !== state) w.__rungLog.push({ t: performance.now(), rung: key, state });
      }
      if (w.__verdictAt === null && document.querySelector('.verdict')) w.__verdictAt = performance.now();
    });
    w.__observer.observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state'],
    });
  });
  const run = page.getByRole('button', { name: /^(Run diagnosis|Run again)$/ }).first();
  await run.click();
  // Live: the ladder appears and rungs resolve while the run goes.
  await page.locator('.ladder').first().waitFor({ timeout: 10_000 });
  await expect
    .poll(() => page.locator('.rung[data-state="pass"], .rung[data-state="fail"]').count(), { timeout: 20_000 })
    .toBeGreaterThan(0);
  // Done: two verdict cards.
  await page.locator('.verdict[data-room="p2p"]').waitFor({ timeout: 60_000 });
  return page.evaluate(() => {
    const w = window as unknown as {
      __rungLog: Array<{ t: number; rung: string; state: string }>;
      __verdictAt: number | null;
    };
    return {
      resolvedBefore: w.__rungLog.filter(
        (x) => (x.state === 'pass' || x.state === 'fail') && x.t < (w.__verdictAt ?? 0),
      ).length,
      changes: w.__rungLog.length,
    };
  });
}

/** check id → status of every check on screen. */
/** The verdict path each room type's card shows. */
export async function shownVerdicts(page: Page): Promise<{ group: string | null; p2p: string | null }> {
  return {
    group: await page.locator('.verdict[data-room="group"]').getAttribute('data-path'),
    p2p: await page.locator('.verdict[data-room="p2p"]').getAttribute('data-path'),
  };
}

export async function shownChecks(page: Page): Promise<Record<string, string>> {
  return Object.fromEntries(
    await page
      .locator('li.check')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-check'), e.getAttribute('data-status')])),
  ) as Record<string, string>;
}

/** Opens a check's evidence as a person would (Evidence → read → Hide evidence) and parses it. */
export async function readEvidence<T = Record<string, unknown>>(page: Page, checkId: string): Promise<T> {
  const item = page.locator(`li.check[data-check="${checkId}"]`);
  await item.getByRole('button', { name: 'Evidence' }).click();
  const ev = JSON.parse((await item.locator('pre').textContent()) ?? '{}') as T;
  await item.getByRole('button', { name: 'Hide evidence' }).click();
  return ev;
}
