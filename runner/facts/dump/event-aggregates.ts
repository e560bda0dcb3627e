// Fact eventAggregates from a dump: no-segment day totals and per-segment sums from
// `countly.events_data` (current) or `countly.events<H>` (legacy).
import { COLLECTIONS, legacyEventsHash } from "../../../countly/layout.ts";
import { NO_SEGMENT } from "../../../countly/ids.ts";
import { dayFromMonthAndKey, inPeriod } from "../../../countly/time.ts";
import { hashIndex } from "../attribution.ts";
import { type DumpCollector, recordVisitor } from "../collector.ts";
import { MemoryBudget } from "../memory-budget.ts";
import { num } from "../numbers.ts";
import type { EventTotalDay, SegmentSumDay } from "../types.ts";
import { sortRows } from "./raw-events.ts";

/** `<seg>_<YYYY>:<M>[_<postfix>]` at the end of an events id. */
const MONTH_ID_TAIL = /^(.*)_(\d{4}:\d{1,2})(?:_.)?$/;

export const eventAggregatesFromDump: DumpCollector<"eventAggregates"> = {
  fact: "eventAggregates",
  collections(scope, catalog) {
    const names = catalog.collections[scope.databases.countly] ?? [];
    if (scope.layout.events === "current") return names.includes(COLLECTIONS.eventsData) ? [{ db: scope.databases.countly, name: COLLECTIONS.eventsData }] : [];
    return names.filter((n) => legacyEventsHash(n) !== undefined).map((name) => ({ db: scope.databases.countly, name }));
  },
  fields: { _id: true, a: true, e: true, s: true, m: true, d: true },
  start(scope, catalog) {
    const apps = new Set(scope.apps.map((a) => a.id));
    const index = scope.layout.events === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
    const totals = new Map<string, EventTotalDay>();
    const segments = new Map<string, SegmentSumDay>();
    const unattributed = new Set<string>();
    const budget = scope.budget ?? new MemoryBudget();
    const totalMeter = budget.meter("eventAggregates", "app/event/day groups", 200);
    const segmentMeter = budget.meter("eventAggregates", "segment values", 240);

    return recordVisitor({
      visit(doc, from) {
        let app: string;
        let key: string;
        let segment: string;
        let month: string;
        if (index) {
          const h = legacyEventsHash(from.name);
          const who = h === undefined ? undefined : index.get(h);
          if (!who) {
            unattributed.add(`${from.db}.${from.name}`);
            return;
          }
          const m = MONTH_ID_TAIL.exec(String(doc._id));
          if (!m) return;
          app = who.app;
          key = who.key;
          segment = m[1]!;
          month = m[2]!;
        } else {
          if (typeof doc.a !== "string" || typeof doc.e !== "string" || typeof doc.m !== "string" || typeof doc.s !== "string") return;
          if (doc.e === "all") return; // all-events (all_key) documents are another invariant's business
          app = doc.a;
          key = doc.e;
          segment = doc.s;
          month = doc.m;
        }
        if (!apps.has(app) || month.endsWith(":0")) return;
        const d = doc.d;
        if (!d || typeof d !== "object") return;
        for (const [dayKey, value] of Object.entries(d as Record<string, unknown>)) {
          const day = dayFromMonthAndKey(month, dayKey);
          if (!day || !inPeriod(day, scope.period) || !value || typeof value !== "object") continue;
          const v = value as Record<string, unknown>;
          if (segment === NO_SEGMENT) {
            const id = `${app}\u0000${key}\u0000${day}`;
            let t = totals.get(id);
            if (!t) {
              t = { app, key, day, c: 0, s: 0, dur: 0 };
              totalMeter.add();
            }
            t.c += num(v.c);
            t.s += num(v.s);
            t.dur += num(v.dur);
            totals.set(id, t);
          } else {
            const id = `${app}\u0000${key}\u0000${day}\u0000${segment}`;
            let row = segments.get(id);
            if (!row) {
              row = { app, key, day, segment, c: 0, s: 0, dur: 0, values: 0 };
              segmentMeter.add();
            }
            for (const counters of Object.values(v)) {
              if (!counters || typeof counters !== "object") continue;
              const cv = counters as Record<string, unknown>;
              row.c += num(cv.c);
              row.s += num(cv.s);
              row.dur += num(cv.dur);
              row.values++;
            }
            segments.set(id, row);
          }
        }
      },
      finish: () => ({
        totals: sortRows([...totals.values()]),
        segments: sortRows([...segments.values()]).sort((a, b) => (a.app === b.app && a.key === b.key && a.day === b.day ? (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0) : 0)),
        unattributed: [...unattributed].sort(),
      }),
    });
  },
};
