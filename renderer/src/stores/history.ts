import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { HistoryItem, ReportCompared, ReportPdfRequest } from '#common/ipc/history';
import type { IpcError, IpcResult } from '#common/ipc/result';
import type { Report } from '#common/report/schema';
import { bridge, messageOf } from '../bridge';

export type AppPage = 'diagnose' | 'history';

/** A one-line outcome of an action (import, export, PDF, copy), shown by the page under its toolbar. */
export interface Notice {
  tone: 'info' | 'error';
  text: string;
}

/** Largest file the page reads for import; main refuses larger text anyway. */
export const MAX_IMPORT_BYTES = 4 * 1024 * 1024;

/**
 * Saved reports as main lists them (newest first), the one opened, the two picked for comparison,
 * and the outcome of the last action. Also which page the app shows (Diagnose / History), so the
 * header's tabs and App.vue agree without a router.
 */
export const useHistoryStore = defineStore('history', () => {
  const page = ref<AppPage>('diagnose');
  const items = shallowRef<HistoryItem[]>([]);
  const status = ref<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  const error = ref<IpcError | null>(null);
  const openedId = ref<string | null>(null);
  const opened = shallowRef<Report | null>(null);
  /** Ids picked for comparison, in the order picked (at most two). */
  const picked = ref<string[]>([]);
  const comparison = shallowRef<ReportCompared | null>(null);
  const notice = ref<Notice | null>(null);
  /** Summary text shown for manual copying when the clipboard refused it. */
  const summaryFallback = ref<string | null>(null);
  const busy = ref(false);

  const canCompare = computed(() => picked.value.length === 2);

  async function call<T>(fn: () => Promise<IpcResult<T>>): Promise<T | null> {
    try {
      const r = await fn();
      if (r.ok) return r.value;
      notice.value = { tone: 'error', text: r.error.message };
      return null;
    } catch (e) {
      notice.value = { tone: 'error', text: messageOf(e) };
      return null;
    }
  }

  async function load(): Promise<void> {
    status.value = 'loading';
    error.value = null;
    try {
      const r = await bridge().history.list();
      if (!r.ok) {
        error.value = r.error;
        status.value = 'failed';
        return;
      }
      items.value = r.value;
      picked.value = picked.value.filter((id) => r.value.some((i) => i.id === id));
      status.value = 'ready';
    } catch (e) {
      error.value = { code: 'bridge-unavailable', message: messageOf(e) };
      status.value = 'failed';
    }
  }

  function show(which: AppPage): void {
    page.value = which;
    if (which === 'history') void load();
  }

  async function open(id: string): Promise<void> {
    notice.value = null;
    const v = await call(() => bridge().history.open(id));
    if (!v) return;
    openedId.value = v.id;
    opened.value = v.report;
    comparison.value = null;
  }

  function close(): void {
    openedId.value = null;
    opened.value = null;
    comparison.value = null;
  }

  /** Deletes after the component asked the user; the list is reloaded from main. */
  async function remove(id: string): Promise<void> {
    notice.value = null;
    const v = await call(() => bridge().history.remove(id));
    if (!v) return;
    if (openedId.value === id) close();
    picked.value = picked.value.filter((p) => p !== id);
    notice.value = { tone: 'info', text: 'The report was deleted.' };
    await load();
  }

  /** Imports report JSON text; a corrupt, foreign or newer file gets main's clear error and changes nothing. */
  async function importText(text: string, fileName: string): Promise<boolean> {
    notice.value = null;
    const v = await call(() => bridge().history.importJson(text));
    if (!v) {
      const why = notice.value as Notice | null;
      if (why) notice.value = { tone: 'error', text: `${fileName} was not imported: ${why.text}` };
      return false;
    }
    notice.value = { tone: 'info', text: `Imported ${fileName} (${v.profile.name}).` };
    await load();
    return true;
  }

  async function importFile(file: File): Promise<boolean> {
    if (file.size > MAX_IMPORT_BYTES) {
      notice.value = {
        tone: 'error',
        text: `${file.name} was not imported: it is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB, which no Pathcheck report is.`,
      };
      return false;
    }
    return importText(await file.text(), file.name);
  }

  async function exportJson(id: string): Promise<void> {
    notice.value = null;
    const v = await call(() => bridge().history.exportJson(id));
    if (v?.saved) notice.value = { tone: 'info', text: `Saved ${v.fileName}.` };
  }

  async function savePdf(request: ReportPdfRequest): Promise<void> {
    notice.value = null;
    busy.value = true;
    try {
      const v = await call(() => bridge().reports.savePdf(request));
      if (v?.saved) notice.value = { tone: 'info', text: `Saved ${v.fileName}.` };
    } finally {
      busy.value = false;
    }
  }

  /** Copies the ticket summary; when the clipboard is refused, shows the text for copying by hand. */
  async function copySummary(id: string): Promise<void> {
    notice.value = null;
    summaryFallback.value = null;
    const v = await call(() => bridge().history.summary(id));
    if (!v) return;
    try {
      await navigator.clipboard.writeText(v.text);
      notice.value = { tone: 'info', text: 'The summary is on the clipboard.' };
    } catch {
      summaryFallback.value = v.text;
      notice.value = {
        tone: 'info',
        text: 'The clipboard is not available here; select the summary below and copy it.',
      };
    }
  }

  function togglePick(id: string): void {
    if (picked.value.includes(id)) picked.value = picked.value.filter((p) => p !== id);
    else picked.value = [...picked.value, id].slice(-2);
    comparison.value = null;
  }

  /** Compares the two picked reports, the older one as "before". */
  async function compare(): Promise<void> {
    if (!canCompare.value) return;
    notice.value = null;
    const [a, b] = picked.value.map((id) => items.value.find((i) => i.id === id)!);
    if (!a || !b) return;
    const [before, after] = a.startedAt <= b.startedAt ? [a, b] : [b, a];
    const v = await call(() => bridge().reports.compare(before.id, after.id));
    if (v) comparison.value = v;
  }

  return {
    page,
    items,
    status,
    error,
    openedId,
    opened,
    picked,
    comparison,
    notice,
    summaryFallback,
    busy,
    canCompare,
    show,
    load,
    open,
    close,
    remove,
    importText,
    importFile,
    exportJson,
    savePdf,
    copySummary,
    togglePick,
    compare,
  };
});
