// Fact rawInserts from a live database (runner/facts/dump/raw-inserts.ts is the
// reference): raw documents per app and internal key, with the newest insertion times.
//
// Scoped to the run (issue 12): a run narrowed to some apps reads only theirs, a run with
// a period only documents whose app-local day is in it (raw-insert-groups.ts
// `insertScope` is the definition). A run over every app and all time reads what it
// always did (the dump's fact). What the
// two checks built on this fact need stays right within that scope: collections-present
// asks whether raw data of a kind exists (a subset of the data can only ask for fewer
// collections), aggregation-cursor-fresh compares tokens with the newest settled insert
// (the newest of a subset is never newer than the newest of all).
//
// Pass 1 groups the documents in scope per app and kind (one pipeline per time zone
// of the run's apps when the period needs app-local days). Pass 2 groups only the
// documents inserted within the tail window. For groups with inserts inside it, the
// newest insert before the window comes from reads sorted on `cd` (the `cd_1` index),
// or, with a period, from a grouped pass over the group's documents in it.
import type { Document } from "mongodb";
import { INTERNAL_EVENTS } from "../../../../countly/layout.ts";
import { isCustomKey } from "../../../facts/dump/drill.ts";
import { insertRows, SESSION_KINDS, type InsertGroup } from "../../../facts/raw-insert-groups.ts";
import { appExpr, distinctRefs, drillFront, drillTargets, insertedSince, newestInsert, planningMinute, type DrillTarget } from "./drill.ts";
import { insertMinute, insertMs, objectField } from "./expressions.ts";
import type { LiveCollector, LiveDb } from "./types.ts";

/** normaliseMetricValue(up.src) !== undefined: not missing, null, "" or false. */
function sourceDefined(): Document {
  const src = objectField("up", "src");
  return { $and: [{ $not: [{ $in: [{ $type: src }, ["missing", "null", "undefined"]] }] }, { $ne: [src, ""] }, { $ne: [src, false] }] };
}

/** The internal kind of a target's documents: `e`, or the legacy collection's (every custom event counts as `[CLY]_custom`). */
function kindExpr(t: DrillTarget): unknown {
  return t.owner ? { $literal: isCustomKey(t.owner.key) ? INTERNAL_EVENTS.custom : t.owner.key } : "$e";
}

const bounded = (t: { period: { from?: string; to?: string } }) => t.period.from !== undefined || t.period.to !== undefined;

/** The first stages: the run's scope, then a, e, cd (ms), its minute and whether a session has a source. `extra` goes after the first $match. */
function front(t: DrillTarget, scope: Parameters<LiveCollector<"rawInserts">["compute"]>[1], extra: Document[] = []): Document[] {
  const e = kindExpr(t);
  const fields = { e, cd: insertMs("$cd"), minute: insertMinute("$cd"), withSource: { $cond: [{ $and: [{ $in: [e, [...SESSION_KINDS]] }, sourceDefined()] }, 1, 0] } };
  if (bounded(scope)) return drillFront(t, scope, "any", fields, extra);
  // All time: no `ts` condition (documents without a usable ts count too, as they always did).
  if (t.owner) return [{ $match: {} }, ...extra, { $project: { _id: 0, a: appExpr(t), ...fields } }];
  // Every app: any app id (raw data of an app missing from countly.apps still needs its collections); `a` not a string is app "".
  if (scope.allApps) {
    // Every document is read: the filter on `e` goes after the projection, so the query has none
    // (a whole-collection read by design, which no index would shorten: no scan warning).
    return [{ $match: {} }, ...extra, { $project: { _id: 0, a: { $cond: [{ $eq: [{ $type: "$a" }, "string"] }, "$a", ""] }, ...fields } }, { $match: { e: { $type: "string" } } }];
  }
  return [{ $match: { a: { $in: t.apps.map((a) => a.id) }, e: { $type: "string" } } }, ...extra, { $project: { _id: 0, a: "$a", ...fields } }];
}

