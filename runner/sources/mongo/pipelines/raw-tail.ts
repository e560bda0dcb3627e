// Fact rawTail from a live database (runner/facts/dump/raw-tail.ts is the reference):
// session and view documents inserted in the last `tailMinutes` before the newest raw
// insert, per app, kind, view, day and insertion minute. The newest insert comes from
// sorted limit-1 reads on `cd`; only documents inserted since the cutoff are grouped.
import { INTERNAL_EVENTS } from "../../../../countly/layout.ts";
import { normaliseMetricValue } from "../../../../countly/segments.ts";
import type { RawTailRow } from "../../../facts/types.ts";
import { distinctRefs, drillFront, drillTargets, insertedSince, newestInsert, planningMinute } from "./drill.ts";
import { insertMinute, jsTruthy, objectField, stringOr } from "./expressions.ts";
import type { LiveCollector } from "./types.ts";

const KINDS: string[] = [INTERNAL_EVENTS.session, INTERNAL_EVENTS.sessionBegin, INTERNAL_EVENTS.view];

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const rawTailLive: LiveCollector<"rawTail"> = {
  fact: "rawTail",
  async compute(db, scope, catalog) {
    // Every raw collection sets the window (the newest insert of any kind, app or day).
    const targets = drillTargets(scope, catalog, () => true);
    let newest: number | undefined;
    for (const ref of distinctRefs(targets)) {
      const ms = await newestInsert(db, ref);
      if (ms !== undefined && (newest === undefined || ms > newest)) newest = ms;
    }
    const maxMinute = planningMinute(db, newest === undefined ? undefined : Math.floor(newest / 60_000));
    if (maxMinute === undefined) return { rows: [], maxCdMinute: undefined };
    const cutoff = maxMinute - Math.ceil(scope.params.tailMinutes ?? 0);

    const rows = new Map<string, RawTailRow>();
    for (const target of targets) {
      if (target.owner && !KINDS.includes(target.owner.key)) continue;
      const e = target.owner ? { $literal: target.owner.key } : "$e";
      const isView = { $eq: [e, INTERNAL_EVENTS.view] };
      const fields = {
        e,
        k: { $cond: [isView, stringOr("$n", stringOr(objectField("sg", "name"), "")), ""] },
        minute: insertMinute("$cd"),
        visit: { $cond: [{ $and: [isView, jsTruthy(objectField("sg", "visit"))] }, 1, 0] },
        src: { $cond: [isView, null, objectField("up", "src")] },
      };
      const pipeline = [
        ...drillFront(target, scope, KINDS, fields, [insertedSince(cutoff)]),
        { $match: { minute: { $gte: cutoff } } },
        { $group: { _id: { a: "$a", e: "$e", k: "$k", d: "$day", m: "$minute", src: "$src" }, docs: { $sum: 1 }, visits: { $sum: "$visit" } } },
      ];
      for await (const r of db.aggregate(target.ref, pipeline, "rawTail")) {
        const { a: app, e: kind, k: key, d: day, m: minute, src } = r._id as { a: string; e: string; k: string; d: string; m: number; src?: unknown };
        const id = `${app}\u0000${kind}\u0000${key}\u0000${day}\u0000${minute}`;
        let row = rows.get(id);
        if (!row) {
          row = { app, e: kind, key, day, minute, docs: 0, visits: 0, bySource: {} };
          rows.set(id, row);
        }
        row.docs += r.docs as number;
        row.visits += r.visits as number;
        if (kind === INTERNAL_EVENTS.view) continue;
        const source = normaliseMetricValue(src);
        if (source !== undefined) row.bySource[source] = (row.bySource[source] ?? 0) + (r.docs as number);
      }
    }
    const out = [...rows.values()]
      .map((r) => ({ ...r, bySource: Object.fromEntries(Object.entries(r.bySource).sort((a, b) => cmp(a[0], b[0]))) }))
      .sort((a, b) => cmp(a.app, b.app) || cmp(a.e, b.e) || cmp(a.key, b.key) || cmp(a.day, b.day) || a.minute - b.minute);
    return { rows: out, maxCdMinute: maxMinute };
  },
};
