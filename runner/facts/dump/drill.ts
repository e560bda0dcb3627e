// Raw drill documents in either layout, reduced to who/what/when. The legacy
// per-event collections carry no `a`/`e`/`n`: those come from the collection name.
import { legacyDrillHash, COLLECTIONS, INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { dayName, inPeriod, localDaysByZone, type Day, type LocalDays } from "../../../countly/time.ts";
import { StringInterner, type DocFields, type FieldLayout } from "../../sources/dump/bson-fields.ts";
import { hashIndex, type Attribution } from "../attribution.ts";
import type { Catalog, CollectionRef } from "../collector.ts";
import { rawTimestampAt } from "../numbers.ts";
import type { FactScope } from "../types.ts";

export interface DrillDoc {
  app: string;
  /** Internal key (`[CLY]_session`, `[CLY]_view`...) or `[CLY]_custom`. */
  e: string;
  /** Event key (custom events) or view name (views). */
  key: string;
  day: Day;
}

/** Collections holding raw events of the apps in scope (legacy: only those whose hash resolves to one of `kinds`). */
export function drillCollections(scope: FactScope, catalog: Catalog, wanted: (a: Attribution) => boolean): CollectionRef[] {
  const names = catalog.collections[scope.databases.drill] ?? [];
  if (scope.layout.drill === "current") {
    return names.includes(COLLECTIONS.drillEvents) ? [{ db: scope.databases.drill, name: COLLECTIONS.drillEvents }] : [];
  }
  const index = hashIndex(scope.apps, catalog.eventLists);
  return names
    .filter((n) => {
      const h = legacyDrillHash(n);
      const who = h === undefined ? undefined : index.get(h);
      return who !== undefined && wanted(who);
    })
    .map((name) => ({ db: scope.databases.drill, name }));
}

export function isCustomKey(key: string): boolean {
  return !key.startsWith("[CLY]_");
}

/**
 * Places raw documents (app, event, app-local day) read as DocFields, for the collectors
 * of a few event kinds: `wanted(e)` is asked once per distinct `e` (interned by its bytes),
 * and a document of another kind costs no decoding. Per collection read (`reader`), the
 * function placing a document or returning undefined to skip it. The layout must select
 * `a`, `e`, `n` and `ts`.
 */
export function drillPlacer(scope: FactScope, catalog: Catalog, wanted: (e: string) => boolean): (layout: FieldLayout, from: CollectionRef) => (doc: DocFields) => DrillDoc | undefined {
  // apps in scope: interned id i <-> localDays[i] (offsets remembered per 4-hour block; an
  // unknown zone throws at its first event, as dayOf does)
  const appIds = new StringInterner();
  const localDays: LocalDays[] = [];
  const zone = localDaysByZone();
  for (const a of scope.apps) if (appIds.add(a.id) === localDays.length) localDays.push(zone(a.timezone));
  const kinds = new StringInterner();
  const kindWanted: boolean[] = [];
  const index = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
  return (layout, from) => {
    const A = layout.slot("a");
    const E = layout.slot("e");
    const N = layout.slot("n");
    const TS = layout.slot("ts");
    if (index) {
      const h = legacyDrillHash(from.name);
      const who: Attribution | undefined = h === undefined ? undefined : index.get(h);
      if (!who) return () => undefined;
      const days = localDays[appIds.add(who.app)]!;
      const e = isCustomKey(who.key) ? INTERNAL_EVENTS.custom : who.key;
      const take = wanted(e);
      return (doc) => {
        // Legacy collections also hold `_id: "meta"` / `"meta_v2"` documents without `ts`.
        const ts = rawTimestampAt(doc, TS);
        if (ts === undefined) return undefined;
        const dayNumber = days.number(ts); // = dayOf(timezone, ts)
        if (!take) return undefined;
        const day = dayName(dayNumber);
        if (!inPeriod(day, scope.period)) return undefined;
        return { app: who.app, e, key: doc.string(N) ?? who.key, day };
      };
    }
    return (doc) => {
      const app = doc.lookup(A, appIds);
      if (app < 0) return undefined;
      const kind = doc.intern(E, kinds);
      if (kind < 0) return undefined;
      const ts = rawTimestampAt(doc, TS);
      if (ts === undefined) return undefined;
      const dayNumber = localDays[app]!.number(ts);
      if (kind >= kindWanted.length) for (let k = kindWanted.length; k <= kind; k++) kindWanted.push(wanted(kinds.text(k)));
      if (!kindWanted[kind]) return undefined;
      const day = dayName(dayNumber);
      if (!inPeriod(day, scope.period)) return undefined;
      const e = kinds.text(kind);
      return { app: appIds.text(app), e, key: doc.string(N) ?? e, day };
    };
  };
}
