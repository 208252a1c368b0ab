import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { CredentialsStatus } from '../../../electron/common/ipc/credentials';
import { bridge } from '../bridge';

/**
 * What main can say about remembered credentials for the selected profile: whether secrets can be
 * kept at all (safeStorage), and which one is kept (described, never the secret itself).
 */
export const useCredentialsStore = defineStore('credentials', () => {
  const status = shallowRef<CredentialsStatus | null>(null);
  const profileId = ref<string | null>(null);

  async function refresh(id: string): Promise<void> {
    profileId.value = id;
    try {
      const r = await bridge().credentials.status(id);
      if (profileId.value === id) status.value = r.ok ? r.value : null;
    } catch {
      status.value = null;
    }
  }

  async function forget(): Promise<void> {
    if (!profileId.value) return;
    await bridge().credentials.forget(profileId.value);
    await refresh(profileId.value);
  }

  return { status, profileId, refresh, forget };
});
