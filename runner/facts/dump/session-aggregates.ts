// Fact sessionAggregates from a dump: `countly.users` sessions (`d.<day>.t`) per app
// and day, summed over a month's `<appId>_<YYYY:M>_<postfix>` documents (older
// `<appId>_<YYYY:M>` ids without a postfix are read too). Same in both layouts.
import { COLLECTIONS } from "../../../countly/layout.ts";
import { parseMetricId } from "../../../countly/ids.ts";
import { dayFromMonthAndKey, inPeriod } from "../../../countly/time.ts";
import type { DumpCollector } from "../collector.ts";
import { num } from "../numbers.ts";
import type { SessionAggregateDay } from "../types.ts";
import { sortRows } from "./raw-events.ts";

export const sessionAggregatesFromDump: DumpCollector<"sessionAggregates"> = {
  fact: "sessionAggregates",
  collections: (scope, catalog) =>
    (catalog.collections[scope.databases.countly] ?? []).includes(COLLECTIONS.users) ? [{ db: scope.databases.countly, name: COLLECTIONS.users }] : [],
  fields: { _id: true, d: true },
  start(scope) {
    const apps = new Set(scope.apps.map((a) => a.id));
    const rows = new Map<string, SessionAggregateDay>();
    return {
      visit(doc) {
        const id = parseMetricId(String(doc._id));
        if (!id || id.isZero || !apps.has(id.appId) || !doc.d || typeof doc.d !== "object") return;
        for (const [dayKey, value] of Object.entries(doc.d as Record<string, unknown>)) {
          const day = dayFromMonthAndKey(id.period, dayKey);
          if (!day || !inPeriod(day, scope.period) || !value || typeof value !== "object") continue;
          const key = `${id.appId}\u0000${day}`;
          const row = rows.get(key) ?? { app: id.appId, day, t: 0, docs: 0 };
          row.t += dayTotal(value as Record<string, unknown>);
          row.docs++;
          rows.set(key, row);
        }
      },
      finish: () => ({ days: sortRows([...rows.values()]) }),
    };
  },
};

/** `d.<day>.t` (common.fillTimeObjectMonth always writes it); the sum over the hours when only those are there. */
export function dayTotal(day: Record<string, unknown>, prop = "t"): number {
  if (typeof day[prop] === "number") return num(day[prop]);
  let sum = 0;
  for (const [k, v] of Object.entries(day)) if (/^\d{1,2}$/.test(k) && v && typeof v === "object") sum += num((v as Record<string, unknown>)[prop]);
  return sum;
}
