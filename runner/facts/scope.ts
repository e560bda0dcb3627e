// Limits a fact to one app and period: every array of rows that carry `app` (and
// `day`) is filtered; other parts (global markers like maxCdMinute) are kept.
import { inPeriod, type Period } from "../../countly/time.ts";
import type { FactName, FactValues } from "./types.ts";

export function scopeFact<K extends FactName>(value: FactValues[K], appId: string, period: Period): FactValues[K] {
  if (Array.isArray(value)) return filterRows(value, appId, period) as FactValues[K];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as object)) out[k] = Array.isArray(v) ? filterRows(v, appId, period) : v;
  return out as unknown as FactValues[K];
}

function filterRows(rows: unknown[], appId: string, period: Period): unknown[] {
  return rows.filter((r) => {
    if (!r || typeof r !== "object" || !("app" in r)) return true;
    const row = r as { app: string; day?: string };
    return row.app === appId && (row.day === undefined || inPeriod(row.day, period));
  });
}
