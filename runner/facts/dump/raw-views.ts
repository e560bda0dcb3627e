// Fact rawViews from a dump: `[CLY]_view` documents per app, view and day. Every stored
// `[CLY]_view` is a visit (the ingestor renames visit-less ones `[CLY]_view_update`).
// Current layout: the app and day found once per document for every raw fact (ScopeApps),
// the view name interned by its bytes, rows found by those numbers: a view document costs
// no string or object; legacy layout: through drillPlacer.
import { INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { dayName } from "../../../countly/time.ts";
import { StringInterner } from "../../sources/dump/bson-fields.ts";
import type { DumpCollector } from "../collector.ts";
import type { RawViewDay } from "../types.ts";
import { dayNumberInPeriod, drillCollections, drillPlacer, scopeApps } from "./drill.ts";
import { kindFilter, listeningRawIds } from "./raw-ids.ts";
import { sortRows } from "./raw-events.ts";
import { MemoryBudget, RAW_VIEW_ROW_BYTES } from "../memory-budget.ts";

export const rawViewsFromDump: DumpCollector<"rawViews"> = {
  fact: "rawViews",
  fields: { a: true, e: true, n: true, ts: true, sg: ["visit", "name"] },
  collections: (scope, catalog) => drillCollections(scope, catalog, (w) => w.key === INTERNAL_EVENTS.view),
  start(scope, catalog) {
    const placer = drillPlacer(scope, catalog, (e) => e === INTERNAL_EVENTS.view);
    const rows = new Map<string, RawViewDay>();
    const skipOtherKinds = kindFilter(scope, [INTERNAL_EVENTS.view]);
    const apps = scopeApps(scope);
    const ids = listeningRawIds(scope);
    const dayInPeriod = dayNumberInPeriod(scope.period);
    const views = new StringInterner();
    const noName = views.add("");
    /** Per scope app: view id -> day number -> its row (current layout). */
    const byApp: Map<number, Map<number, RawViewDay>>[] = [];
    const rowsHeld = (scope.budget ?? new MemoryBudget()).meter("rawViews", "app/view/day rows", RAW_VIEW_ROW_BYTES);
    return {
      reader(layout, from) {
        const N = layout.slot("n");
        const NAME = layout.slot("sg.name");
        const VISIT = layout.slot("sg.visit");
        if (scope.layout.drill !== "current") {
          const place = placer(layout, from);
          return (doc) => {
            const p = place(doc);
            if (!p) return;
            const view = doc.string(N) ?? doc.string(NAME) ?? "";
            count(row(p.app, view, p.day), !!doc.value(VISIT));
          };
        }
        const other = skipOtherKinds(layout);
        const A = layout.slot("a");
        const E = layout.slot("e");
        const TS = layout.slot("ts");
        return (doc) => {
          if (other(doc)) return;
          // placed (and its kind found) by the filter: what drillPlacer would give, as numbers
          const app = apps.place(doc, A, E, TS);
          const day = apps.day;
          if (!dayInPeriod(day)) return;
          // doc.string(N) ?? doc.string(NAME) ?? "", interned (`n` hashed once with the other raw facts)
          let view = ids.name(doc, N, views);
          if (view < 0) view = doc.intern(NAME, views);
          if (view < 0) view = noName;
          const byView = (byApp[app] ??= new Map());
          let byDay = byView.get(view);
          if (byDay === undefined) byView.set(view, (byDay = new Map()));
          let r = byDay.get(day);
          if (r === undefined) byDay.set(day, (r = row(apps.ids.text(app), views.text(view), dayName(day))));
          count(r, !!doc.value(VISIT));
        };
      },
      finish: () => sortRows([...rows.values()].map((r) => ({ ...r, key: r.view }))).map(({ key: _k, ...r }) => r),
    };
    function row(app: string, view: string, day: string): RawViewDay {
      const id = `${app}\u0000${view}\u0000${day}`;
      let r = rows.get(id);
      if (!r) {
        r = { app, view, day, events: 0, visits: 0 };
        rows.set(id, r);
        rowsHeld.add();
      }
      return r;
    }
    function count(r: RawViewDay, visit: boolean): void {
      r.events++;
      if (visit) r.visits++;
    }
  },
};
