// Fact sessionAggregates from a dump: `countly.users` sessions (`d.<day>.t`) per app
// and day, summed over a month's `<appId>_<YYYY:M>_<postfix>` documents (older
// `<appId>_<YYYY:M>` ids without a postfix are read too). Same in both layouts.
import { COLLECTIONS } from "../../../countly/layout.ts";
import { type DumpCollector, recordVisitor } from "../collector.ts";
import { isNumeric, num } from "../numbers.ts";
import type { SessionAggregateDay } from "../types.ts";
import { countlyCollection, forEachMetricDay } from "./metric-docs.ts";
import { sortRows } from "./raw-events.ts";

export const sessionAggregatesFromDump: DumpCollector<"sessionAggregates"> = {
  fact: "sessionAggregates",
  collections: (scope, catalog) => countlyCollection(scope, catalog, COLLECTIONS.users),
  fields: { _id: true, d: true },
  start(scope) {
    const apps = new Set(scope.apps.map((a) => a.id));
    const rows = new Map<string, SessionAggregateDay>();
    return recordVisitor({
      visit(doc) {
        forEachMetricDay(doc, apps, scope, (app, day, value) => {
          const key = `${app}\u0000${day}`;
          const row = rows.get(key) ?? { app, day, t: 0, docs: 0 };
          row.t += dayTotal(value);
          row.docs++;
          rows.set(key, row);
        });
      },
      finish: () => ({ days: sortRows([...rows.values()]) }),
    });
  },
};

/** `d.<day>.t` (common.fillTimeObjectMonth always writes it); the sum over the hours when only those are there. */
export function dayTotal(day: Record<string, unknown>, prop = "t"): number {
  if (isNumeric(day[prop])) return num(day[prop]);
  let sum = 0;
  for (const [k, v] of Object.entries(day)) if (/^\d{1,2}$/.test(k) && v && typeof v === "object") sum += num((v as Record<string, unknown>)[prop]);
  return sum;
}
