import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ProfileEntry } from '../../../electron/common/ipc/profiles';
import type { IpcError } from '../../../electron/common/ipc/result';
import { bridge, messageOf } from '../bridge';

/** The built-in provider profiles, as main lists them (default first), and the user's choice. */
export const useProfilesStore = defineStore('profiles', () => {
  // Profiles are read-only data: a shallow ref keeps Vue from proxying every nested range.
  const entries = shallowRef<ProfileEntry[]>([]);
  const selectedId = ref<string | null>(null);
  const status = ref<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  const error = ref<IpcError | null>(null);

  const selected = computed(() => entries.value.find((e) => e.id === selectedId.value) ?? null);

  async function load(): Promise<void> {
    status.value = 'loading';
    error.value = null;
    try {
      const result = await bridge().profiles.list();
      if (!result.ok) {
        error.value = result.error;
        status.value = 'failed';
        return;
      }
      entries.value = result.value;
      if (!entries.value.some((e) => e.id === selectedId.value)) selectedId.value = entries.value[0]?.id ?? null;
      status.value = 'ready';
    } catch (e) {
      error.value = { code: 'bridge-unavailable', message: messageOf(e) };
      status.value = 'failed';
    }
  }

  function select(id: string): void {
    if (entries.value.some((e) => e.id === id)) selectedId.value = id;
  }

  return { entries, selectedId, selected, status, error, load, select };
});
