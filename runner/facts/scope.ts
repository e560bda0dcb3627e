// Limits a fact to one app and period: every array of rows that carry `app` (and
// `day`) is filtered; other parts (global markers like maxCdMinute) are kept.
//
// Linear in apps: each array of rows is indexed by app once (on the first case that asks),
// so a (check, app) case touches only its app's rows instead of re-filtering all of them;
// rows a fact keeps as columns (group-rows.ts) are made for the case's app alone, and only
// when the check reads them as rows (it may read them as columns: rowColumns).
import { inPeriod, type Period } from "../../countly/time.ts";
import { defineScopedRows, rowsByApp } from "./group-rows.ts";
import type { FactName, FactValues } from "./types.ts";

type Row = { app?: unknown; day?: string };

/** Rows by app, for arrays whose every row names its app; null for arrays that also hold other rows (filtered whole). */
const indexes = new WeakMap<readonly unknown[], Map<string, Row[]> | null>();

export function scopeFact<K extends FactName>(value: FactValues[K], appId: string, period: Period): FactValues[K] {
  if (Array.isArray(value)) return filterRows(value, appId, period) as FactValues[K];
  const out: Record<string, unknown> = {};
  let scoped = false;
  for (const k of Object.keys(value as object)) {
    // rows kept as columns are made for this app only (group-rows.ts), never all of them
    const columns = rowsByApp(value as object, k);
    if (columns) {
      defineScopedRows(out, k, columns, appId, period);
      scoped = true;
      continue;
    }
    const v = (value as unknown as Record<string, unknown>)[k];
    scoped ||= Array.isArray(v);
    out[k] = Array.isArray(v) ? filterRows(v, appId, period) : v;
  }
  // nothing to limit (no rows): the fact itself, so what a check derives from it once (the profile) serves every case
  return scoped ? (out as unknown as FactValues[K]) : value;
}

function filterRows(rows: readonly unknown[], appId: string, period: Period): unknown[] {
  let index = indexes.get(rows);
  if (index === undefined) {
    index = indexByApp(rows);
    indexes.set(rows, index);
  }
  const candidates: readonly unknown[] = index === null ? rows : (index.get(appId) ?? []);
  const open = period.from === undefined && period.to === undefined;
  if (index !== null && open) return candidates.slice();
  return candidates.filter((r) => {
    if (!r || typeof r !== "object" || !("app" in r)) return true;
    const row = r as { app: string; day?: string };
    return row.app === appId && (row.day === undefined || inPeriod(row.day, period));
  });
}

function indexByApp(rows: readonly unknown[]): Map<string, Row[]> | null {
  const index = new Map<string, Row[]>();
  for (const r of rows) {
    if (!r || typeof r !== "object" || !("app" in r)) return null;
    const row = r as Row;
    const app = String(row.app);
    if (typeof row.app !== "string") return null;
    let list = index.get(app);
    if (list === undefined) index.set(app, (list = []));
    list.push(row);
  }
  return index;
}
