// Fact eventCatalog from a dump: each app's `countly.events` document (list, segment
// registry) and which event keys have aggregated data (current: `events_data` documents
// by `a`/`e`; legacy: `events<H>` collections) or legacy raw collections (`drill_events<H>`).
// Legacy hashed names are resolved with every key the `countly.events` documents name
// anywhere (not only `list`), so an event missing from the list can still be named.
// The `events_data` documents (one per app, event, segment and month: the many) are read
// from their bytes (app, key and month interned); the rest take the decoded path.
import { eventHash } from "../../../countly/hash.ts";
import { eventKeysNamed, eventsDocApp, readEventsDoc } from "../../../countly/events-doc.ts";
import { COLLECTIONS, legacyDrillHash, legacyEventsHash } from "../../../countly/layout.ts";
import { type Attribution, hashIndex, INTERNAL_KEYS } from "../attribution.ts";
import type { CollectionRef, DumpCollector } from "../collector.ts";
import { type DocFields, StringInterner } from "../../sources/dump/bson-fields.ts";
import { CATALOG_ROW_BYTES, EVENT_LIST_KEY_BYTES, KEY_REFERENCE_BYTES, MemoryBudget } from "../memory-budget.ts";
import type { EventDataKey, EventDrillKey, EventListEntry } from "../types.ts";
import { eventCollections } from "./event-docs.ts";

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
    const current = new Map<string, EventDataKey>();
    /** legacy collection name -> documents / month documents. */
    const legacy = new Map<string, { docs: number; monthDocs: number }>();
    // What grows with event names, charged to the run's budget: per app, its list and named
    // keys (a reference each, a string for each key not seen before); one row per app and key with data.
    const budget = scope.budget ?? new MemoryBudget();
    const appsHeld = budget.meter("eventCatalog", "apps", 0);
    const rowsHeld = budget.meter("eventCatalog", "event keys", CATALOG_ROW_BYTES);

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
    const newRow = (): void => rowsHeld.add();
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
        const id = `${doc.a}\u0000${doc.e}`;
        let row = current.get(id);
        if (row === undefined) {
          newRow();
          row = { app: doc.a, key: doc.e, collection: `${from.db}.${from.name}`, monthDocs: 0, docs: 0 };
        }
        row.docs++;
        if (isMonth) row.monthDocs++;
        current.set(id, row);
    };

    // the byte path: (app id, key id) -> the row of `current`
    const appIds = new StringInterner();
    const keyIds = new StringInterner();
    const monthIds = new StringInterner();
    const appInScope: boolean[] = [];
    const monthIsMonth: boolean[] = [];
    const rows = new Map<number, EventDataKey>();
    const KEY_IDS = 2 ** 26;

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
          if (key >= KEY_IDS) return decoded(doc);
          const id = app * KEY_IDS + key;
          let row = rows.get(id);
          if (row === undefined) {
            newRow();
            rows.set(id, (row = { app: appIds.text(app), key: keyIds.text(key), collection, monthDocs: 0, docs: 0 }));
          }
          row.docs++;
          if (monthIsMonth[month]) row.monthDocs++;
        };
      },
      finish() {
        const index = hashedNames ? hashIndex(scope.apps, { ...catalog.eventLists, ...mergeLists(catalog.eventLists, named) }) : new Map<string, Attribution>();
        const unresolved: string[] = [];
        const others = hashedNames ? otherAppsHashes(catalog.eventLists, scope.apps.map((a) => a.id)) : new Set<string>();
        // the rows of both paths, one per app and key
        const data: EventDataKey[] = [...rows.values()];
        if (current.size > 0) {
          const byText = new Map(data.map((r) => [`${r.app}\u0000${r.key}`, r]));
          for (const [text, r] of current) {
            const same = byText.get(text);
            if (same === undefined) data.push(r);
            else {
              same.docs += r.docs;
              same.monthDocs += r.monthDocs;
            }
          }
        }
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
        return {
          apps: entries.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0)),
          data: data.sort(byAppKey),
          drill: drill.sort(byAppKey),
          unresolved: unresolved.sort(),
        };
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
