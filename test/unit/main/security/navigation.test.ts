import { beforeEach, describe, expect, it, vi } from 'vitest';
import { limitNavigation } from '#main/security/navigation';
import { app, fakeEvent, FakeWebContents, resetElectronMock } from '../electron-mock';

vi.mock('electron', () => import('../electron-mock'));

describe('limitNavigation', () => {
  let contents: FakeWebContents;

  beforeEach(() => {
    resetElectronMock();
    limitNavigation(app as unknown as Electron.App, 'app://pathcheck');
    contents = new FakeWebContents();
    app.emit('web-contents-created', fakeEvent({}), contents);
  });

  it.each([
    ['https://evil.example/', true],
    ['http://localhost:5173/', true],
    ['file:///etc/passwd', true],
    ['app://other/index.html', true],
    ['javascript:alert(1)', true],
    ['app://pathcheck/index.html', false],
    ['app://pathcheck/report.html#x', false],
  ])('will-navigate to %s: prevented=%s', (url, prevented) => {
    const event = fakeEvent({ url });
    contents.emit('will-navigate', event);
    expect(event.defaultPrevented()).toBe(prevented);
  });

  it('cancels redirects to another origin', () => {
    const event = fakeEvent({ url: 'https://evil.example/' });
    contents.emit('will-redirect', event);
    expect(event.defaultPrevented()).toBe(true);
  });

  it('denies window.open, whatever the URL', () => {
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://pathcheck/index.html' })).toEqual({ action: 'deny' });
  });

  it('never attaches a <webview>', () => {
    const event = fakeEvent({});
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented()).toBe(true);
  });
});
