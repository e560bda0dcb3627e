// Fact rawInserts from a live database (runner/facts/dump/raw-inserts.ts is the
// reference): raw documents per app and internal key over the whole drill data, with
// the newest insertion times. By the fact's definition this is not limited to the
// run's apps or period, so pass 1 is a full grouped scan of the raw collection (on the
// server; the client gets one row per app and kind). Pass 2 groups only the documents
// inserted within the tail window; the newest insert before the window, for groups that
// have inserts inside it, comes from sorted limit-1 reads on `cd`.
import type { Document } from "mongodb";
import { COLLECTIONS, INTERNAL_EVENTS, legacyDrillHash } from "../../../../countly/layout.ts";
import { hashIndex } from "../../../facts/attribution.ts";
import type { CollectionRef } from "../../../facts/collector.ts";
import { isCustomKey } from "../../../facts/dump/drill.ts";
import { insertRows, SESSION_KINDS, type InsertGroup } from "../../../facts/raw-insert-groups.ts";
import { insertedSince, newestInsert } from "./drill.ts";
import { insertMinute, insertMs, objectField } from "./expressions.ts";
import type { LiveCollector } from "./types.ts";

interface Target {
  ref: CollectionRef;
  /** Legacy: the app and internal key of the whole collection. */
  owner?: { app: string; e: string };
}

/** `cd` as ms (numbers.ts insertTime), or null. */
const CD_MS = insertMs("$cd");

/** normaliseMetricValue(up.src) !== undefined: not missing, null, "" or false. */
function sourceDefined(): Document {
  const src = objectField("up", "src");
  return { $and: [{ $not: [{ $in: [{ $type: src }, ["missing", "null", "undefined"]] }] }, { $ne: [src, ""] }, { $ne: [src, false] }] };
}

function front(t: Target): Document[] {
  // A current-layout document without a string `e` is skipped; `a` not a string counts as app "".
  const match: Document = t.owner ? { $match: {} } : { $match: { e: { $type: "string" } } };
  const a = t.owner ? { $literal: t.owner.app } : { $cond: [{ $eq: [{ $type: "$a" }, "string"] }, "$a", ""] };
  const e = t.owner ? { $literal: t.owner.e } : "$e";
  return [match, { $project: { _id: 0, a, e, cd: CD_MS, minute: insertMinute("$cd"), withSource: { $cond: [{ $and: [{ $in: [e, [...SESSION_KINDS]] }, sourceDefined()] }, 1, 0] } } }];
}

export const rawInsertsLive: LiveCollector<"rawInserts"> = {
  fact: "rawInserts",
  async compute(db, scope, catalog) {
    const drill = scope.databases.drill;
    const names = catalog.collections[drill] ?? [];
    const targets: Target[] = [];
    if (scope.layout.drill === "current") {
      if (names.includes(COLLECTIONS.drillEvents)) targets.push({ ref: { db: drill, name: COLLECTIONS.drillEvents } });
    } else {
      const index = hashIndex(scope.apps, catalog.eventLists);
      for (const name of names) {
        const who = index.get(legacyDrillHash(name) ?? "");
        if (who) targets.push({ ref: { db: drill, name }, owner: { app: who.app, e: isCustomKey(who.key) ? INTERNAL_EVENTS.custom : who.key } });
      }
    }
    const tailMinutes = Math.ceil(scope.params.tailMinutes ?? 0);
    // Legacy: every custom event's collection adds to the app's `[CLY]_custom` group.
    const groups = new Map<string, InsertGroup & { targets: Target[] }>();
    let newest: number | undefined;

    for (const t of targets) {
      const pipeline = [...front(t), { $group: { _id: { a: "$a", e: "$e" }, docs: { $sum: 1 }, withSource: { $sum: "$withSource" }, maxCd: { $max: "$cd" } } }];
      for await (const r of db.aggregate(t.ref, pipeline, "rawInserts (all raw data by app and kind)")) {
        const id = `${r._id.a}\u0000${r._id.e}`;
        let g = groups.get(id);
        if (!g) {
          g = { app: r._id.a, e: r._id.e, docs: 0, withSource: 0, tail: new Map(), targets: [] };
          groups.set(id, g);
        }
        g.docs += r.docs;
        g.withSource += r.withSource;
        g.targets.push(t);
        if (typeof r.maxCd === "number") {
          if (g.maxCd === undefined || r.maxCd > g.maxCd) g.maxCd = r.maxCd;
          if (newest === undefined || r.maxCd > newest) newest = r.maxCd;
        }
      }
    }

    const maxMinute = newest === undefined ? undefined : Math.floor(newest / 60_000);
    if (maxMinute !== undefined) {
      const cutoff = maxMinute - tailMinutes;
      const windowStart = (cutoff + 1) * 60_000;
      for (const t of targets) {
        const [match, project] = front(t);
        const pipeline = [match!, insertedSince(cutoff + 1), project!, { $match: { minute: { $gt: cutoff } } }, { $group: { _id: { a: "$a", e: "$e", m: "$minute" }, maxCd: { $max: "$cd" } } }];
        for await (const r of db.aggregate(t.ref, pipeline, "rawInserts (insertion tail)")) {
          const tail = groups.get(`${r._id.a}\u0000${r._id.e}`)?.tail;
          if (tail && !((tail.get(r._id.m) ?? -Infinity) >= r.maxCd)) tail.set(r._id.m, r.maxCd);
        }
      }
      for (const g of groups.values()) {
        if (g.maxCd === undefined) continue;
        if (Math.floor(g.maxCd / 60_000) <= cutoff) {
          g.settledMaxCd = g.maxCd;
          continue;
        }
        for (const t of g.targets) {
          const filter: Document = t.owner ? {} : { e: g.e, a: g.app === "" ? { $not: { $type: "string" } } : g.app };
          const ms = await newestInsert(db, t.ref, filter, windowStart);
          if (ms !== undefined && (g.settledMaxCd === undefined || ms > g.settledMaxCd)) g.settledMaxCd = ms;
        }
      }
    }

    return { rows: insertRows(groups.values()), maxCdMinute: maxMinute };
  },
};
