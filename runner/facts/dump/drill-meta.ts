// Facts drillMeta and drillMetaDocs from a dump: per app, drill_meta key and segment key,
// the raw `drill_events` documents of the period (current layout only: the per-event
// legacy layout has no drill-meta consumer), and the `countly_drill.drill_meta` documents.
// Two facts, so the raw one reads only drill_events (the `--jobs` workers build it by app).
import { COLLECTIONS } from "../../../countly/layout.ts";
import { type Catalog, type CollectionRef, type DumpCollector, recordVisitor } from "../collector.ts";
import { DrillMetaTable, drillMetaDoc, drillMetaDocsFact, drillMetaKey } from "../drill-meta-rows.ts";
import { insertTimeAt } from "../numbers.ts";
import type { DrillMetaDoc, FactScope } from "../types.ts";
import { drillCollections, drillPlacer } from "./drill.ts";

export const drillMetaFromDump: DumpCollector<"drillMeta"> = {
  fact: "drillMeta",
  // `sg: []`: the embedded document itself, read whole only by this collector (its keys).
  fields: { a: true, e: true, n: true, ts: true, cd: true, sg: [] },
  collections: (scope, catalog) => (scope.layout.drill === "current" ? drillCollections(scope, catalog, () => true) : []),
  start(scope, catalog) {
    const placer = drillPlacer(scope, catalog, () => true);
    const table = new DrillMetaTable();
    return {
      reader(layout, from) {
        const place = placer(layout, from);
        const N = layout.slot("n");
        const CD = layout.slot("cd");
        const SG = layout.slot("sg");
        return (doc) => {
          const p = place(doc);
          if (!p) return;
          const raw = insertTimeAt(doc, CD);
          const cd = raw !== undefined && Number.isFinite(raw) ? raw : undefined;
          if (cd !== undefined) table.newest(cd);
          const key = drillMetaKey(p.e, doc.string(N));
          table.add(p.app, key, undefined, 1, cd, p.day, p.day);
          if (doc.type(SG) !== 3) return;
          for (const segment of Object.keys(doc.value(SG) as Record<string, unknown>)) table.add(p.app, key, segment, 1, cd, p.day, p.day);
        };
      },
      finish: () => table.fact(),
    };
  },
};

/** `countly_drill.drill_meta` when the layout is current and the collection exists. */
export function drillMetaRef(scope: FactScope, catalog: Catalog): CollectionRef | undefined {
  if (scope.layout.drill !== "current") return undefined;
  return (catalog.collections[scope.databases.drill] ?? []).includes(COLLECTIONS.drillMeta) ? { db: scope.databases.drill, name: COLLECTIONS.drillMeta } : undefined;
}

export const drillMetaDocsFromDump: DumpCollector<"drillMetaDocs"> = {
  fact: "drillMetaDocs",
  fields: { _id: true, app_id: true, e: true, type: true, sg: true },
  collections: (scope, catalog) => {
    const ref = drillMetaRef(scope, catalog);
    return ref ? [ref] : [];
  },
  start(scope, catalog) {
    const docs: DrillMetaDoc[] = [];
    return recordVisitor({
      visit(doc) {
        const d = drillMetaDoc(doc);
        if (d) docs.push(d);
      },
      finish: () => drillMetaDocsFact(drillMetaRef(scope, catalog) !== undefined, docs),
    });
  },
};
