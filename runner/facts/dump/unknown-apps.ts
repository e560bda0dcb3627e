// Fact unknownApps from a dump: app ids that raw data or aggregates name but no
// `countly.apps` document has. Every other fact reads the apps of `countly.apps` only, so
// such data would go unchecked without a word (issue 13). Over all time and every app.
//
// Where the app id is: raw `drill_events` documents carry it in `a`; the aggregated
// collections Countly writes per app start their string `_id` with `<appId>_` (the same
// prefix Countly's app deletion removes them by: api/parts/mgmt/apps.js deleteAllAppData,
// `{_id: {$regex: "^" + appId + ".*"}}` on users, carriers, devices, device_details,
// cities and `"^" + appId + "_.*"` on events_data, commit 001abe87); the legacy view list
// is a collection per app, `app_viewsmeta<appId>`. Legacy hashed collections
// (`events<H>`, `drill_events<H>`, `app_viewdata<H>`) name no app id: eventCatalog's
// `unresolved` reports those that no known app hashes to.
import { COLLECTIONS } from "../../../countly/layout.ts";
import type { CollectionRef, DumpCollector } from "../collector.ts";
import type { FactScope, UnknownAppData } from "../types.ts";
import type { Catalog } from "../collector.ts";
import { METRIC_COLLECTIONS } from "./counter-problems.ts";
import { optionalSlot, listeningRawIds } from "./raw-ids.ts";

/** The legacy per-app view list, `app_viewsmeta<appId>`: the app id, else undefined. */
export function legacyViewsMetaApp(name: string): string | undefined {
  return /^app_viewsmeta([0-9a-f]{24})$/.exec(name)?.[1];
}

/** How a collection names the apps of its documents. */
export type AppIdPlace = "apps" | "raw a" | "_id prefix" | { collection: string };

/** The collections read and where each keeps the app id. */
export function unknownAppsCollections(scope: FactScope, catalog: Catalog): (CollectionRef & { place: AppIdPlace })[] {
  const countly = catalog.collections[scope.databases.countly] ?? [];
  const drill = catalog.collections[scope.databases.drill] ?? [];
  const refs: (CollectionRef & { place: AppIdPlace })[] = [];
  const db = scope.databases.countly;
  if (countly.includes(COLLECTIONS.apps)) refs.push({ db, name: COLLECTIONS.apps, place: "apps" });
  for (const name of [COLLECTIONS.eventsData, COLLECTIONS.users, COLLECTIONS.sources, COLLECTIONS.viewData, COLLECTIONS.viewsMeta, ...METRIC_COLLECTIONS]) {
    if (countly.includes(name)) refs.push({ db, name, place: "_id prefix" });
  }
  for (const name of countly) {
    const app = legacyViewsMetaApp(name);
    if (app) refs.push({ db, name, place: { collection: app } });
  }
  if (drill.includes(COLLECTIONS.drillEvents)) refs.push({ db: scope.databases.drill, name: COLLECTIONS.drillEvents, place: "raw a" });
  return refs;
}

/** An apps document's `_id` as the app id every other fact uses (source.ts appFromDocument). */
export function appIdText(id: unknown): string {
  return String((id as { toHexString?: () => string })?.toHexString?.() ?? id);
}

/** `<appId>_…` -> the app id; undefined for an id that is not a string with a non-empty prefix. */
export function idPrefixApp(id: unknown): string | undefined {
  if (typeof id !== "string") return undefined;
  const us = id.indexOf("_");
  return us > 0 ? id.slice(0, us) : undefined;
}

/** The fact's rows: the counted (collection, app) pairs whose app is not known, sorted. */
export function unknownRows(counts: ReadonlyMap<string, Map<string, number>>, known: ReadonlySet<string>): UnknownAppData[] {
  const rows: UnknownAppData[] = [];
  for (const [collection, apps] of counts) for (const [app, docs] of apps) if (docs > 0 && !known.has(app)) rows.push({ app, collection, docs });
  return rows.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : 0));
}

export const unknownAppsFromDump: DumpCollector<"unknownApps"> = {
  fact: "unknownApps",
  fields: { _id: true, a: true },
  collections: (scope, catalog) => unknownAppsCollections(scope, catalog).map(({ db, name }) => ({ db, name })),
  start(scope, catalog) {
    const places = new Map(unknownAppsCollections(scope, catalog).map((r) => [`${r.db}.${r.name}`, r.place]));
    const known = new Set<string>();
    // `<db>.<collection>` -> app id -> documents (few distinct apps: a map per collection)
    const counts = new Map<string, Map<string, number>>();
    // raw documents: `a` interned by its bytes once for the raw facts (RawIds), counted by id
    const ids = listeningRawIds(scope);
    const rawCounts = new Map<string, { docs: number[]; noApp: number }>();
    return {
      reader(layout, from) {
        const where = `${from.db}.${from.name}`;
        const place = places.get(where);
        const ID = layout.slot("_id");
        const A = layout.slot("a");
        if (place === undefined) return () => {};
        if (place === "apps") {
          return (doc) => void known.add(appIdText(doc.value(ID)));
        }
        let byApp = counts.get(where);
        if (!byApp) counts.set(where, (byApp = new Map()));
        const add = (app: string) => byApp.set(app, (byApp.get(app) ?? 0) + 1);
        if (place === "raw a") {
          const raw = rawCounts.get(where) ?? { docs: [] as number[], noApp: 0 };
          rawCounts.set(where, raw);
          const E = optionalSlot(layout, "e");
          const TS = optionalSlot(layout, "ts");
          return (doc) => {
            const app = ids.app(doc, A, E, TS);
            if (app < 0) raw.noApp++;
            else raw.docs[app] = (raw.docs[app] ?? 0) + 1;
          };
        }
        if (place === "_id prefix") {
          return (doc) => {
            const app = idPrefixApp(doc.string(ID));
            if (app !== undefined) add(app);
          };
        }
        return () => add(place.collection);
      },
      finish: () => {
        for (const [where, raw] of rawCounts) {
          const byApp = counts.get(where)!;
          // a raw document without a string `a` counts as app "" (doc.string(A) ?? "")
          raw.docs.forEach((n, id) => byApp.set(ids.apps.text(id), (byApp.get(ids.apps.text(id)) ?? 0) + n));
          if (raw.noApp > 0) byApp.set("", (byApp.get("") ?? 0) + raw.noApp);
        }
        return { known: [...known].sort(), rows: unknownRows(counts, known) };
      },
    };
  },
};
