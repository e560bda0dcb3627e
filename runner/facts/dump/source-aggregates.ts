// Fact sourceAggregates from a dump: `countly.sources` sessions per app, day and source.
import { COLLECTIONS } from "../../../countly/layout.ts";
import { type DumpCollector, recordVisitor } from "../collector.ts";
import { num } from "../numbers.ts";
import type { SourceAggregateDay } from "../types.ts";
import { countlyCollection, forEachMetricDay } from "./metric-docs.ts";
import { sortRows } from "./raw-events.ts";

export const sourceAggregatesFromDump: DumpCollector<"sourceAggregates"> = {
  fact: "sourceAggregates",
  collections: (scope, catalog) => countlyCollection(scope, catalog, COLLECTIONS.sources),
  fields: { _id: true, d: true },
  start(scope) {
    const apps = new Set(scope.apps.map((a) => a.id));
    const rows = new Map<string, SourceAggregateDay>();
    return recordVisitor({
      visit(doc) {
        forEachMetricDay(doc, apps, scope, (app, day, value) => {
          for (const [source, counters] of Object.entries(value)) {
            if (!counters || typeof counters !== "object") continue;
            const key = `${app}\u0000${day}\u0000${source}`;
            const row = rows.get(key) ?? { app, day, source, t: 0 };
            row.t += num((counters as Record<string, unknown>).t);
            rows.set(key, row);
          }
        });
      },
      finish: () => ({ days: sortRows([...rows.values()].map((r) => ({ ...r, key: r.source }))).map(({ key: _k, ...r }) => r) }),
    });
  },
};
