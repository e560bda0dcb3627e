// Fact rawSessions from a dump: session documents per app and day, with their sources.
import { INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { normaliseMetricValue } from "../../../countly/segments.ts";
import type { DumpCollector } from "../collector.ts";
import type { RawSessionDay } from "../types.ts";
import { drillCollections, drillReader } from "./drill.ts";
import { sortRows } from "./raw-events.ts";

export const rawSessionsFromDump: DumpCollector<"rawSessions"> = {
  fact: "rawSessions",
  fields: { a: true, e: true, ts: true, up: ["src"] },
  collections: (scope, catalog) => drillCollections(scope, catalog, (w) => w.key === INTERNAL_EVENTS.session || w.key === INTERNAL_EVENTS.sessionBegin),
  start(scope, catalog) {
    const place = drillReader(scope, catalog);
    const days = new Map<string, RawSessionDay>();
    return {
      visit(doc, from) {
        const p = place(doc, from);
        if (!p) return;
        const begin = p.e === INTERNAL_EVENTS.sessionBegin;
        if (!begin && p.e !== INTERNAL_EVENTS.session) return;
        const id = `${p.app}\u0000${p.day}`;
        let row = days.get(id);
        if (!row) {
          row = { app: p.app, day: p.day, sessions: 0, begins: 0, bySource: {}, beginsBySource: {} };
          days.set(id, row);
        }
        if (begin) row.begins++;
        else row.sessions++;
        const up = doc.up as Record<string, unknown> | undefined;
        const src = normaliseMetricValue(up?.src);
        if (src === undefined) return;
        const target = begin ? row.beginsBySource : row.bySource;
        target[src] = (target[src] ?? 0) + 1;
      },
      finish: () => sortRows([...days.values()]),
    };
  },
};
