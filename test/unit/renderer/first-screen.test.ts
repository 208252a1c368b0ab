// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENGINE_UNAVAILABLE_MESSAGE, type DiagnosisEngine } from '#main/ipc/handlers';
import { createBridge } from '#preload/bridge';
import App from '#renderer/App.vue';
import { createIpcHarness } from '../../support/ipc-harness';
import { scriptedEngine } from './fake-engine';

let wrapper: VueWrapper | null = null;

/** Mounts the first screen over main's real handlers (built-in profiles from resources/profiles). */
async function mountApp(engine?: DiagnosisEngine, now?: () => Date) {
  const harness = createIpcHarness({ engine, ...(now ? { now } : {}) });
  window.pathcheck = createBridge(harness.transport);
  const app = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body });
  wrapper = app;
  // The handlers read resources/profiles from disk: wait for the picker, not just for microtasks.
  await vi.waitFor(() => expect(app.find('.layout').exists()).toBe(true));
  return { app, harness };
}

const runButton = (w: VueWrapper) =>
  w.findAll('button').find((b) => /Run diagnosis|Run again|Running|Starting/.test(b.text()))!;

afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  delete window.pathcheck;
  delete document.documentElement.dataset.theme;
  localStorage.clear();
});

describe('first screen', () => {
  it('lists the built-in profiles as radio buttons, the default chosen', async () => {
    const { app } = await mountApp();
    const radios = app.findAll('input[type="radio"][name="profile"]');
    const names = app.findAll('.picker__name').map((n) => n.text());
    expect(names[0]).toBe('Twilio Programmable Video');
    expect(names).toEqual(expect.arrayContaining(['Zoom Meetings / Video SDK', 'LiveKit Cloud']));
    expect(radios).toHaveLength(names.length);
    expect((radios[0]!.element as HTMLInputElement).checked).toBe(true);
    expect(app.find('fieldset.picker legend').text()).toBe('Provider profile');
  });

  it("shows the chosen profile's notice (Twilio's end of service) and what will be checked", async () => {
    const { app } = await mountApp();
    expect(app.find('h2').text()).toBe('Twilio Programmable Video');
    const notice = app.find('[role="note"]');
    expect(notice.text()).toContain('Twilio Programmable Video ends on 2026-12-05.');
    const lines = Object.fromEntries(
      app.findAll('.details__line').map((l) => [l.find('dt').text(), l.findAll('dd span').map((v) => v.text())]),
    );
    expect(lines).toEqual({
      'Signaling (TLS)': ['global.vss.twilio.com:443', 'sdkgw.us1.twilio.com:443'],
      'STUN (UDP)': ['global.stun.twilio.com:3478'],
      TURN: [
        'global.turn.twilio.com:3478 over UDP',
        'global.turn.twilio.com:3478 over TCP',
        'global.turn.twilio.com:443 over TLS',
      ],
      'Group media': ['UDP 10000–60000'],
      'Peer-to-peer media': ['UDP 10000–65535', 'TCP 10000–65535'],
    });
  });

  it('follows the selection', async () => {
    const { app } = await mountApp();
    const livekit = app.findAll('label.picker__option').find((l) => l.text().includes('LiveKit Cloud'))!;
    await livekit.find('input').setValue(true);
    expect(app.find('h2').text()).toBe('LiveKit Cloud');
    expect(livekit.classes()).toContain('picker__option--selected');
  });

  it('says plainly that a diagnosis cannot run when the build has no engine', async () => {
    const { app } = await mountApp();
    await runButton(app).trigger('click');
    await flushPromises();
    const status = app.find('.run__status');
    expect(status.text()).toContain('Diagnosis not available');
    expect(status.text()).toContain(ENGINE_UNAVAILABLE_MESSAGE);
    expect(status.text()).toContain('Nothing was tested');
    expect(app.find('progress').exists()).toBe(false); // not left looking busy
    expect(runButton(app).attributes('disabled')).toBeUndefined();
  });

  it('lights up the live ladder as checks resolve, and can cancel the run', async () => {
    const { app } = await mountApp(scriptedEngine);
    await runButton(app).trigger('click');
    // The scripted engine fails TURN over UDP: that rung turns to "blocked" after the ~100 ms batch.
    await vi.waitFor(() =>
      expect(app.find('[data-room="group"] .rung[data-rung="turn-udp"]').attributes('data-state')).toBe('fail'),
    );
    expect(app.find('progress').exists()).toBe(true);
    expect(runButton(app).attributes('disabled')).toBeDefined();

    const cancel = app.findAll('button').find((b) => b.text() === 'Cancel')!;
    await cancel.trigger('click');
    await vi.waitFor(() => expect(app.find('.run__status').text()).toContain('The diagnosis was cancelled.'));
    expect(runButton(app).attributes('disabled')).toBeUndefined();
  });

  it('needs at least one room type', async () => {
    const { app } = await mountApp();
    for (const box of app.findAll('fieldset.rooms input[type="checkbox"]')) await box.setValue(false);
    expect(runButton(app).attributes('disabled')).toBeDefined();
    expect(app.text()).toContain('Choose at least one room type.');
  });

  it('switches between system, light and dark themes', async () => {
    const { app } = await mountApp();
    const option = (label: string) =>
      app
        .findAll('.segmented label')
        .find((l) => l.text() === label)!
        .find('input');
    expect(document.documentElement.dataset.theme).toBeUndefined();
    await option('Dark').setValue(true);
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem('pathcheck.theme')).toBe('dark');
    await option('Light').setValue(true);
    expect(document.documentElement.dataset.theme).toBe('light');
    await option('System').setValue(true);
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });

  it('gives every control a label and uses native, focusable controls', async () => {
    const { app } = await mountApp();
    for (const input of app.findAll('input')) expect(input.element.closest('label')).not.toBeNull();
    for (const fieldset of app.findAll('fieldset')) expect(fieldset.find('legend').text()).not.toBe('');
    for (const button of app.findAll('button')) expect(button.attributes('type')).toBe('button');
    expect(app.findAll('[tabindex]').filter((e) => Number(e.attributes('tabindex')) > 0)).toEqual([]);
  });

  it('reports a missing bridge instead of failing silently', async () => {
    const app = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body });
    wrapper = app;
    await flushPromises();
    expect(app.find('[role="alert"]').text()).toContain('opened outside the Pathcheck app');
  });

  it('after Twilio\u2019s end of service the default is the first live profile, and Twilio says it ended', async () => {
    const { app } = await mountApp(undefined, () => new Date(2026, 11, 6, 9));
    const names = app.findAll('.picker__name').map((n) => n.text());
    expect(names.at(-1)).toBe('Twilio Programmable Video');
    const checked = app
      .findAll('input[type="radio"][name="profile"]')
      .find((r) => (r.element as HTMLInputElement).checked)!;
    expect(checked.element.closest('label')!.textContent).not.toContain('Twilio');
    await app.findAll('input[type="radio"][name="profile"]').at(-1)!.setValue(true);
    expect(app.find('[role="note"]').text()).toContain(
      'ended on 2026-12-05: this profile is for diagnosing existing deployments',
    );
  });

  it('the profile the user ran last is the default next time (unless it has ended)', async () => {
    localStorage.setItem('pathcheck.lastProfile', 'zoom');
    const { app } = await mountApp();
    expect(app.find('h2').text()).toBe('Zoom Meetings / Video SDK');
    wrapper?.unmount();
    localStorage.setItem('pathcheck.lastProfile', 'twilio-video');
    const later = await mountApp(undefined, () => new Date(2026, 11, 7));
    expect(later.app.find('h2').text()).not.toBe('Twilio Programmable Video');
  });

  it('asks for a profile\u2019s parameters, checks them as they are typed, remembers them, and sends them', async () => {
    const calls: Parameters<DiagnosisEngine['diagnose']>[0][] = [];
    const engine: DiagnosisEngine = {
      diagnose: (profile, o) => (calls.push(profile), scriptedEngine.diagnose(profile, o)),
    };
    const { app, harness } = await mountApp(engine);
    const lk = app
      .findAll('input[type="radio"][name="profile"]')
      .find((r) => r.element.closest('label')!.textContent!.includes('LiveKit Cloud'))!;
    await lk.setValue(true);
    const field = app.find('#param-project');
    expect(field.exists()).toBe(true);
    await runButton(app).trigger('click');
    await flushPromises();
    expect(app.text()).toContain('LiveKit Cloud project subdomain is required (for example acme)');
    expect(harness.emitted).toHaveLength(0);
    await field.setValue('no such');
    expect(app.find('.params .field__error').text()).toContain('letters, digits, hyphens and dots');
    await field.setValue('acme');
    expect(app.find('.params .field__error').exists()).toBe(false);
    await runButton(app).trigger('click');
    await vi.waitFor(() => expect(calls.length).toBe(1));
    expect(calls[0]!.signaling[0]!.host).toBe('acme.livekit.cloud');
    expect(JSON.parse(localStorage.getItem('pathcheck.parameters.livekit-cloud')!)).toEqual({ project: 'acme' });
    expect(localStorage.getItem('pathcheck.lastProfile')).toBe('livekit-cloud');
  });
});
