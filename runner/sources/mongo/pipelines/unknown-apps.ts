// Fact unknownApps from a live database (runner/facts/dump/unknown-apps.ts is the
// reference): the `countly.apps` ids first, then per collection the documents of every
// other app id, grouped on the server. The first `$match` leaves the known apps out by
// index ranges (`a` of drill_events: `$nin`, served by `{a: 1, e: 1, ts: 1}`; `_id` of the
// aggregated collections: the ranges between the known `<appId>_` prefixes), so only
// documents of unknown apps are read and a healthy database costs a few index seeks.
import type { Document } from "mongodb";
import { appIdText, unknownAppsCollections, unknownRows } from "../../../facts/dump/unknown-apps.ts";
import type { LiveCollector } from "./types.ts";

/**
 * `_id` conditions matching every string id outside the known `<appId>_` prefixes (and
 * only strings: range conditions on strings never match other BSON types). `<id>_…` sorts
 * between `<id>_` and `<id>\``: the backtick follows `_`. Undefined when an id could make
 * ranges overlap (not plain ASCII or holding `_`): then every document is grouped.
 */
function outsidePrefixes(known: readonly string[]): Document | undefined {
  if (known.some((id) => !/^[\x21-\x5e\x60-\x7e]+$/.test(id))) return undefined;
  const sorted = [...new Set(known)].sort();
  const ranges: Document[] = [];
  let from: string | undefined;
  for (const id of sorted) {
    ranges.push(from === undefined ? { _id: { $type: "string", $lt: `${id}_` } } : { _id: { $gte: from, $lt: `${id}_` } });
    from = `${id}\``;
  }
  ranges.push(from === undefined ? { _id: { $type: "string" } } : { _id: { $gte: from } });
  return ranges.length === 1 ? ranges[0] : { $or: ranges };
}

/** Groups string `_id`s by their prefix up to the first `_` (ids without one, or starting with it, name no app and are dropped). */
const BY_ID_PREFIX: Document[] = [
  { $project: { _id: 0, parts: { $split: ["$_id", "_"] } } },
  { $match: { "parts.1": { $exists: true }, "parts.0": { $ne: "" } } },
  { $group: { _id: { $arrayElemAt: ["$parts", 0] }, docs: { $sum: 1 } } },
];

export const unknownAppsLive: LiveCollector<"unknownApps"> = {
  fact: "unknownApps",
  async compute(db, scope, catalog) {
    const refs = unknownAppsCollections(scope, catalog);
    const known: string[] = [];
    for (const ref of refs.filter((r) => r.place === "apps")) {
      for await (const doc of db.find(ref, {}, { projection: { _id: 1 } })) known.push(appIdText(doc._id));
    }
    const knownSet = new Set(known);
    const counts = new Map<string, Map<string, number>>();
    const add = (where: string, app: string, docs: number) => {
      let byApp = counts.get(where);
      if (!byApp) counts.set(where, (byApp = new Map()));
      byApp.set(app, (byApp.get(app) ?? 0) + docs);
    };
    for (const ref of refs) {
      const where = `${ref.db}.${ref.name}`;
      if (ref.place === "apps") continue;
      if (typeof ref.place === "object") {
        if (!knownSet.has(ref.place.collection)) add(where, ref.place.collection, await db.count(ref));
        continue;
      }
      const pipeline: Document[] =
        ref.place === "raw a"
          ? [{ $match: { a: { $nin: known } } }, { $group: { _id: { $cond: [{ $eq: [{ $type: "$a" }, "string"] }, "$a", ""] }, docs: { $sum: 1 } } }]
          : [{ $match: { $and: [{ _id: { $type: "string" } }, outsidePrefixes(known) ?? {}] } }, ...BY_ID_PREFIX];
      for await (const row of db.aggregate(ref, pipeline, "unknownApps (documents of app ids that no countly.apps document has)")) {
        if (typeof row._id === "string") add(where, row._id, row.docs);
      }
    }
    return { known: [...knownSet].sort(), rows: unknownRows(counts, knownSet) };
  },
};
