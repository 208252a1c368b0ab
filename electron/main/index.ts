import { app, dialog, ipcMain, protocol, safeStorage, session } from 'electron';
import { join } from 'node:path';
import { applyLinuxPlan } from '#node/firewall/apply';
import { detectLocalFirewall } from '#node/firewall/detect';
import { applyPlatformPlan } from '#node/firewall/platforms';
import { diagnose } from '#node/engine/diagnose';
import { recheck } from '#node/engine/recheck';
import { createCredentialStore } from './credentials-store';
import { confirmWithDialog } from './firewall-consent';
import { chooseSavePathWithDialog, printPdfInElectron } from './pdf';
import { createHandlers } from './ipc/handlers';
import { registerHandlers } from './ipc/handle';
import { appPaths } from './paths';
import { registerAppScheme, serveRenderer } from './security/app-protocol';
import { limitNavigation } from './security/navigation';
import { rendererLocation } from './security/origin';
import { restrictPermissions } from './security/permissions';
import { enableSandbox } from './security/sandbox';
import { createMainWindow, isOwnWebContents, ownWindows } from './window';
import { createProxyLogin, primeProxySignIn } from './proxy-login';

/**
 * The Electron shell, composed in one explicit order. Main stays thin: windows, security rules and
 * IPC wiring here; probes and the engine live in electron/node and run from the CLI too.
 */
function start(): void {
  // 1. Before ready: what Chromium must know before it starts.
  enableSandbox(app);
  registerAppScheme(protocol);

  const paths = appPaths(app.isPackaged, process.resourcesPath);
  const renderer = rendererLocation(app.isPackaged, process.env.ELECTRON_RENDERER_URL);

  // 2. Rules for every web contents, including ones created later.
  limitNavigation(app, renderer.origin);

  // Proxy sign-in for Chromium (the in-app relay test goes through the system proxy): only proxy
  // challenges, only for the proxy Chromium resolved for that request, asked of our own window.
  const proxyLogin = createProxyLogin({
    resolveProxy: (url) => session.defaultSession.resolveProxy(url),
    ask: (prompt) => {
      for (const win of ownWindows()) win.webContents.send('proxy-auth:request', prompt);
    },
    isOwnWebContents,
  });
  app.on('login', (event, webContents, details, authInfo, callback) =>
    proxyLogin.onLogin(event, webContents, details, authInfo, callback),
  );

  // 3. IPC: the handlers the Chromium e2e harness calls too, behind the validating wrapper.
  const handlers = createHandlers({
    proxyLogin,
    // WebRTC never prompts for proxy credentials; one ordinary request through Chromium's proxy does.
    prepareBrowser: (profile) => {
      const t = profile.turn.find((x) => x.transport === 'tls') ?? profile.signaling[0];
      if (!t) return Promise.resolve();
      return primeProxySignIn(`https://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}/`, {
        resolveProxy: (url) => session.defaultSession.resolveProxy(url),
        fetch: (url, init) => session.defaultSession.fetch(url, init),
      });
    },
    profilesDir: paths.profilesDir,
    app: { name: app.getName(), version: app.getVersion() },
    emit: (channel, payload) => {
      for (const win of ownWindows()) win.webContents.send(channel, payload);
    },
    // The engine runs here in main; the page runs the WebRTC suite and main merges both.
    engine: { diagnose },
    // The proxy Chromium itself would use for TURN over TCP/TLS (system settings, PAC).
    resolveProxy: (url) => session.defaultSession.resolveProxy(url),
    // Secrets the user asked to remember: encrypted with the OS keychain (safeStorage), userData/credentials.
    credentialStore: createCredentialStore({ dir: join(app.getPath('userData'), 'credentials'), safeStorage }),
    // Providers' published address ranges, fetched when the user asks and kept in userData/feeds.
    feeds: { cacheDir: join(app.getPath('userData'), 'feeds') },
    // Reports: history in userData/history, PDFs printed by Electron, paths from the save dialog.
    reports: {
      historyDir: join(app.getPath('userData'), 'history'),
      printPdf: (html, options) => printPdfInElectron(html, options),
      chooseSavePath: (request) => chooseSavePathWithDialog(request, () => ownWindows()[0]),
    },
    // Fix my firewall: the fixed script next to the profiles (resources/firewall), elevated via pkexec.
    firewall: {
      detect: () => detectLocalFirewall(),
      apply: (plan, action) =>
        applyLinuxPlan(plan, action, { scriptPath: join(paths.profilesDir, '../firewall/apply-linux.sh') }),
      // Windows (UAC) and macOS (administrator prompt): apply-windows.ps1 / apply-macos.sh in the same folder.
      applyPlatform: (plan, action) =>
        applyPlatformPlan(plan, action, { firewallDir: join(paths.profilesDir, '../firewall') }),
      // Main's own dialog lists the exact rules before every elevated change (also when root).
      confirm: confirmWithDialog(
        (owner, options) => (owner ? dialog.showMessageBox(owner, options) : dialog.showMessageBox(options)),
        () => ownWindows()[0],
      ),
      // Same path as the run it re-checks: Chromium's proxy for TURN over TCP/TLS.
      recheck: (profile, previous) =>
        recheck(profile, previous, { resolveProxy: (url) => session.defaultSession.resolveProxy(url) }),
    },
  });
  registerHandlers(ipcMain, handlers, { policy: { origin: renderer.origin, isOwnWebContents } });

  // 4. On ready: session rules, the app protocol, then the window.
  const openWindow = () => createMainWindow({ preload: paths.preload, url: renderer.url });
  void app.whenReady().then(() => {
    restrictPermissions(session.defaultSession, renderer.origin);
    serveRenderer(protocol, paths.rendererDir);
    openWindow();
  });

  app.on('activate', () => {
    if (app.isReady() && ownWindows().length === 0) openWindow();
  });
  app.on('second-instance', () => {
    const [win] = ownWindows();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

// One instance: a second launch focuses the first window instead of starting a second diagnosis.
if (app.requestSingleInstanceLock()) start();
else app.quit();
