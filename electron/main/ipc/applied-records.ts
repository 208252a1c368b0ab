import { assertNftApplyPlan, type NftApplyPlan } from '#common/firewall/index';
import { readFile, stat } from 'node:fs/promises';
import type { RuleChange } from '#node/firewall/apply';
import { writeFileAtomic } from '#node/report/atomic-write';
import { isHistoryId } from '#node/report/history';

/** What one apply added, kept beside the history so undo removes exactly that, also after a restart. */
export type AppliedRecord = { plan: NftApplyPlan; added: RuleChange[] };

/** Records bigger than this are treated as damaged (a real one holds a few plans). */
const MAX_RECORDS_BYTES = 1024 * 1024;

/** The applied records in `file`, loaded once, bounded, each re-validated; kept in memory when the disk fails. */
export function appliedRecords(file: string) {
  let cache: Promise<Map<string, AppliedRecord>> | null = null;
  const valid = (id: string, r: unknown): r is AppliedRecord => {
    if (!isHistoryId(id) || r === null || typeof r !== 'object') return false;
    const { plan, added } = r as AppliedRecord;
    if (!Array.isArray(added) || added.length === 0) return false;
    try {
      assertNftApplyPlan({ ...plan, remove: added });
      return true;
    } catch {
      return false;
    }
  };
  const load = () =>
    (cache ??= (async () => {
      const out = new Map<string, AppliedRecord>();
      try {
        if ((await stat(file)).size > MAX_RECORDS_BYTES) return out;
        const doc = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
        for (const [id, r] of Object.entries(doc ?? {})) if (valid(id, r)) out.set(id, r);
      } catch {
        /* none yet, or damaged: start empty */
      }
      return out;
    })());
  const persist = async (m: Map<string, AppliedRecord>) => {
    try {
      await writeFileAtomic(file, JSON.stringify(Object.fromEntries(m)));
    } catch {
      /* kept in memory for this session; after a restart undo falls back to the tagged rules in the plan's chains */
    }
  };
  return {
    has: async (id: string) => (await load()).has(id),
    get: async (id: string) => (await load()).get(id),
    set: async (id: string, r: AppliedRecord) => {
      const m = await load();
      m.set(id, r);
      await persist(m);
    },
    delete: async (id: string) => {
      const m = await load();
      if (m.delete(id)) await persist(m);
    },
  };
}
