// Raw drill documents in either layout, reduced to who/what/when. The legacy
// per-event collections carry no `a`/`e`/`n`: those come from the collection name.
import { legacyDrillHash, COLLECTIONS, INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { dayName, inPeriod, LocalDays, type Day } from "../../../countly/time.ts";
import { hashIndex, type Attribution } from "../attribution.ts";
import type { Catalog, CollectionRef } from "../collector.ts";
import { rawTimestamp } from "../numbers.ts";
import type { FactScope } from "../types.ts";

export interface DrillDoc {
  app: string;
  /** Internal key (`[CLY]_session`, `[CLY]_view`...) or `[CLY]_custom`. */
  e: string;
  /** Event key (custom events) or view name (views). */
  key: string;
  day: Day;
  doc: Record<string, unknown>;
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

/** Builds a function that places a raw document (app, event, app-local day) or returns undefined to skip it. */
export function drillReader(scope: FactScope, catalog: Catalog): (doc: Record<string, unknown>, from: CollectionRef) => DrillDoc | undefined {
  // per app: its local days (offsets remembered per 4-hour block; an unknown zone throws at its first event, as dayOf does)
  const localDays = new Map(scope.apps.map((a) => [a.id, new LocalDays(a.timezone)]));
  const index = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
  let lastName = "";
  let lastWho: Attribution | undefined;
  return (doc, from) => {
    let app: string;
    let e: string;
    let key: string;
    if (index) {
      if (from.name !== lastName) {
        lastName = from.name;
        const h = legacyDrillHash(from.name);
        lastWho = h === undefined ? undefined : index.get(h);
      }
      if (!lastWho) return undefined;
      app = lastWho.app;
      e = isCustomKey(lastWho.key) ? INTERNAL_EVENTS.custom : lastWho.key;
      key = typeof doc.n === "string" ? doc.n : lastWho.key;
    } else {
      if (typeof doc.a !== "string" || typeof doc.e !== "string") return undefined;
      app = doc.a;
      e = doc.e;
      key = typeof doc.n === "string" ? doc.n : e;
    }
    const days = localDays.get(app);
    if (days === undefined) return undefined;
    // Legacy collections also hold `_id: "meta"` / `"meta_v2"` documents without `ts`.
    const ts = rawTimestamp(doc.ts);
    if (ts === undefined) return undefined;
    const day = dayName(days.number(ts)); // = dayOf(timezone, ts)
    if (!inPeriod(day, scope.period)) return undefined;
    return { app, e, key, day, doc };
  };
}
