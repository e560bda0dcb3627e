// Fact viewAggregates from a dump: visits per app and day from the views plugin's
// no-segment documents, and how many views each app lists.
import { sha1Hex } from "../../../countly/hash.ts";
import { COLLECTIONS } from "../../../countly/layout.ts";
import { NO_SEGMENT, parseViewDataId } from "../../../countly/ids.ts";
import { dayFromMonthAndKey, inPeriod } from "../../../countly/time.ts";
import { type CollectionRef, type DumpCollector, recordVisitor } from "../collector.ts";
import { isNumeric, num } from "../numbers.ts";
import type { ViewAggregateDay } from "../types.ts";
import { sortRows } from "./raw-events.ts";

export const viewAggregatesFromDump: DumpCollector<"viewAggregates"> = {
  fact: "viewAggregates",
  collections(scope, catalog) {
    const db = scope.databases.countly;
    const names = new Set(catalog.collections[db] ?? []);
    const refs: CollectionRef[] = [];
    if (scope.layout.views === "current") {
      for (const n of [COLLECTIONS.viewData, COLLECTIONS.viewsMeta]) if (names.has(n)) refs.push({ db, name: n });
    } else {
      for (const app of scope.apps) {
        for (const n of [`${COLLECTIONS.viewData}${sha1Hex(app.id)}`, `${COLLECTIONS.viewsMeta}${app.id}`]) if (names.has(n)) refs.push({ db, name: n });
      }
    }
    return refs;
  },
  fields: { _id: true, a: true, m: true, s: true, d: true },
  start(scope) {
    const apps = new Set(scope.apps.map((a) => a.id));
    const legacyData = new Map(scope.apps.map((a) => [`${COLLECTIONS.viewData}${sha1Hex(a.id)}`, a.id]));
    const days = new Map<string, ViewAggregateDay>();
    const metaCount: Record<string, number> = {};

    const addMonth = (app: string, month: string, d: unknown) => {
      if (!d || typeof d !== "object") return;
      for (const [dayKey, value] of Object.entries(d as Record<string, unknown>)) {
        const day = dayFromMonthAndKey(month, dayKey);
        if (!day || !inPeriod(day, scope.period) || !value || typeof value !== "object") continue;
        const id = `${app}\u0000${day}`;
        const row = days.get(id) ?? { app, day, visits: 0 };
        row.visits += dayVisits(value as Record<string, unknown>);
        days.set(id, row);
      }
    };

    return recordVisitor({
      visit(doc, from) {
        if (from.name === COLLECTIONS.viewsMeta || from.name.startsWith(COLLECTIONS.viewsMeta)) {
          const app = from.name === COLLECTIONS.viewsMeta ? (typeof doc.a === "string" ? doc.a : String(doc._id).split("_")[0]!) : from.name.slice(COLLECTIONS.viewsMeta.length);
          if (apps.has(app)) metaCount[app] = (metaCount[app] ?? 0) + 1;
          return;
        }
        if (from.name === COLLECTIONS.viewData) {
          const id = parseViewDataId(String(doc._id));
          if (!id || id.segment !== NO_SEGMENT || id.period.endsWith(":0") || !apps.has(id.appId)) return;
          addMonth(id.appId, id.period, doc.d);
          return;
        }
        const app = legacyData.get(from.name);
        if (!app || typeof doc.m !== "string" || doc.m.endsWith(":0")) return;
        addMonth(app, doc.m, doc.d);
      },
      finish: () => ({ days: sortRows([...days.values()]), metaCount }),
    });
  },
};

/** A day's visits: `d.<day>.t` when written, else the sum over the hours. */
function dayVisits(day: Record<string, unknown>): number {
  if (isNumeric(day.t)) return num(day.t);
  let sum = 0;
  for (const [k, v] of Object.entries(day)) if (/^\d{1,2}$/.test(k) && v && typeof v === "object") sum += num((v as Record<string, unknown>).t);
  return sum;
}
