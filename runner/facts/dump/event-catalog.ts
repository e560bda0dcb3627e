// Fact eventCatalog from a dump: each app's `countly.events` document (list, segment
// registry) and which event keys have aggregated data (current: `events_data` documents
// by `a`/`e`; legacy: `events<H>` collections) or legacy raw collections (`drill_events<H>`).
// Legacy hashed names are resolved with every key the `countly.events` documents name
// anywhere (not only `list`), so an event missing from the list can still be named.
// The `events_data` documents (one per app, event, segment and month: the many) are read
// from their bytes (app, key and month interned); the rest take the decoded path. Either
// way a current-layout document counts in a GroupTable, one group per app and key (its
// documents counted, its month documents in `c`), whose rows are made only for the case
// that reads them (group-rows.ts): ~25 bytes per app and key held through the run instead
// of a row object and a Map entry (~100), on 2,000 apps of 500 events a quarter of the
// run's heap.
import { eventHash } from "../../../countly/hash.ts";
import { eventKeysNamed, eventsDocApp, readEventsDoc } from "../../../countly/events-doc.ts";
import { COLLECTIONS, legacyDrillHash, legacyEventsHash } from "../../../countly/layout.ts";
import { type Attribution, hashIndex, INTERNAL_KEYS } from "../attribution.ts";
import type { CollectionRef, DumpCollector } from "../collector.ts";
import { type DocFields, StringInterner } from "../../sources/dump/bson-fields.ts";
import { EVENT_LIST_KEY_BYTES, GROUP_BYTES, KEY_REFERENCE_BYTES, MemoryBudget } from "../memory-budget.ts";
import { defineRows } from "../group-rows.ts";
import type { EventCatalogFact, EventDataKey, EventDrillKey, EventListEntry } from "../types.ts";
import { eventCollections } from "./event-docs.ts";
import { GroupTable, groupRows } from "./group-table.ts";

