import { beforeEach, describe, expect, it, vi } from 'vitest';
import { chooseSavePathWithDialog, PDF_PARTITION, printPdfInElectron } from '#main/pdf';
import { BrowserWindow, dialog, resetElectronMock, session } from './electron-mock';

vi.mock('electron', () => import('./electron-mock'));

beforeEach(() => resetElectronMock());

const HTML = '<!DOCTYPE html><html><body><h1>Pathcheck report — ünïcode</h1></body></html>';

describe('printPdfInElectron', () => {
  it('prints in a hidden, offscreen, sandboxed window with JavaScript off, from a data: URL, then destroys it', async () => {
    const pdf = await printPdfInElectron(HTML, { footerTemplate: '<div>F</div>', headerTemplate: '<div></div>' });
    expect(pdf.toString()).toBe('%PDF-1.7 fake');
    expect(BrowserWindow.created).toHaveLength(1);
    const win = BrowserWindow.created[0]!;
    expect(win.options.show).toBe(false);
    expect(win.options.webPreferences).toMatchObject({
      javascript: false,
      offscreen: true,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webviewTag: false,
      partition: PDF_PARTITION,
    });
    expect(win.options.webPreferences?.preload).toBeUndefined();
    const url = win.loadURL.mock.calls[0]![0];
    expect(url).toMatch(/^data:text\/html;charset=utf-8;base64,/);
    expect(Buffer.from(url.split(',')[1]!, 'base64').toString('utf8')).toBe(HTML);
    expect(win.webContents.printToPDF).toHaveBeenCalledWith(
      expect.objectContaining({
        printBackground: true,
        displayHeaderFooter: true,
        footerTemplate: '<div>F</div>',
        headerTemplate: '<div></div>',
        pageSize: 'A4',
      }),
    );
    expect(win.isDestroyed()).toBe(true);
    expect(win.webContents.windowOpenHandler?.({ url: 'https://x.example/' })).toEqual({ action: 'deny' });
  });

  it("the print session cancels every request that is not the document's data: URL", async () => {
    await printPdfInElectron(HTML, { footerTemplate: '', headerTemplate: '' });
    const filter = session.partitions.get(PDF_PARTITION)!.beforeRequest!;
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      filter({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    expect(decide('data:text/html;base64,AAAA')).toBe(false);
    expect(decide('https://tracker.example/pixel.png')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
    expect(decide('app://pathcheck/index.html')).toBe(true);
  });

  it('destroys the window when printing fails, and passes the error on', async () => {
    const p = printPdfInElectron(HTML, { footerTemplate: '', headerTemplate: '' });
    const win = BrowserWindow.created[0]!;
    win.webContents.printToPDF.mockRejectedValueOnce(new Error('printing failed'));
    await expect(p).rejects.toThrow('printing failed');
    expect(win.isDestroyed()).toBe(true);
  });
});

describe('chooseSavePathWithDialog', () => {
  it('answers the chosen path, or null when cancelled', async () => {
    const request = {
      title: 'Save report as PDF',
      defaultName: 'r.pdf',
      filters: [{ name: 'PDF', extensions: ['pdf'] }],
    };
    dialog.savePath = '/tmp/r.pdf';
    expect(await chooseSavePathWithDialog(request, () => undefined)).toBe('/tmp/r.pdf');
    expect(dialog.showSaveDialog).toHaveBeenCalledWith(
      expect.objectContaining({ defaultPath: 'r.pdf', filters: request.filters }),
    );
    dialog.savePath = null;
    expect(await chooseSavePathWithDialog(request, () => undefined)).toBeNull();
  });
});
