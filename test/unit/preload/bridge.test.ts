import { beforeAll, describe, expect, it, vi } from 'vitest';
import { BRIDGE_SHAPE, type PathcheckBridge } from '#common/ipc/bridge';
import type { DiagnosisEvent } from '#common/report/progress';
import { contextBridge, ipcRenderer, resetElectronMock } from '../main/electron-mock';

vi.mock('electron', () => import('../main/electron-mock'));

const RUN_ID = '0b7e3f0c-3c1e-4a53-9d8e-2f6a1c9b5e11';
let bridge: PathcheckBridge;

describe('preload bridge', () => {
  beforeAll(async () => {
    resetElectronMock();
    await import('#preload/index');
    bridge = contextBridge.exposed.get('pathcheck') as PathcheckBridge;
  });

  it('exposes only window.pathcheck, with exactly the designed functions', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['pathcheck']);
    const shape = Object.fromEntries(Object.entries(bridge).map(([k, v]) => [k, Object.keys(v as object).sort()]));
    expect(shape).toEqual(Object.fromEntries(Object.entries(BRIDGE_SHAPE).map(([k, v]) => [k, [...v].sort()])));
    for (const group of Object.values(bridge))
      for (const fn of Object.values(group as object)) expect(typeof fn).toBe('function');
  });

  it.each([
    ['app.info', () => bridge.app.info(), 'app:info', undefined],
    ['profiles.list', () => bridge.profiles.list(), 'profiles:list', undefined],
    ['profiles.validate', () => bridge.profiles.validate('{}'), 'profiles:validate', { text: '{}' }],
    [
      'diagnosis.start',
      () => bridge.diagnosis.start({ profileId: 'zoom', rooms: ['group'] }),
      'diagnosis:start',
      { profileId: 'zoom', rooms: ['group'] },
    ],
    ['diagnosis.cancel', () => bridge.diagnosis.cancel(RUN_ID), 'diagnosis:cancel', { runId: RUN_ID }],
  ] as const)('%s invokes %s with its payload', async (_name, call, channel, payload) => {
    ipcRenderer.invoke.mockClear();
    await call();
    expect(ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith(channel, payload);
  });

  it('onEvent hands the listener the payload only, and its unsubscribe removes it', () => {
    const seen: unknown[] = [];
    const off = bridge.diagnosis.onEvent((e) => seen.push(e));
    expect(ipcRenderer.listenerCount('diagnosis:event')).toBe(1);
    const event: DiagnosisEvent = { type: 'plan', runId: RUN_ID, checks: [] };
    ipcRenderer.emit('diagnosis:event', { sender: 'the IpcRendererEvent must not reach the page' }, event);
    expect(seen).toEqual([event]);
    off();
    off();
    expect(ipcRenderer.listenerCount('diagnosis:event')).toBe(0);
    ipcRenderer.emit('diagnosis:event', {}, event);
    expect(seen).toHaveLength(1);
  });
});
