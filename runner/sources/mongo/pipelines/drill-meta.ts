// Facts drillMeta and drillMetaDocs from a live database (runner/facts/dump/drill-meta.ts
// is the reference): the raw documents are grouped on the server per app, drill_meta key
// and segment key (`$objectToArray` of `sg`), so raw documents never travel; the drill_meta
// documents (one per app and event, small) are read with a projection.
import type { Document } from "mongodb";
import { INTERNAL_EVENTS } from "../../../../countly/layout.ts";
import { DrillMetaTable, drillMetaDoc, drillMetaDocsFact } from "../../../facts/drill-meta-rows.ts";
import { drillMetaRef } from "../../../facts/dump/drill-meta.ts";
import type { DrillMetaDoc } from "../../../facts/types.ts";
import { drillFront, drillTargets } from "./drill.ts";
import { insertMs, stringOr } from "./expressions.ts";
import type { LiveCollector } from "./types.ts";

/** runner/facts/drill-meta-rows.ts drillMetaKey on the server. */
const KEY = { $cond: [{ $eq: ["$e", INTERNAL_EVENTS.custom] }, stringOr("$n", "$e"), "$e"] };
/** The keys of `sg` when it is an embedded document. */
const SEGMENT_KEYS = { $cond: [{ $eq: [{ $type: "$sg" }, "object"] }, { $map: { input: { $objectToArray: "$sg" }, as: "p", in: "$$p.k" } }, []] };

export const drillMetaLive: LiveCollector<"drillMeta"> = {
  fact: "drillMeta",
  async compute(db, scope, catalog) {
    const table = new DrillMetaTable();
    if (scope.layout.drill !== "current") return table.fact();
    for (const t of drillTargets(scope, catalog, () => true)) {
      const pipeline: Document[] = [
        ...drillFront(t, scope, "any", { key: KEY, cd: insertMs("$cd"), sgk: SEGMENT_KEYS }),
        // null: the key itself, then one row per segment key
        { $project: { a: 1, key: 1, day: 1, cd: 1, s: { $concatArrays: [[null], "$sgk"] } } },
        { $unwind: "$s" },
        { $group: { _id: { a: "$a", key: "$key", s: "$s" }, docs: { $sum: 1 }, firstCd: { $min: "$cd" }, maxCd: { $max: "$cd" }, firstDay: { $min: "$day" }, lastDay: { $max: "$day" } } },
      ];
      for await (const r of db.aggregate(t.ref, pipeline, "drillMeta (raw documents by app, event and segment key)")) {
        const firstCd = typeof r.firstCd === "number" ? r.firstCd : undefined;
        table.add(r._id.a, r._id.key, typeof r._id.s === "string" ? r._id.s : undefined, r.docs, firstCd, r.firstDay, r.lastDay);
        if (typeof r.maxCd === "number") table.newest(r.maxCd);
      }
    }
    return table.fact();
  },
};

export const drillMetaDocsLive: LiveCollector<"drillMetaDocs"> = {
  fact: "drillMetaDocs",
  async compute(db, scope, catalog) {
    const ref = drillMetaRef(scope, catalog);
    const docs: DrillMetaDoc[] = [];
    if (ref) {
      for await (const doc of db.find(ref, {}, { projection: { app_id: 1, e: 1, type: 1, sg: 1 } })) {
        const d = drillMetaDoc(doc);
        if (d) docs.push(d);
      }
    }
    return drillMetaDocsFact(ref !== undefined, docs);
  },
};
