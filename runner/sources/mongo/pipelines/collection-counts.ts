// Fact collectionCounts from a live database (runner/facts/dump/collection-counts.ts is
// the reference): the collections listed, and document counts from the server instead of
// reading documents. Countly's own collections are counted exactly; raw drill
// collections (possibly billions of documents) from the collection metadata.
import { isCountedCollection } from "../../../facts/dump/collection-counts.ts";
import type { CollectionCount } from "../../../facts/types.ts";
import type { LiveCollector } from "./types.ts";

export const collectionCountsLive: LiveCollector<"collectionCounts"> = {
  fact: "collectionCounts",
  async compute(db, scope, catalog) {
    const counts: CollectionCount[] = [];
    const present: Record<string, string[]> = {};
    for (const name of [scope.databases.countly, scope.databases.drill]) {
      present[name] = [...(catalog.collections[name] ?? [])].sort();
      for (const coll of catalog.collections[name] ?? []) {
        if (!isCountedCollection(coll)) continue;
        counts.push({ db: name, name: coll, docs: await db.count({ db: name, name: coll }, { estimated: name === scope.databases.drill }) });
      }
    }
    counts.sort((a, b) => (a.db < b.db ? -1 : a.db > b.db ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { databases: { ...scope.databases }, layout: { ...scope.layout }, present, counts };
  },
};
