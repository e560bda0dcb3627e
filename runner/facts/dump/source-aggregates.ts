// Fact sourceAggregates from a dump: `countly.sources` sessions per app, day and source.
import { COLLECTIONS } from "../../../countly/layout.ts";
import { parseMetricId } from "../../../countly/ids.ts";
import { dayFromMonthAndKey, inPeriod } from "../../../countly/time.ts";
import type { DumpCollector } from "../collector.ts";
import { num } from "../numbers.ts";
import type { SourceAggregateDay } from "../types.ts";
import { sortRows } from "./raw-events.ts";

export const sourceAggregatesFromDump: DumpCollector<"sourceAggregates"> = {
  fact: "sourceAggregates",
  collections: (scope, catalog) =>
    (catalog.collections[scope.databases.countly] ?? []).includes(COLLECTIONS.sources) ? [{ db: scope.databases.countly, name: COLLECTIONS.sources }] : [],
  fields: { _id: true, d: true },
  start(scope) {
    const apps = new Set(scope.apps.map((a) => a.id));
    const rows = new Map<string, SourceAggregateDay>();
    return {
      visit(doc) {
        const id = parseMetricId(String(doc._id));
        if (!id || id.isZero || !apps.has(id.appId) || !doc.d || typeof doc.d !== "object") return;
        for (const [dayKey, value] of Object.entries(doc.d as Record<string, unknown>)) {
          const day = dayFromMonthAndKey(id.period, dayKey);
          if (!day || !inPeriod(day, scope.period) || !value || typeof value !== "object") continue;
          for (const [source, counters] of Object.entries(value as Record<string, unknown>)) {
            if (!counters || typeof counters !== "object") continue;
            const key = `${id.appId}\u0000${day}\u0000${source}`;
            const row = rows.get(key) ?? { app: id.appId, day, source, t: 0 };
            row.t += num((counters as Record<string, unknown>).t);
            rows.set(key, row);
          }
        }
      },
      finish: () => ({ days: sortRows([...rows.values()].map((r) => ({ ...r, key: r.source }))).map(({ key: _k, ...r }) => r) }),
    };
  },
};
