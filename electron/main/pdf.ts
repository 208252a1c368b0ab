import { BrowserWindow, dialog, session, type BrowserWindow as Win } from 'electron';
import type { SaveRequest } from './ipc/reports-context';

/** Session partition of the print window: its own, so its request filter touches nothing else. */
export const PDF_PARTITION = 'pathcheck-pdf';

export interface PrintOptions {
  footerTemplate: string;
  headerTemplate: string;
  paper?: 'A4' | 'Letter';
  /** Deadline for load + print (default 30 s); the window is destroyed either way. */
  timeoutMs?: number;
}

/**
 * The app's PDF: Electron's `printToPDF` of the very document the CLI prints (renderReportHtml),
 * in a hidden, offscreen, sandboxed window with JavaScript disabled and no preload, loaded from a
 * `data:` URL. Its session refuses every request that is not that data URL, so a report field can
 * never make the print fetch anything; the report's own CSP says the same.
 */
export async function printPdfInElectron(html: string, options: PrintOptions): Promise<Buffer> {
  const pdfSession = session.fromPartition(PDF_PARTITION);
  pdfSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !details.url.startsWith('data:') }));
  pdfSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  const win: Win = new BrowserWindow({
    show: false,
    width: 800,
    height: 1100,
    webPreferences: {
      javascript: false,
      offscreen: true,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      webSecurity: true,
      allowRunningInsecureContent: false,
      partition: PDF_PARTITION,
      spellcheck: false,
    },
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = (async () => {
      await win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`);
      return win.webContents.printToPDF({
        pageSize: options.paper ?? 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: options.headerTemplate,
        footerTemplate: options.footerTemplate,
        preferCSSPageSize: false,
      });
    })();
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`PDF printing did not finish within ${timeoutMs} ms`)), timeoutMs);
    });
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    if (!win.isDestroyed()) win.destroy();
  }
}

/** The save dialog, attached to the app window when there is one; null when cancelled. */
export async function chooseSavePathWithDialog(
  request: SaveRequest,
  parent: () => Win | undefined,
): Promise<string | null> {
  const options = {
    title: request.title,
    defaultPath: request.defaultName,
    filters: request.filters,
    properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const],
  };
  const owner = parent();
  const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
  return result.canceled || !result.filePath ? null : result.filePath;
}
