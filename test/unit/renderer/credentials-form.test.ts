// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Profile } from '#common/profile/schema';
import type { DiagnosisEngine } from '#main/ipc/handlers';
import { createBridge } from '#preload/bridge';
import RunPanel from '#renderer/components/run/RunPanel.vue';
import { emptyChoice, requestPart } from '#renderer/components/run/credentials-choice';
import { createIpcHarness } from '../../support/ipc-harness';

const TWILIO_LIKE: Profile = {
  schemaVersion: 1,
  id: 'twilio-like',
  name: 'Twilio-like',
  signaling: [],
  stun: [],
  turn: [{ host: 'global.turn.example.com', port: 3478, transport: 'udp' }],
  credentials: { type: 'none' },
  group: { mediaServers: [], udpPorts: [[10000, 60000]] },
  addresses: { ipv4: [], ipv6: [] },
};

afterEach(() => {
  delete window.pathcheck;
});

describe('credentials choice', () => {
  it('checks fields the way the profile schema does, and builds the request part', () => {
    expect(requestPart({ ...emptyChoice('twilio-nts'), accountSid: 'AC12', authToken: '' })).toEqual({
      ok: false,
      errors: { accountSid: 'Must look like AC followed by 32 hex digits.', authToken: 'Required.' },
    });
    const sid = `AC${'a'.repeat(32)}`;
    expect(
      requestPart({ ...emptyChoice('twilio-nts'), accountSid: ` ${sid} `, authToken: 't', remember: true }),
    ).toEqual({
      ok: true,
      part: { credentials: { type: 'twilio-nts', accountSid: sid, authToken: 't' }, remember: true },
    });
    expect(requestPart({ ...emptyChoice('static'), username: 'u', credential: 'bad\u0007' })).toMatchObject({
      ok: false,
      errors: { credential: expect.stringMatching(/control/) },
    });
    expect(requestPart(emptyChoice('saved'))).toEqual({ ok: true, part: { useSavedCredentials: true } });
    expect(requestPart(emptyChoice('none'))).toEqual({ ok: true, part: { credentials: { type: 'none' } } });
  });
});

describe('RunPanel credentials', () => {
  it('shows errors at the fields and does not start; says why nothing can be remembered', async () => {
    const diagnose = vi.fn<DiagnosisEngine['diagnose']>(() => new Promise(() => {}));
    const harness = createIpcHarness({ engine: { diagnose } });
    window.pathcheck = createBridge(harness.transport);
    const w = mount(RunPanel, {
      props: { entry: { id: TWILIO_LIKE.id, name: TWILIO_LIKE.name, profile: TWILIO_LIKE }, imported: true },
      global: { plugins: [createPinia()] },
      attachTo: document.body,
    });
    await flushPromises();
    await w.find('select').setValue('static');
    // No keychain in the harness: the remember box is replaced by the reason.
    expect(w.text()).toContain('used for this run only');
    await w
      .findAll('button')
      .find((b) => b.text() === 'Run diagnosis')!
      .trigger('click');
    await flushPromises();
    expect(w.find('#cred-username').attributes('aria-invalid')).toBe('true');
    expect(w.find('#cred-username-err').text()).toBe('Required.');
    expect(diagnose).not.toHaveBeenCalled();

    await w.find('#cred-username').setValue('alice');
    await w.find('#cred-credential').setValue('secret');
    await w
      .findAll('button')
      .find((b) => b.text() === 'Run diagnosis')!
      .trigger('click');
    await vi.waitFor(() => expect(diagnose).toHaveBeenCalledOnce());
    expect(diagnose.mock.calls[0]![0].credentials).toEqual({ type: 'static', username: 'alice', credential: 'secret' });
    w.unmount();
  });
});
