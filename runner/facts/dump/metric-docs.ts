// What the metric-style collections (`countly.users`, `countly.sources`, ...) share:
// `<appId>_<YYYY:M>_<postfix>` month documents with `d.<day>....` trees.
import { parseMetricId } from "../../../countly/ids.ts";
import { dayFromMonthAndKey, inPeriod, type Day } from "../../../countly/time.ts";
import type { Catalog, CollectionRef } from "../collector.ts";
import type { FactScope } from "../types.ts";

/** The named `countly` collection when the source has it, else nothing to read. */
export function countlyCollection(scope: FactScope, catalog: Catalog, name: string): CollectionRef[] {
  return (catalog.collections[scope.databases.countly] ?? []).includes(name) ? [{ db: scope.databases.countly, name }] : [];
}

/** Calls `visit` for each day of a month document of an app in `apps`, inside the scope's period. */
export function forEachMetricDay(doc: Record<string, unknown>, apps: ReadonlySet<string>, scope: FactScope, visit: (app: string, day: Day, value: Record<string, unknown>) => void): void {
  const id = parseMetricId(String(doc._id));
  if (!id || id.isZero || !apps.has(id.appId) || !doc.d || typeof doc.d !== "object") return;
  for (const [dayKey, value] of Object.entries(doc.d as Record<string, unknown>)) {
    const day = dayFromMonthAndKey(id.period, dayKey);
    if (!day || !inPeriod(day, scope.period) || !value || typeof value !== "object") continue;
    visit(id.appId, day, value as Record<string, unknown>);
  }
}
