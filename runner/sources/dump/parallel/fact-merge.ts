// How the partial values of one fact, built by the `--jobs` worker threads over disjoint
// sets of documents, become the value one thread would have built: exactly, not about.
//
// Documents are routed by app (runner/sources/dump/parallel/routing.ts): every document of
// an app in scope reaches the same worker, in file order, so each app's rows (sums of
// floating-point counters included) are built as one thread builds them. What spans apps
// is only ever a maximum (the newest insert minute), a set, or a count of documents, which
// merge exactly in any order. The tails kept for settle windows are cut at the newest
// insert minute of all documents: a worker cuts at its own newest minute (never later), so
// it keeps every bucket the whole run keeps, and the merge cuts again at the global one.
import type { CollectionCount, CollectionCountsFact, FactName, FactScope, FactValues, RawInsertsFact, RawTailRow } from "../../../facts/types.ts";
import { insertRows, type InsertGroup } from "../../../facts/raw-insert-groups.ts";
import { sortRows } from "../../../facts/dump/raw-events.ts";
import { sortSeen } from "../../../facts/drill-meta-rows.ts";

export interface FactMerge<K extends FactName> {
  /**
   * "by-app": exact only when each app's documents are all read by one worker, in order
   * (the fact then reads raw drill collections only); "any": exact for any split.
   */
  split: "by-app" | "any";
  merge(parts: readonly FactValues[K][], scope: FactScope): FactValues[K];
}

/** Facts the workers can build; every other fact is built on the main thread. */
export const FACT_MERGES: { readonly [K in FactName]?: FactMerge<K> } = {
  rawEvents: {
    split: "by-app",
    merge(parts, scope) {
      const maxCdMinute = newest(parts.map((p) => p.maxCdMinute));
      const cutoff = maxCdMinute === undefined ? undefined : maxCdMinute - tailMinutes(scope);
      const rows = sortRows(parts.flatMap((p) => p.rows));
      if (cutoff !== undefined) for (const r of rows) if (r.tail.some((b) => b.minute < cutoff)) r.tail = r.tail.filter((b) => b.minute >= cutoff);
      return { rows, maxCdMinute };
    },
  },
  rawSessions: {
    split: "by-app",
    merge: (parts) => sortRows(parts.flat()),
  },
  rawViews: {
    split: "by-app",
    // the collector's own order: app, view, day
    merge: (parts) => sortRows(parts.flat().map((r) => ({ ...r, key: r.view }))).map(({ key: _k, ...r }) => r),
  },
  rawTail: {
    split: "by-app",
    merge(parts, scope) {
      const maxCdMinute = newest(parts.map((p) => p.maxCdMinute));
      const cutoff = maxCdMinute === undefined ? -Infinity : maxCdMinute - tailMinutes(scope);
      const rows = parts.flatMap((p) => p.rows).filter((r) => r.minute >= cutoff);
      return { rows: rows.sort(tailOrder), maxCdMinute };
    },
  },
  rawInserts: {
    // groups of app ids outside the scope (or no `a`) may be split across workers: their counts add up and their times are maxima
    split: "by-app",
    merge: mergeInserts,
  },
  drillMeta: {
    split: "by-app",
    // one row per app, key and segment: each app's rows come from one worker
    merge: (parts) => {
      const maxCd = newest(parts.map((p) => p.maxCd));
      return { seen: sortSeen(parts.flatMap((p) => p.seen)), ...(maxCd === undefined ? {} : { maxCd }) };
    },
  },
  collectionCounts: {
    split: "any",
    merge(parts) {
      const counts = new Map<string, CollectionCount>();
      for (const p of parts) {
        for (const c of p.counts) {
          const id = `${c.db}\u0000${c.name}`;
          const had = counts.get(id);
          if (had) had.docs += c.docs;
          else counts.set(id, { ...c });
        }
      }
      const first = parts[0] as CollectionCountsFact;
      // every part lists every counted collection, in the collector's order
      return { ...first, counts: first.counts.map((c) => counts.get(`${c.db}\u0000${c.name}`)!) };
    },
  },
};

function tailMinutes(scope: FactScope): number {
  return Math.ceil(scope.params.tailMinutes ?? 0);
}

function newest(values: readonly (number | undefined)[]): number | undefined {
  let out: number | undefined;
  for (const v of values) if (v !== undefined && (out === undefined || v > out)) out = v;
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** rawTail's row order (runner/facts/dump/raw-tail.ts). */
function tailOrder(a: RawTailRow, b: RawTailRow): number {
  return cmp(a.app, b.app) || cmp(a.e, b.e) || cmp(a.key, b.key) || cmp(a.day, b.day) || a.minute - b.minute;
}

/** rawInserts: one group per (app, kind); a tail minute at or before the global cutoff is settled, as the collector's last compaction does. */
function mergeInserts(parts: readonly RawInsertsFact[], scope: FactScope): RawInsertsFact {
  const maxCdMinute = newest(parts.map((p) => p.maxCdMinute));
  const cutoff = maxCdMinute === undefined ? -Infinity : maxCdMinute - tailMinutes(scope);
  const groups = new Map<string, InsertGroup>();
  const later = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined || a >= b ? a : b);
  for (const p of parts) {
    for (const r of p.rows) {
      const id = `${r.app}\u0000${r.e}`;
      let g = groups.get(id);
      if (!g) {
        g = { app: r.app, e: r.e, docs: 0, withSource: 0, tail: new Map() };
        groups.set(id, g);
      }
      g.docs += r.docs;
      g.withSource += r.withSource;
      g.maxCd = later(g.maxCd, r.maxCd);
      g.settledMaxCd = later(g.settledMaxCd, r.settledMaxCd);
      for (const { minute, maxCd } of r.tail) {
        if (minute <= cutoff) g.settledMaxCd = later(g.settledMaxCd, maxCd);
        else g.tail.set(minute, later(g.tail.get(minute), maxCd)!);
      }
    }
  }
  for (const g of groups.values()) {
    if (g.maxCd === undefined) delete g.maxCd;
    if (g.settledMaxCd === undefined) delete g.settledMaxCd;
  }
  return { rows: insertRows(groups.values()), maxCdMinute };
}
