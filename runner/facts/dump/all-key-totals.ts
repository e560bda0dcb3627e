// Fact allKeyTotals from a dump: the all-events counters of the current layout,
// `<appId>_all_key_<YYYY:M>_<P(eventKey)>` documents with `d.<day>.<eventKey>.{c,s,dur}`
// (api/aggregator/usage.* processEventTotalsFromStream). The legacy layout has none:
// api/parts/data/events.js writes only the per-event `events<H>` collections.
import { dayFromMonthAndKey, inPeriod } from "../../../countly/time.ts";
import { type DumpCollector, recordVisitor } from "../collector.ts";
import { isNumeric, num } from "../numbers.ts";
import type { AllKeyDay, Counters } from "../types.ts";
import { EVENT_DOC_FIELDS, eventCollections, eventDocReader } from "./event-docs.ts";
import { sortRows } from "./raw-events.ts";

export const allKeyTotalsFromDump: DumpCollector<"allKeyTotals"> = {
  fact: "allKeyTotals",
  // The legacy layout has nothing to read.
  collections: (scope, catalog) => (scope.layout.events === "current" ? eventCollections(scope, catalog) : []),
  fields: { ...EVENT_DOC_FIELDS, d: true },
  start(scope, catalog) {
    const place = eventDocReader(scope, catalog);
    const rows = new Map<string, AllKeyDay>();
    const months = new Map<string, { app: string; month: string }>();
    return recordVisitor({
      visit(doc, from) {
        const p = place(doc, from);
        if (!p || p.key !== "all" || p.segment !== "key" || p.isZero) return;
        months.set(`${p.app}\u0000${p.month}`, { app: p.app, month: p.month });
        const d = doc.d;
        if (!d || typeof d !== "object") return;
        for (const [dayKey, value] of Object.entries(d as Record<string, unknown>)) {
          const day = dayFromMonthAndKey(p.month, dayKey);
          if (!day || !inPeriod(day, scope.period) || !value || typeof value !== "object") continue;
          // Some builds (api/aggregator/usage.js at 091d42b, processEventFromStream) incremented
          // the all_key document with the per-event object (`d.<day>.c` and hours), not per key:
          // such a day cannot be attributed to events and is left out.
          if (isNumeric((value as Record<string, unknown>).c)) continue;
          for (const [key, counters] of eventCounters(value as Record<string, unknown>, "")) {
            const id = `${p.app}\u0000${key}\u0000${day}`;
            const row = rows.get(id) ?? { app: p.app, key, day, c: 0, s: 0, dur: 0 };
            row.c += counters.c;
            row.s += counters.s;
            row.dur += counters.dur;
            rows.set(id, row);
          }
        }
      },
      finish: () => ({
        layout: scope.layout.events,
        rows: sortRows([...rows.values()]),
        months: [...months.values()].sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : a.month < b.month ? -1 : a.month > b.month ? 1 : 0)),
      }),
    });
  },
};

const COUNTER = new Set(["c", "s", "dur"]);

/**
 * `d.<day>` of an all_key document: event key -> counters. A key with dots was written as
 * a dotted path (`<key>.c`), so it nests; the nesting is followed back to the key.
 */
function eventCounters(day: Record<string, unknown>, prefix: string): [string, Counters][] {
  const out: [string, Counters][] = [];
  for (const [k, v] of Object.entries(day)) {
    if (!v || typeof v !== "object") continue;
    const node = v as Record<string, unknown>;
    // A counter is a leaf: a number of any BSON type (a Decimal128 is an object), not a nested key named c/s/dur.
    if (Object.keys(node).some((n) => COUNTER.has(n) && (typeof node[n] !== "object" || isNumeric(node[n])))) {
      out.push([prefix + k, { c: num(node.c), s: num(node.s), dur: num(node.dur) }]);
    }
    const deeper = Object.fromEntries(Object.entries(node).filter(([n]) => !COUNTER.has(n)));
    if (Object.keys(deeper).length > 0) out.push(...eventCounters(deeper, `${prefix}${k}.`));
  }
  return out;
}
