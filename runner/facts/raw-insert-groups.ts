// The per-(app, kind) insert groups of fact rawInserts, and how they become its rows:
// shared by the dump collector and the live pipeline, which fill them differently.
import { INTERNAL_EVENTS } from "../../countly/layout.ts";
import type { Catalog, CollectionRef } from "./collector.ts";
import { drillReader } from "./dump/drill.ts";
import type { FactScope, RawInsertRow } from "./types.ts";

export interface InsertGroup {
  app: string;
  e: string;
  docs: number;
  withSource: number;
  maxCd?: number;
  settledMaxCd?: number;
  /** Insertion minute -> newest `cd` in that minute, for the last `tailMinutes` minutes. */
  tail: Map<number, number>;
}

/** Internal keys whose documents feed the session metrics (and so `up.src` counts). */
export const SESSION_KINDS: readonly string[] = [INTERNAL_EVENTS.session, INTERNAL_EVENTS.sessionBegin];

/** The fact's rows, sorted by app and kind. */
export function insertRows(groups: Iterable<InsertGroup>): RawInsertRow[] {
  const rows = [...groups].map((g) => {
    const row: RawInsertRow = { app: g.app, e: g.e, docs: g.docs, withSource: g.withSource, tail: [...g.tail.entries()].sort((a, b) => a[0] - b[0]).map(([minute, maxCd]) => ({ minute, maxCd })) };
    if (g.maxCd !== undefined) row.maxCd = g.maxCd;
    if (g.settledMaxCd !== undefined) row.settledMaxCd = g.settledMaxCd;
    return row;
  });
  return rows.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : a.e < b.e ? -1 : a.e > b.e ? 1 : 0));
}

/**
 * Which raw documents fact rawInserts counts in a live run: a run over every app and all
 * time counts every raw document with a string `e` (any `a`, as the dump does); a run
 * narrowed to some apps counts theirs (a legacy collection's owner), and a run with a
 * period those whose app-local day is in it (runner/facts/dump/drill.ts drillReader
 * decides, as for every raw fact).
 */
export function insertScope(scope: FactScope, catalog: Catalog): (doc: Record<string, unknown>, from: CollectionRef) => boolean {
  const place = drillReader(scope, catalog);
  const apps = new Set(scope.apps.map((a) => a.id));
  const bounded = scope.period.from !== undefined || scope.period.to !== undefined;
  return (doc, from) => {
    if (bounded) return place(doc, from) !== undefined;
    if (scope.layout.drill === "legacy") return true;
    if (typeof doc.e !== "string") return false;
    return scope.allApps === true || (typeof doc.a === "string" && apps.has(doc.a));
  };
}
