// Fact rawSessions from a dump: session documents per app and day, with their sources.
import { INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { normaliseMetricValue } from "../../../countly/segments.ts";
import type { DumpCollector } from "../collector.ts";
import type { RawSessionDay } from "../types.ts";
import { drillCollections, drillPlacer } from "./drill.ts";
import { kindFilter } from "./raw-ids.ts";
import { sortRows } from "./raw-events.ts";

export const rawSessionsFromDump: DumpCollector<"rawSessions"> = {
  fact: "rawSessions",
  fields: { a: true, e: true, n: true, ts: true, up: ["src"] },
  collections: (scope, catalog) => drillCollections(scope, catalog, (w) => w.key === INTERNAL_EVENTS.session || w.key === INTERNAL_EVENTS.sessionBegin),
  start(scope, catalog) {
    const placer = drillPlacer(scope, catalog, (e) => e === INTERNAL_EVENTS.session || e === INTERNAL_EVENTS.sessionBegin);
    const days = new Map<string, RawSessionDay>();
    const skipOtherKinds = kindFilter(scope, [INTERNAL_EVENTS.session, INTERNAL_EVENTS.sessionBegin]);
    return {
      reader(layout, from) {
        const place = placer(layout, from);
        const other = skipOtherKinds(layout);
        const SRC = layout.slot("up.src");
        return (doc) => {
          if (other(doc)) return;
          const p = place(doc);
          if (!p) return;
          const begin = p.e === INTERNAL_EVENTS.sessionBegin;
          const id = `${p.app}\u0000${p.day}`;
          let row = days.get(id);
          if (!row) {
            row = { app: p.app, day: p.day, sessions: 0, begins: 0, bySource: {}, beginsBySource: {} };
            days.set(id, row);
          }
          if (begin) row.begins++;
          else row.sessions++;
          const src = normaliseMetricValue(doc.value(SRC));
          if (src === undefined) return;
          const target = begin ? row.beginsBySource : row.bySource;
          target[src] = (target[src] ?? 0) + 1;
        };
      },
      finish: () => sortRows([...days.values()]),
    };
  },
};
