// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PathcheckBridge } from '#common/ipc/bridge';
import type { ProxyAuthPrompt } from '#common/ipc/proxy-auth';
import { fail, ok } from '#common/ipc/result';
import ProxyLoginDialog from '#renderer/components/proxy/ProxyLoginDialog.vue';

function fakeBridge() {
  let listener: ((p: ProxyAuthPrompt) => void) | undefined;
  const answer = vi.fn<PathcheckBridge['proxyAuth']['answer']>(async () => ok({ accepted: true }));
  const unsubscribe = vi.fn();
  const proxyAuth: PathcheckBridge['proxyAuth'] = {
    onRequest: (l) => {
      listener = l;
      return unsubscribe;
    },
    answer,
  };
  window.pathcheck = { proxyAuth } as unknown as PathcheckBridge;
  return { ask: (p: ProxyAuthPrompt) => listener!(p), answer, unsubscribe };
}

const prompt = (over: Partial<ProxyAuthPrompt> = {}): ProxyAuthPrompt => ({
  id: 'prompt-0001',
  proxy: '10.0.0.1:3128',
  scheme: 'basic',
  realm: 'Corp',
  retry: false,
  ...over,
});

afterEach(() => {
  delete window.pathcheck;
});

describe('proxy sign-in prompt', () => {
  it('shows which proxy asks for which scheme, sends the answer once, and clears the form', async () => {
    const b = fakeBridge();
    const w = mount(ProxyLoginDialog, { attachTo: document.body });
    expect(w.find('[role="dialog"]').exists()).toBe(false);
    b.ask(prompt());
    await flushPromises();
    expect(w.text()).toContain('The proxy needs your credentials');
    expect(w.text()).toMatch(/10\.0\.0\.1:3128 asks for Basic sign-in \(Corp\)/);
    await w.find('#proxy-login-user').setValue(' alice ');
    await w.find('#proxy-login-pass').setValue('s3cret');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(b.answer).toHaveBeenCalledExactlyOnceWith({
      id: 'prompt-0001',
      cancel: false,
      username: 'alice',
      password: 's3cret',
      remember: false,
    });
    expect(w.find('[role="dialog"]').exists()).toBe(false);
    w.unmount();
    expect(b.unsubscribe).toHaveBeenCalled();
  });

  it('cancel answers cancel; an empty user name is refused at the field; a retry says the last answer failed', async () => {
    const b = fakeBridge();
    const w = mount(ProxyLoginDialog, { attachTo: document.body });
    b.ask(prompt({ retry: true, scheme: 'ntlm' }));
    b.ask(prompt({ id: 'prompt-0002' }));
    await flushPromises();
    expect(w.text()).toContain('did not accept the last credentials');
    expect(w.text()).toContain('NTLM');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(b.answer).not.toHaveBeenCalled();
    expect(w.text()).toContain('Enter the user name');
    await w
      .findAll('button')
      .find((x) => x.text() === 'Cancel')!
      .trigger('click');
    await flushPromises();
    expect(b.answer).toHaveBeenCalledWith({ id: 'prompt-0001', cancel: true });
    // the next prompt in line is shown
    expect(w.text()).toMatch(/asks for Basic/);
    w.unmount();
  });

  it('a refusal from main stays on screen', async () => {
    const b = fakeBridge();
    b.answer.mockResolvedValueOnce(fail('invalid-payload', 'invalid request: username: must not be empty'));
    const w = mount(ProxyLoginDialog, { attachTo: document.body });
    b.ask(prompt());
    await flushPromises();
    await w.find('#proxy-login-user').setValue('x');
    await w.find('#proxy-login-remember').setValue(true);
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(b.answer).toHaveBeenCalledWith(expect.objectContaining({ remember: true }));
    expect(w.text()).toContain('must not be empty');
    expect(w.find('[role="dialog"]').exists()).toBe(true);
    w.unmount();
  });
});
