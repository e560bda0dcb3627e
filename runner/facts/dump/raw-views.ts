// Fact rawViews from a dump: `[CLY]_view` documents per app, view and day. Every stored
// `[CLY]_view` is a visit (the ingestor renames visit-less ones `[CLY]_view_update`).
import { INTERNAL_EVENTS } from "../../../countly/layout.ts";
import type { DumpCollector } from "../collector.ts";
import type { RawViewDay } from "../types.ts";
import { drillCollections, drillPlacer } from "./drill.ts";
import { kindFilter } from "./raw-ids.ts";
import { sortRows } from "./raw-events.ts";

export const rawViewsFromDump: DumpCollector<"rawViews"> = {
  fact: "rawViews",
  fields: { a: true, e: true, n: true, ts: true, sg: ["visit", "name"] },
  collections: (scope, catalog) => drillCollections(scope, catalog, (w) => w.key === INTERNAL_EVENTS.view),
  start(scope, catalog) {
    const placer = drillPlacer(scope, catalog, (e) => e === INTERNAL_EVENTS.view);
    const rows = new Map<string, RawViewDay>();
    const skipOtherKinds = kindFilter(scope, [INTERNAL_EVENTS.view]);
    return {
      reader(layout, from) {
        const place = placer(layout, from);
        const other = skipOtherKinds(layout);
        const N = layout.slot("n");
        const NAME = layout.slot("sg.name");
        const VISIT = layout.slot("sg.visit");
        return (doc) => {
          if (other(doc)) return;
          const p = place(doc);
          if (!p) return;
          const view = doc.string(N) ?? doc.string(NAME) ?? "";
          add(p.app, view, p.day, !!doc.value(VISIT));
        };
      },
      finish: () => sortRows([...rows.values()].map((r) => ({ ...r, key: r.view }))).map(({ key: _k, ...r }) => r),
    };
    function add(app: string, view: string, day: string, visit: boolean): void {
      const id = `${app}\u0000${view}\u0000${day}`;
      let row = rows.get(id);
      if (!row) {
        row = { app, view, day, events: 0, visits: 0 };
        rows.set(id, row);
      }
      row.events++;
      if (visit) row.visits++;
    }
  },
};
