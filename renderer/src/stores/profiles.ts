import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ProfileEntry } from '#common/ipc/profiles';
import type { IpcError } from '#common/ipc/result';
import type { FieldError, Profile } from '#common/profile/schema';
import { isEnded, localDate, profileNotice } from '#common/profile/lifecycle';
import { bridge, messageOf } from '../bridge';

/** What an import attempt ended with: the profile it added, or the field errors to show at each field. */
export type ImportOutcome =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'imported'; id: string; name: string }
  | { state: 'invalid'; errors: FieldError[]; source: string }
  | { state: 'failed'; message: string };

const LAST_RUN_KEY = 'pathcheck.lastProfile';
const PARAMS_KEY = (id: string) => `pathcheck.parameters.${id}`;

/** localStorage, when the page has one (never for secrets: profile ids and parameter values only). */
function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * The built-in provider profiles, as main lists them (live ones first, an ended one last), profiles
 * the user imported from JSON (validated by main with the same schema as files on disk), and the
 * user's choice. The profile selected at start is the one the user ran last, else the first whose
 * service has not ended — never an ended one. Parameter values are remembered per profile.
 */
export const useProfilesStore = defineStore('profiles', () => {
  // Profiles are read-only data: a shallow ref keeps Vue from proxying every nested range.
  const entries = shallowRef<ProfileEntry[]>([]);
  const importedIds = ref<string[]>([]);
  const selectedId = ref<string | null>(null);
  const status = ref<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  const error = ref<IpcError | null>(null);
  const importOutcome = shallowRef<ImportOutcome>({ state: 'idle' });

  const selected = computed(() => entries.value.find((e) => e.id === selectedId.value) ?? null);
  const selectedImported = computed(() => selectedId.value !== null && importedIds.value.includes(selectedId.value));

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
      const imported = entries.value.filter((e) => importedIds.value.includes(e.id));
      entries.value = [...result.value.filter((e) => !importedIds.value.includes(e.id)), ...imported];
      if (!entries.value.some((e) => e.id === selectedId.value)) {
        const live = entries.value.filter((e) => !e.ended);
        const last = storage()?.getItem(LAST_RUN_KEY);
        selectedId.value = (live.find((e) => e.id === last) ?? live[0] ?? entries.value[0])?.id ?? null;
      }
      status.value = 'ready';
    } catch (e) {
      error.value = { code: 'bridge-unavailable', message: messageOf(e) };
      status.value = 'failed';
    }
  }

  function select(id: string): void {
    if (entries.value.some((e) => e.id === id)) selectedId.value = id;
  }

  /** Adds (or replaces, by id) an imported profile and selects it. */
  function addImported(profile: Profile): void {
    const today = localDate();
    const entry: ProfileEntry = {
      id: profile.id,
      name: profile.name,
      notice: profileNotice(profile, today),
      description: profile.description,
      profile,
      ...(isEnded(profile, today) ? { ended: true } : {}),
    };
    entries.value = [...entries.value.filter((e) => e.id !== profile.id), entry];
    if (!importedIds.value.includes(profile.id)) importedIds.value.push(profile.id);
    selectedId.value = profile.id;
  }

  /** Validates JSON text in main (the same schema as profiles on disk) and imports it, or keeps the field errors. */
  async function importText(text: string, source = 'pasted JSON'): Promise<void> {
    importOutcome.value = { state: 'checking' };
    try {
      const result = await bridge().profiles.validate(text);
      if (!result.ok) {
        importOutcome.value = { state: 'failed', message: result.error.message };
        return;
      }
      if (!result.value.valid) {
        importOutcome.value = { state: 'invalid', errors: result.value.errors, source };
        return;
      }
      addImported(result.value.profile);
      importOutcome.value = { state: 'imported', id: result.value.profile.id, name: result.value.profile.name };
    } catch (e) {
      importOutcome.value = { state: 'failed', message: messageOf(e) };
    }
  }

  function clearImportOutcome(): void {
    importOutcome.value = { state: 'idle' };
  }

  /** The values last used for this profile's parameters (only names the profile declares). */
  function savedParameters(entry: ProfileEntry): Record<string, string> {
    const names = (entry.profile.parameters ?? []).map((p) => p.name);
    let stored: unknown;
    try {
      stored = JSON.parse(storage()?.getItem(PARAMS_KEY(entry.id)) ?? 'null');
    } catch {
      stored = null;
    }
    const values = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
    return Object.fromEntries(
      names.map((n) => [n, typeof values[n] === 'string' ? (values[n] as string).slice(0, 253) : '']),
    );
  }

  /** Remembers a started run: its profile becomes the default next time, its parameter values are kept. */
  function rememberRun(entry: ProfileEntry, parameters: Record<string, string>): void {
    const s = storage();
    if (!s) return;
    try {
      s.setItem(LAST_RUN_KEY, entry.id);
      if (entry.profile.parameters?.length) s.setItem(PARAMS_KEY(entry.id), JSON.stringify(parameters));
    } catch {
      // A full or disabled storage only loses the convenience.
    }
  }

  return {
    entries,
    importedIds,
    selectedId,
    selected,
    selectedImported,
    status,
    error,
    importOutcome,
    load,
    select,
    addImported,
    importText,
    clearImportOutcome,
    savedParameters,
    rememberRun,
  };
});
