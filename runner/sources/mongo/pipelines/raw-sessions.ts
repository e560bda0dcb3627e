// Fact rawSessions from a live database: session documents per app, day and raw `up.src`
// value, grouped on the server (runner/facts/dump/raw-sessions.ts is the reference).
// Grouping by the raw value keeps the rows few (one per source) and lets the source be
// normalised here with the very function the dump uses.
import { INTERNAL_EVENTS } from "../../../../countly/layout.ts";
import { normaliseMetricValue } from "../../../../countly/segments.ts";
import { sortRows } from "../../../facts/dump/raw-events.ts";
import type { RawSessionDay } from "../../../facts/types.ts";
import { drillFront, drillTargets } from "./drill.ts";
import { objectField } from "./expressions.ts";
import type { LiveCollector } from "./types.ts";

const KEYS = [INTERNAL_EVENTS.session, INTERNAL_EVENTS.sessionBegin];

export const rawSessionsLive: LiveCollector<"rawSessions"> = {
  fact: "rawSessions",
  async compute(db, scope, catalog) {
    const targets = drillTargets(scope, catalog, (w) => w.key === INTERNAL_EVENTS.session || w.key === INTERNAL_EVENTS.sessionBegin);
    const days = new Map<string, RawSessionDay>();
    for (const target of targets) {
      const e = target.owner ? { $literal: target.owner.key } : "$e";
      const pipeline = [
        ...drillFront(target, scope, KEYS, { e, src: objectField("up", "src") }),
        { $group: { _id: { a: "$a", d: "$day", e: "$e", src: "$src" }, n: { $sum: 1 } } },
      ];
      for await (const row of db.aggregate(target.ref, pipeline, "rawSessions")) {
        const { a: app, d: day, e: kind, src: rawSrc } = row._id as { a: string; d: string; e: string; src?: unknown };
        const begin = kind === INTERNAL_EVENTS.sessionBegin;
        if (!begin && kind !== INTERNAL_EVENTS.session) continue;
        const id = `${app}\u0000${day}`;
        let out = days.get(id);
        if (!out) {
          out = { app, day, sessions: 0, begins: 0, bySource: {}, beginsBySource: {} };
          days.set(id, out);
        }
        const n = row.n as number;
        if (begin) out.begins += n;
        else out.sessions += n;
        const src = normaliseMetricValue(rawSrc);
        if (src === undefined) continue;
        const bucket = begin ? out.beginsBySource : out.bySource;
        bucket[src] = (bucket[src] ?? 0) + n;
      }
    }
    return sortRows([...days.values()]);
  },
};
