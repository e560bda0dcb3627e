// Fact collectionCounts from a dump: which collections the source lists, and how many
// documents the collections Countly's dashboards and aggregator depend on hold.
import { COLLECTIONS, legacyDrillHash, legacyEventsHash, legacyViewDataHash } from "../../../countly/layout.ts";
import type { CollectionRef, DumpCollector } from "../collector.ts";
import type { CollectionCount } from "../types.ts";

const COUNTED = new Set<string>([
  COLLECTIONS.apps,
  COLLECTIONS.events,
  COLLECTIONS.eventsData,
  COLLECTIONS.users,
  COLLECTIONS.sources,
  COLLECTIONS.plugins,
  COLLECTIONS.viewData,
  COLLECTIONS.viewsMeta,
  COLLECTIONS.drillEvents,
]);

/** The collections counted: the fixed ones and the legacy hashed families (`events<H>`, `app_viewdata<H>`, `app_viewsmeta<appId>`, `drill_events<H>`). */
export function isCountedCollection(name: string): boolean {
  return (
    COUNTED.has(name) ||
    legacyEventsHash(name) !== undefined ||
    legacyViewDataHash(name) !== undefined ||
    legacyDrillHash(name) !== undefined ||
    /^app_viewsmeta[0-9a-f]{24}$/.test(name)
  );
}

export const collectionCountsFromDump: DumpCollector<"collectionCounts"> = {
  fact: "collectionCounts",
  collections(scope, catalog) {
    const refs: CollectionRef[] = [];
    for (const db of [scope.databases.countly, scope.databases.drill]) {
      for (const name of catalog.collections[db] ?? []) if (isCountedCollection(name)) refs.push({ db, name });
    }
    return refs;
  },
  fields: { _id: true },
  start(scope, catalog) {
    const counts = new Map<string, CollectionCount>();
    for (const db of [scope.databases.countly, scope.databases.drill]) {
      for (const name of catalog.collections[db] ?? []) if (isCountedCollection(name)) counts.set(`${db}.${name}`, { db, name, docs: 0 });
    }
    return {
      // counted per collection, no field read
      reader(_layout, from) {
        const c = counts.get(`${from.db}.${from.name}`);
        return c ? () => void c.docs++ : () => {};
      },
      finish: () => {
        const present: Record<string, string[]> = {};
        for (const db of [scope.databases.countly, scope.databases.drill]) present[db] = [...(catalog.collections[db] ?? [])].sort();
        const rows = [...counts.values()].sort((a, b) => (a.db < b.db ? -1 : a.db > b.db ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        return { databases: { ...scope.databases }, layout: { ...scope.layout }, present, counts: rows };
      },
    };
  },
};