export const eventCatalogFromDump: DumpCollector<"eventCatalog"> = {
  fact: "eventCatalog",
  collections(scope, catalog) {
    const db = scope.databases.countly;
    const refs: CollectionRef[] = [];
    if ((catalog.collections[db] ?? []).includes(COLLECTIONS.events)) refs.push({ db, name: COLLECTIONS.events });
    return [...refs, ...eventCollections(scope, catalog)];
  },
  fields: { _id: true, a: true, e: true, m: true, list: true, segments: true, omitted_segments: true, map: true, whitelisted_segments: true, order: true, overview: true },
  start(scope, catalog) {
    const apps = new Set(scope.apps.map((a) => a.id));
    // Hashed collection names exist only in the legacy layouts: the current ones need no
    // sha1 per app and key (the index: 20k hashes for 2,000 apps of 10 keys).
    const hashedNames = scope.layout.events === "legacy" || scope.layout.drill === "legacy";
    const entries: EventListEntry[] = [];
    /** app id -> every key its events document names. */
    const named: Record<string, string[]> = {};
    /** legacy collection name -> documents / month documents. */
    const legacy = new Map<string, { docs: number; monthDocs: number }>();
    // What grows with event names, charged to the run's budget: per app, its list and named
    // keys (a reference each, a string for each key not seen before); one row per app and key with data.
    const budget = scope.budget ?? new MemoryBudget();
    const appsHeld = budget.meter("eventCatalog", "apps", 0);
    const rowsHeld = budget.meter("eventCatalog", "event keys", GROUP_BYTES);

    // One string per distinct key and segment name: every app's events document names
    // the same keys and segments again (decoded as new strings each), and the entries live
    // for the whole run.
    const pool = new Map<string, string>();
    let held = 0;
    const pooled = (t: string): string => {
      held += KEY_REFERENCE_BYTES;
      const had = pool.get(t);
      if (had !== undefined) return had;
      held += EVENT_LIST_KEY_BYTES + t.length;
      pool.set(t, t);
      return t;
    };
    const pooledArrays = (r: Record<string, string[]>): Record<string, string[]> => {
      for (const k of Object.keys(r)) r[k] = r[k]!.map(pooled);
      return r;
    };
    // current layout: a group per (app id, key id), all on day 0; its one collection of aggregated documents (events_data: eventCollections)
    const appIds = new StringInterner();
    const keyIds = new StringInterner();
    const groups = new GroupTable();
    let dataCollection = "";
    const count = (app: number, key: number, month: boolean, collection: string): void => {
      dataCollection = collection;
      const before = groups.size;
      groups.add(app, key, 0, month ? 1 : 0, 0, 0);
      if (groups.size !== before) rowsHeld.add();
    };
    const visit = (doc: Record<string, unknown>, from: CollectionRef): void => {
        if (from.name === COLLECTIONS.events) {
          const app = eventsDocApp(doc);
          if (!apps.has(app)) return;
          const e = readEventsDoc(doc);
          entries.push({ app, list: e.list.map(pooled), segments: pooledArrays(e.segments), omitted: pooledArrays(e.omitted) });
          named[app] = eventKeysNamed(doc).map(pooled);
          appsHeld.add(1, held);
          held = 0;
          return;
        }
        const isMonth = typeof doc.m === "string" ? !doc.m.endsWith(":0") : /_\d{4}:(?:[1-9]|1[0-2])(?:_.)?$/.test(String(doc._id));
        if (scope.layout.events === "legacy") {
          const l = legacy.get(from.name) ?? { docs: 0, monthDocs: 0 };
          l.docs++;
          if (isMonth) l.monthDocs++;
          legacy.set(from.name, l);
          return;
        }
        if (typeof doc.a !== "string" || typeof doc.e !== "string" || doc.e === "all" || !apps.has(doc.a)) return;
        count(appIds.add(doc.a), keyIds.add(doc.e), isMonth, `${from.db}.${from.name}`);
    };

    // the byte path
    const monthIds = new StringInterner();
    const appInScope: boolean[] = [];
    const monthIsMonth: boolean[] = [];

    return {
      reader(layout, from) {
        const decoded = (doc: DocFields) => visit(doc.record(), from);
        if (from.name === COLLECTIONS.events || scope.layout.events === "legacy") return decoded;
        const A = layout.slot("a");
        const E = layout.slot("e");
        const M = layout.slot("m");
        const collection = `${from.db}.${from.name}`;
        return (doc) => {
          if (!doc.isString(M)) return decoded(doc);
          if (!doc.isString(A) || !doc.isString(E)) return;
          const app = doc.intern(A, appIds);
          while (appInScope.length <= app) appInScope.push(apps.has(appIds.text(appInScope.length)));
          if (!appInScope[app]) return;
          const key = doc.intern(E, keyIds);
          if (keyIds.text(key) === "all") return;
          const month = doc.intern(M, monthIds);
          while (monthIsMonth.length <= month) monthIsMonth.push(!monthIds.text(monthIsMonth.length).endsWith(":0"));
          count(app, key, monthIsMonth[month]!, collection);
        };
      },
      finish() {
        const index = hashedNames ? hashIndex(scope.apps, { ...catalog.eventLists, ...mergeLists(catalog.eventLists, named) }) : new Map<string, Attribution>();
        const unresolved: string[] = [];
        const others = hashedNames ? otherAppsHashes(catalog.eventLists, scope.apps.map((a) => a.id)) : new Set<string>();
        // legacy: a row per hashed collection (below)
        const data: EventDataKey[] = [];
        const countly = scope.databases.countly;
        if (scope.layout.events === "legacy") {
          // Every hashed collection, documents or not (an empty one is still "no data").
          for (const name of catalog.collections[countly] ?? []) {
            const h = legacyEventsHash(name);
            if (h === undefined) continue;
            const who = index.get(h);
            if (!who) {
              if (!others.has(h)) unresolved.push(`${countly}.${name}`);
              continue;
            }
            const l = legacy.get(name) ?? { docs: 0, monthDocs: 0 };
            data.push({ app: who.app, key: who.key, collection: `${countly}.${name}`, monthDocs: l.monthDocs, docs: l.docs });
          }
        }
        const drill: EventDrillKey[] = [];
        if (scope.layout.drill === "legacy") {
          const db = scope.databases.drill;
          for (const name of catalog.collections[db] ?? []) {
            const h = legacyDrillHash(name);
            if (h === undefined) continue;
            const who = index.get(h);
            if (who) drill.push({ app: who.app, key: who.key, collection: `${db}.${name}` });
            else if (!others.has(h)) unresolved.push(`${db}.${name}`);
          }
        }
        const byAppKey = <T extends { app: string; key: string }>(a: T, b: T) => (a.app < b.app ? -1 : a.app > b.app ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
        const value: EventCatalogFact = {
          apps: entries.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0)),
          data: data.sort(byAppKey),
          drill: drill.sort(byAppKey),
          unresolved: unresolved.sort(),
        };
        if (scope.layout.events === "legacy") return value;
        // current: the groups' rows, in byAppKey's order (sortedBy: app, key; one group each), made when read
        groups.done();
        const fields = {
          app: (g: number) => appIds.text(groups.app(g)),
          key: (g: number) => keyIds.text(groups.key(g)),
          collection: () => dataCollection,
          monthDocs: (g: number) => groups.c(g),
          docs: (g: number) => groups.docs(g),
        };
        return defineRows(value, "data", groupRows(groups, appIds.texts, keyIds.texts, fields));
      },
    };
  },
};

function mergeLists(lists: Readonly<Record<string, readonly string[]>>, named: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const app of new Set([...Object.keys(lists), ...Object.keys(named)])) out[app] = [...new Set([...(lists[app] ?? []), ...(named[app] ?? [])])];
  return out;
}

/** Hashes of the listed events of apps outside the run's scope: their collections are not ours to report. */
function otherAppsHashes(lists: Readonly<Record<string, readonly string[]>>, inScope: readonly string[]): Set<string> {
  const out = new Set<string>();
  const scoped = new Set(inScope);
  for (const [app, keys] of Object.entries(lists)) {
    if (scoped.has(app)) continue;
    for (const key of [...keys, ...INTERNAL_KEYS]) out.add(eventHash(key, app));
  }
  return out;
}
