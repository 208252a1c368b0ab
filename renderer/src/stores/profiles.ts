import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ProfileEntry } from '../../../electron/common/ipc/profiles';
import type { IpcError } from '../../../electron/common/ipc/result';
import type { FieldError, Profile } from '../../../electron/common/profile/schema';
import { bridge, messageOf } from '../bridge';

/** What an import attempt ended with: the profile it added, or the field errors to show at each field. */
export type ImportOutcome =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'imported'; id: string; name: string }
  | { state: 'invalid'; errors: FieldError[]; source: string }
  | { state: 'failed'; message: string };

/**
 * The built-in provider profiles, as main lists them (default first), profiles the user imported
 * from JSON (validated by main with the same schema as files on disk), and the user's choice.
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

  /** Adds (or replaces, by id) an imported profile and selects it. */
  function addImported(profile: Profile): void {
    const entry: ProfileEntry = { id: profile.id, name: profile.name, notice: profile.notice, description: profile.description, profile };
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

  return { entries, importedIds, selectedId, selected, selectedImported, status, error, importOutcome, load, select, addImported, importText, clearImportOutcome };
});
