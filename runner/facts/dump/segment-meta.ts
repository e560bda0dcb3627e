// Fact segmentMeta from a dump: the segment values found in the segment month documents
// of each event (`<seg>_<YYYY:M>_<P>`, `d.<day>.<value>`), and the values the year's
// zero documents list (`no-segment_<YYYY:0>_<P>`, `meta_v2.<seg>.<value>: true`), each
// with the md5 postfix of the document it sits in.
import { NO_SEGMENT } from "../../../countly/ids.ts";
import { dayFromMonthAndKey, inPeriod } from "../../../countly/time.ts";
import { type DumpCollector, recordVisitor } from "../collector.ts";
import type { SegmentMetaValue, SegmentValueSeen } from "../types.ts";
import { EVENT_DOC_FIELDS, eventCollections, eventDocReader, yearInPeriod, yearOf } from "./event-docs.ts";

export const segmentMetaFromDump: DumpCollector<"segmentMeta"> = {
  fact: "segmentMeta",
  collections: eventCollections,
  fields: { ...EVENT_DOC_FIELDS, d: true, meta_v2: true },
  start(scope, catalog) {
    const place = eventDocReader(scope, catalog);
    const seen = new Map<string, SegmentValueSeen>();
    const meta = new Map<string, SegmentMetaValue>();
    return recordVisitor({
      visit(doc, from) {
        const p = place(doc, from);
        if (!p || p.key === "all") return;
        const year = yearOf(p.month);
        if (p.isZero) {
          if (p.segment !== NO_SEGMENT || !yearInPeriod(year, scope.period)) return;
          const m = doc.meta_v2;
          if (!m || typeof m !== "object") return;
          for (const [segment, values] of Object.entries(m as Record<string, unknown>)) {
            if (segment === "segments" || !values || typeof values !== "object") continue;
            for (const value of Object.keys(values as Record<string, unknown>)) {
              const id = `${p.app}\u0000${p.key}\u0000${segment}\u0000${value}\u0000${year}\u0000${p.postfix ?? ""}`;
              if (!meta.has(id)) meta.set(id, { app: p.app, key: p.key, segment, value, year, postfix: p.postfix ?? "" });
            }
          }
          return;
        }
        if (p.segment === NO_SEGMENT) return;
        const d = doc.d;
        if (!d || typeof d !== "object") return;
        for (const [dayKey, day] of Object.entries(d as Record<string, unknown>)) {
          const date = dayFromMonthAndKey(p.month, dayKey);
          if (!date || !inPeriod(date, scope.period) || !day || typeof day !== "object") continue;
          for (const [value, counters] of Object.entries(day as Record<string, unknown>)) {
            if (!counters || typeof counters !== "object") continue;
            const id = `${p.app}\u0000${p.key}\u0000${p.segment}\u0000${value}\u0000${year}\u0000${p.postfix ?? ""}`;
            const row = seen.get(id);
            if (!row) seen.set(id, { app: p.app, key: p.key, segment: p.segment, value, year, postfix: p.postfix ?? "", firstDay: date, lastDay: date });
            else {
              if (date < row.firstDay) row.firstDay = date;
              if (date > row.lastDay) row.lastDay = date;
            }
          }
        }
      },
      finish: () => ({ seen: [...seen.values()].sort(bySegmentValue), meta: [...meta.values()].sort(bySegmentValue) }),
    });
  },
};

type Row = { app: string; key: string; segment: string; value: string; year: number; postfix: string };

function bySegmentValue(a: Row, b: Row): number {
  for (const k of ["app", "key", "segment", "value"] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  if (a.year !== b.year) return a.year - b.year;
  return a.postfix < b.postfix ? -1 : a.postfix > b.postfix ? 1 : 0;
}
