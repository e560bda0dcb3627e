// Fact rawSessions from a dump: session documents per app and day, with their sources.
// Current layout: the app, day and kind found once per document for every raw fact
// (ScopeApps, RawIds), rows found by those numbers and sources interned by their bytes, so
// a session document costs no string or object; legacy layout: through drillPlacer.
import { INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { dayName } from "../../../countly/time.ts";
import { normaliseMetricValue } from "../../../countly/segments.ts";
import { StringInterner, type DocFields } from "../../sources/dump/bson-fields.ts";
import type { DumpCollector } from "../collector.ts";
import type { RawSessionDay } from "../types.ts";
import { dayNumberInPeriod, drillCollections, drillPlacer, scopeApps } from "./drill.ts";
import { kindFilter, listeningRawIds } from "./raw-ids.ts";
import { sortRows } from "./raw-events.ts";
import { MemoryBudget, RAW_SESSION_ROW_BYTES } from "../memory-budget.ts";

export const rawSessionsFromDump: DumpCollector<"rawSessions"> = {
  fact: "rawSessions",
  fields: { a: true, e: true, n: true, ts: true, up: ["src"] },
  collections: (scope, catalog) => drillCollections(scope, catalog, (w) => w.key === INTERNAL_EVENTS.session || w.key === INTERNAL_EVENTS.sessionBegin),
  start(scope, catalog) {
    const placer = drillPlacer(scope, catalog, (e) => e === INTERNAL_EVENTS.session || e === INTERNAL_EVENTS.sessionBegin);
    const days = new Map<string, RawSessionDay>();
    const skipOtherKinds = kindFilter(scope, [INTERNAL_EVENTS.session, INTERNAL_EVENTS.sessionBegin]);
    const apps = scopeApps(scope);
    const ids = listeningRawIds(scope);
    const beginKind = ids.kinds.add(INTERNAL_EVENTS.sessionBegin);
    const dayInPeriod = dayNumberInPeriod(scope.period);
    const sources = new MetricValues();
    /** The documents' `n`, read (its UTF-8 checked) as drillPlacer reads it, though no row keeps it. */
    const names = new StringInterner();
    /** Per scope app: day number -> its row (current layout). */
    const byApp: Map<number, RawSessionDay>[] = [];
    const rowsHeld = (scope.budget ?? new MemoryBudget()).meter("rawSessions", "app/day rows", RAW_SESSION_ROW_BYTES);

    const row = (app: string, day: string): RawSessionDay => {
      const id = `${app}\u0000${day}`;
      let r = days.get(id);
      if (!r) {
        r = { app, day, sessions: 0, begins: 0, bySource: {}, beginsBySource: {} };
        days.set(id, r);
        rowsHeld.add();
      }
      return r;
    };
    const add = (r: RawSessionDay, begin: boolean, src: string | undefined): void => {
      if (begin) r.begins++;
      else r.sessions++;
      if (src === undefined) return;
      const target = begin ? r.beginsBySource : r.bySource;
      target[src] = (target[src] ?? 0) + 1;
    };

    return {
      reader(layout, from) {
        const other = skipOtherKinds(layout);
        const SRC = layout.slot("up.src");
        if (scope.layout.drill !== "current") {
          const place = placer(layout, from);
          return (doc) => {
            const p = place(doc);
            if (!p) return;
            add(row(p.app, p.day), p.e === INTERNAL_EVENTS.sessionBegin, normaliseMetricValue(doc.value(SRC)));
          };
        }
        const A = layout.slot("a");
        const E = layout.slot("e");
        const TS = layout.slot("ts");
        const N = layout.slot("n");
        return (doc) => {
          if (other(doc)) return;
          // placed (and its kind found) by the filter: what drillPlacer would give, as numbers
          const app = apps.place(doc, A, E, TS);
          const day = apps.day;
          if (!dayInPeriod(day)) return;
          ids.name(doc, N, names);
          const rows = (byApp[app] ??= new Map());
          let r = rows.get(day);
          if (r === undefined) rows.set(day, (r = row(apps.ids.text(app), dayName(day))));
          add(r, ids.kind(doc, E) === beginKind, sources.of(doc, SRC));
        };
      },
      finish: () => sortRows([...days.values()]),
    };
  },
};

/**
 * normaliseMetricValue(doc.value(slot)) with string values interned by their bytes: each
 * distinct value is decoded and normalised once (other types are decoded per document).
 */
export class MetricValues {
  private readonly values = new StringInterner();
  private readonly normalised: (string | undefined)[] = [];

  of(doc: DocFields, slot: number): string | undefined {
    const id = doc.intern(slot, this.values);
    if (id < 0) return normaliseMetricValue(doc.value(slot));
    if (id >= this.normalised.length) for (let i = this.normalised.length; i <= id; i++) this.normalised.push(normaliseMetricValue(this.values.text(i)));
    return this.normalised[id];
  }
}