export const rawInsertsLive: LiveCollector<"rawInserts"> = {
  fact: "rawInserts",
  async compute(db, scope, catalog) {
    // One target per collection and time zone; without a period the zones do not matter.
    const all = drillTargets(scope, catalog, () => true);
    const targets = bounded(scope) || scope.layout.drill === "legacy" ? all : distinctRefs(all).map((ref) => ({ ref, apps: scope.apps }));
    const tailMinutes = Math.ceil(scope.params.tailMinutes ?? 0);
    // Legacy: every custom event's collection adds to the app's `[CLY]_custom` group.
    const groups = new Map<string, InsertGroup & { targets: DrillTarget[] }>();
    let newest: number | undefined;

    for (const t of targets) {
      const pipeline = [...front(t, scope), { $group: { _id: { a: "$a", e: "$e" }, docs: { $sum: 1 }, withSource: { $sum: "$withSource" }, maxCd: { $max: "$cd" } } }];
      for await (const r of db.aggregate(t.ref, pipeline, "rawInserts (the run's raw data by app and kind)")) {
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

    const maxMinute = planningMinute(db, newest === undefined ? undefined : Math.floor(newest / 60_000));
    if (maxMinute !== undefined) {
      const cutoff = maxMinute - tailMinutes;
      const windowStart = (cutoff + 1) * 60_000;
      for (const t of targets) {
        const pipeline = [...front(t, scope, [insertedSince(cutoff + 1)]), { $match: { minute: { $gt: cutoff } } }, { $group: { _id: { a: "$a", e: "$e", m: "$minute" }, maxCd: { $max: "$cd" } } }];
        for await (const r of db.aggregate(t.ref, pipeline, "rawInserts (insertion tail)")) {
          const tail = groups.get(`${r._id.a}\u0000${r._id.e}`)?.tail;
          if (tail && !((tail.get(r._id.m) ?? -Infinity) >= r.maxCd)) tail.set(r._id.m, r.maxCd);
        }
      }
      // --explain found no groups: each target's per-group read, once, for a stand-in group.
      if (db.planOnly) for (const t of targets) groups.set(`plan\u0000${t.ref.name}`, { app: (t as DrillTarget).owner?.app ?? t.apps[0]?.id ?? "", e: SESSION_KINDS[0]!, docs: 0, withSource: 0, tail: new Map(), maxCd: windowStart, targets: [t] });
      for (const g of groups.values()) {
        if (g.maxCd === undefined) continue;
        if (Math.floor(g.maxCd / 60_000) <= cutoff) {
          g.settledMaxCd = g.maxCd;
          continue;
        }
        for (const t of g.targets) {
          const ms = bounded(scope) ? await newestInScope(db, t, g, windowStart, scope) : await newestInsert(db, t.ref, groupFilter(t, g), windowStart);
          if (ms !== undefined && (g.settledMaxCd === undefined || ms > g.settledMaxCd)) g.settledMaxCd = ms;
        }
      }
    }

    return { rows: insertRows(groups.values()), maxCdMinute: maxMinute };
  },
};

function groupFilter(t: DrillTarget, g: InsertGroup): Document {
  return t.owner ? {} : { e: g.e, a: g.app === "" ? { $not: { $type: "string" } } : g.app };
}

/** The newest insert before the window among the group's documents in the run's period (grouped on the server: raw documents never travel). */
async function newestInScope(db: LiveDb, t: DrillTarget, g: InsertGroup, below: number, scope: Parameters<LiveCollector<"rawInserts">["compute"]>[1]): Promise<number | undefined> {
  const before: Document = { $match: { ...groupFilter(t, g), $or: [{ cd: { $lt: new Date(below) } }, { cd: { $lt: below } }] } };
  const pipeline = [...front(t, scope, [before]), { $match: { cd: { $ne: null, $lt: below } } }, { $group: { _id: null, max: { $max: "$cd" } } }];
  for await (const row of db.aggregate(t.ref, pipeline, "rawInserts (newest insert before the tail window)")) return typeof row.max === "number" ? row.max : undefined;
  return undefined;
}
