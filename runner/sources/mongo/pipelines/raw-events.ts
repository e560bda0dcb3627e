// Fact rawEvents from a live database: raw custom events grouped by app, key and
// app-local day on the server (runner/facts/dump/raw-events.ts is the reference).
//
// Pass 1 groups every document in scope and also returns each group's newest insertion
// minute, so the newest overall (maxCdMinute) needs no pass of its own. Pass 2 reads
// only documents inserted in the tail window (`cd` >= cutoff, a range an index on `cd`
// can serve) and groups them per minute as well.
import { INTERNAL_EVENTS } from "../../../../countly/layout.ts";
import { isCustomKey } from "../../../facts/dump/drill.ts";
import { sortRows } from "../../../facts/dump/raw-events.ts";
import type { Counters, RawEventDay } from "../../../facts/types.ts";
import { drillFront, drillTargets, insertedSince, keyExpr, planningMinute, type DrillTarget } from "./drill.ts";
import { insertMinute, num, rawCount } from "./expressions.ts";
import type { LiveCollector } from "./types.ts";

interface Group extends Counters {
  app: string;
  key: string;
  day: string;
  docs: number;
  tail: Map<number, Counters>;
}

const CUSTOM = [INTERNAL_EVENTS.custom];

function counterFields(target: DrillTarget): Record<string, unknown> {
  return { k: keyExpr(target), c: rawCount("$c"), s: num("$s"), dur: num("$dur"), minute: insertMinute("$cd") };
}

export const rawEventsLive: LiveCollector<"rawEvents"> = {
  fact: "rawEvents",
  async compute(db, scope, catalog) {
    const targets = drillTargets(scope, catalog, (w) => isCustomKey(w.key));
    const tailMinutes = Math.ceil(scope.params.tailMinutes ?? 0);
    const groups = new Map<string, Group>();
    const groupOf = (app: string, key: string, day: string): Group => {
      const id = `${app}\u0000${key}\u0000${day}`;
      let g = groups.get(id);
      if (!g) {
        g = { app, key, day, c: 0, s: 0, dur: 0, docs: 0, tail: new Map() };
        groups.set(id, g);
      }
      return g;
    };
    let maxMinute: number | undefined;

    for (const target of targets) {
      const pipeline = [
        ...drillFront(target, scope, CUSTOM, counterFields(target)),
        {
          $group: {
            _id: { a: "$a", k: "$k", d: "$day" },
            c: { $sum: "$c" },
            s: { $sum: "$s" },
            dur: { $sum: "$dur" },
            docs: { $sum: 1 },
            maxMinute: { $max: "$minute" },
          },
        },
      ];
      for await (const row of db.aggregate(target.ref, pipeline, "rawEvents (day groups)")) {
        const g = groupOf(row._id.a, row._id.k, row._id.d);
        g.c += row.c;
        g.s += row.s;
        g.dur += row.dur;
        g.docs += row.docs;
        if (typeof row.maxMinute === "number" && (maxMinute === undefined || row.maxMinute > maxMinute)) maxMinute = row.maxMinute;
      }
    }

    const newestMinute = planningMinute(db, maxMinute);
    if (newestMinute !== undefined) {
      const cutoff = newestMinute - tailMinutes;
      for (const target of targets) {
        const pipeline = [
          ...drillFront(target, scope, CUSTOM, counterFields(target), [insertedSince(cutoff)]),
          { $match: { minute: { $gte: cutoff } } },
          { $group: { _id: { a: "$a", k: "$k", d: "$day", m: "$minute" }, c: { $sum: "$c" }, s: { $sum: "$s" }, dur: { $sum: "$dur" } } },
        ];
        for await (const row of db.aggregate(target.ref, pipeline, "rawEvents (insertion tail)")) {
          const g = groupOf(row._id.a, row._id.k, row._id.d);
          const b = g.tail.get(row._id.m);
          if (b) {
            b.c += row.c;
            b.s += row.s;
            b.dur += row.dur;
          } else g.tail.set(row._id.m, { c: row.c, s: row.s, dur: row.dur });
        }
      }
    }

    const rows: RawEventDay[] = [...groups.values()].map((g) => ({
      app: g.app,
      key: g.key,
      day: g.day,
      c: g.c,
      s: g.s,
      dur: g.dur,
      docs: g.docs,
      tail: [...g.tail.entries()].sort((a, b) => a[0] - b[0]).map(([minute, t]) => ({ minute, ...t })),
    }));
    return { rows: sortRows(rows), maxCdMinute: maxMinute };
  },
};
