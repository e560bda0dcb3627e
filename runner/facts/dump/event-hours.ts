// Fact eventHours from a dump: per no-segment month document and day, the day's c/s/dur
// next to the sum over its hour buckets (common.fillTimeObjectMonth writes both from
// the same increment, so they must agree).
import { NO_SEGMENT } from "../../../countly/ids.ts";
import { dayFromMonthAndKey, inPeriod } from "../../../countly/time.ts";
import { type DumpCollector, recordVisitor } from "../collector.ts";
import { num } from "../numbers.ts";
import type { EventHourDay } from "../types.ts";
import { EVENT_DOC_FIELDS, HOUR_KEY, eventCollections, eventDocReader } from "./event-docs.ts";
import { sortRows } from "./raw-events.ts";

export const eventHoursFromDump: DumpCollector<"eventHours"> = {
  fact: "eventHours",
  collections: eventCollections,
  fields: { ...EVENT_DOC_FIELDS, d: true },
  start(scope, catalog) {
    const place = eventDocReader(scope, catalog);
    const rows = new Map<string, EventHourDay>();
    return recordVisitor({
      visit(doc, from) {
        const p = place(doc, from);
        if (!p || p.isZero || p.segment !== NO_SEGMENT || p.key === "all") return;
        const d = doc.d;
        if (!d || typeof d !== "object") return;
        for (const [dayKey, value] of Object.entries(d as Record<string, unknown>)) {
          const day = dayFromMonthAndKey(p.month, dayKey);
          if (!day || !inPeriod(day, scope.period) || !value || typeof value !== "object") continue;
          const v = value as Record<string, unknown>;
          const id = `${p.app}\u0000${p.key}\u0000${day}`;
          // Two documents for one event and month only happen with duplicated ids; keep adding.
          const row = rows.get(id) ?? { app: p.app, key: p.key, day, c: 0, s: 0, dur: 0, hours: { c: 0, s: 0, dur: 0 }, hourBuckets: 0, doc: p.where };
          row.c += num(v.c);
          row.s += num(v.s);
          row.dur += num(v.dur);
          for (const [hour, bucket] of Object.entries(v)) {
            if (!HOUR_KEY.test(hour) || !bucket || typeof bucket !== "object") continue;
            const b = bucket as Record<string, unknown>;
            row.hours.c += num(b.c);
            row.hours.s += num(b.s);
            row.hours.dur += num(b.dur);
            row.hourBuckets++;
          }
          rows.set(id, row);
        }
      },
      finish: () => ({ rows: sortRows([...rows.values()]) }),
    });
  },
};
