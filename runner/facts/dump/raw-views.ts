// Fact rawViews from a dump: `[CLY]_view` documents per app, view and day. Every stored
// `[CLY]_view` is a visit (the ingestor renames visit-less ones `[CLY]_view_update`).
import { INTERNAL_EVENTS } from "../../../countly/layout.ts";
import type { DumpCollector } from "../collector.ts";
import type { RawViewDay } from "../types.ts";
import { drillCollections, drillReader } from "./drill.ts";
import { sortRows } from "./raw-events.ts";

export const rawViewsFromDump: DumpCollector<"rawViews"> = {
  fact: "rawViews",
  fields: { a: true, e: true, n: true, ts: true, sg: ["visit", "name"] },
  collections: (scope, catalog) => drillCollections(scope, catalog, (w) => w.key === INTERNAL_EVENTS.view),
  start(scope, catalog) {
    const place = drillReader(scope, catalog);
    const rows = new Map<string, RawViewDay>();
    return {
      visit(doc, from) {
        const p = place(doc, from);
        if (!p || p.e !== INTERNAL_EVENTS.view) return;
        const sg = doc.sg as Record<string, unknown> | undefined;
        const view = typeof doc.n === "string" ? doc.n : typeof sg?.name === "string" ? sg.name : "";
        const id = `${p.app}\u0000${view}\u0000${p.day}`;
        let row = rows.get(id);
        if (!row) {
          row = { app: p.app, view, day: p.day, events: 0, visits: 0 };
          rows.set(id, row);
        }
        row.events++;
        if (sg?.visit) row.visits++;
      },
      finish: () => sortRows([...rows.values()].map((r) => ({ ...r, key: r.view }))).map(({ key: _k, ...r }) => r),
    };
  },
};
