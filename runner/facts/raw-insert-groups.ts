// The per-(app, kind) insert groups of fact rawInserts, and how they become its rows:
// shared by the dump collector and the live pipeline, which fill them differently.
import { INTERNAL_EVENTS } from "../../countly/layout.ts";
import type { Catalog, CollectionRef } from "./collector.ts";
import { dayOf, inPeriod } from "../../countly/time.ts";
import { attributeLegacy, hashIndex } from "./attribution.ts";
import { rawTimestamp } from "./numbers.ts";
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
 * period those whose app-local day is in it (the same day rule as every raw fact).
 */
export function insertScope(scope: FactScope, catalog: Catalog): (doc: Record<string, unknown>, from: CollectionRef) => boolean {
  const zones = new Map(scope.apps.map((a) => [a.id, a.timezone]));
  const index = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
  const bounded = scope.period.from !== undefined || scope.period.to !== undefined;
  return (doc, from) => {
    let app: string;
    if (index) {
      const who = attributeLegacy(from, index);
      if (!who) return false;
      app = who.app;
    } else {
      if (typeof doc.e !== "string") return false;
      if (!bounded) return scope.allApps === true || (typeof doc.a === "string" && zones.has(doc.a));
      if (typeof doc.a !== "string") return false;
      app = doc.a;
    }
    if (!bounded) return true;
    const timezone = zones.get(app);
    if (timezone === undefined) return false;
    let ts: number | undefined;
    try {
      ts = rawTimestamp(doc.ts);
    } catch {
      return false; // no time at all: in no period
    }
    return ts !== undefined && inPeriod(dayOf(timezone, ts), scope.period);
  };
}
