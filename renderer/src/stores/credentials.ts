import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { CredentialsStatus, CredentialsTarget } from '#common/ipc/credentials';
import { bridge } from '../bridge';

/**
 * What main can say about remembered credentials for the selected profile: whether secrets can be
 * kept at all (safeStorage), and which one is kept (described, never the secret itself). Main keys
 * secrets by the servers they unlock, so an imported profile is asked about as a whole profile: one
 * that reuses a built-in id but names other servers is told nothing is remembered.
 */
export const useCredentialsStore = defineStore('credentials', () => {
  const status = shallowRef<CredentialsStatus | null>(null);
  const profileId = ref<string | null>(null);
  let target: CredentialsTarget | null = null;

  async function refresh(to: CredentialsTarget): Promise<void> {
    const id = 'profileId' in to ? to.profileId : to.profile.id;
    target = to;
    profileId.value = id;
    status.value = null;
    try {
      const r = await bridge().credentials.status(to);
      if (target === to) status.value = r.ok ? r.value : null;
    } catch {
      status.value = null;
    }
  }

  async function forget(): Promise<void> {
    if (!target) return;
    const to = target;
    await bridge().credentials.forget(to);
    await refresh(to);
  }

  return { status, profileId, refresh, forget };
});
