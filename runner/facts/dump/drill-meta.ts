// Fact drillMeta from a dump: per app, drill_meta key and segment key, the raw
// `drill_events` documents of the period (current layout only: the per-event legacy
// layout has no drill-meta consumer), and the `countly_drill.drill_meta` documents.
import { COLLECTIONS } from "../../../countly/layout.ts";
import type { DumpCollector } from "../collector.ts";
import { DrillMetaTable, drillMetaDoc, drillMetaKey } from "../drill-meta-rows.ts";
import { insertTimeAt } from "../numbers.ts";
import type { DrillMetaDoc } from "../types.ts";
import { drillCollections, drillPlacer } from "./drill.ts";

export const drillMetaFromDump: DumpCollector<"drillMeta"> = {
  fact: "drillMeta",
  // `sg: []`: the embedded document itself, read whole only by this collector (its keys).
  fields: { a: true, e: true, n: true, ts: true, cd: true, sg: [], app_id: true, type: true },
  collections(scope, catalog) {
    if (scope.layout.drill !== "current") return [];
    const meta = (catalog.collections[scope.databases.drill] ?? []).includes(COLLECTIONS.drillMeta) ? [{ db: scope.databases.drill, name: COLLECTIONS.drillMeta }] : [];
    return [...drillCollections(scope, catalog, () => true), ...meta];
  },
  start(scope, catalog) {
    const placer = drillPlacer(scope, catalog, () => true);
    const table = new DrillMetaTable();
    const docs: DrillMetaDoc[] = [];
    const present = scope.layout.drill === "current" && (catalog.collections[scope.databases.drill] ?? []).includes(COLLECTIONS.drillMeta);
    return {
      reader(layout, from) {
        const SG = layout.slot("sg");
        if (from.name === COLLECTIONS.drillMeta) {
          const APP_ID = layout.slot("app_id");
          const E = layout.slot("e");
          const TYPE = layout.slot("type");
          return (doc) => {
            const d = drillMetaDoc({ _id: doc.value(layout.idSlot), app_id: doc.value(APP_ID), e: doc.value(E), type: doc.value(TYPE), sg: doc.value(SG) });
            if (d) docs.push(d);
          };
        }
        const place = placer(layout, from);
        const N = layout.slot("n");
        const CD = layout.slot("cd");
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
      finish: () => table.fact(present, docs),
    };
  },
};
