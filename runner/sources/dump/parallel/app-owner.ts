// Which worker builds an app's facts. An app in scope goes to one worker, chosen by its
// place in the scope (so each worker gets about as many apps): the main thread sends a
// legacy per-event collection to its app's worker, and each document of the merged
// drill_events to the worker of its `a` (routeHint), which checks it.
import type { AppInfo } from "../../../facts/types.ts";
import { StringInterner } from "../bson-fields.ts";

/** The scope's app ids interned in scope order: id i is owned by worker i % jobs. */
export function scopeAppIds(apps: readonly AppInfo[]): StringInterner {
  const ids = new StringInterner();
  for (const a of apps) ids.add(a.id);
  return ids;
}

export function ownerOf(appId: number, jobs: number): number {
  return appId % jobs;
}

/** routeHint: `a` is a string naming no app in scope. */
export const NOT_IN_SCOPE = -1;
/** routeHint: `a` was not among the first elements, or is not a string: every worker looks. */
export const UNKNOWN = -2;

/**
 * Where the main thread sends a raw document: the scope id of its `a` (an app in scope),
 * NOT_IN_SCOPE or UNKNOWN. Only a hint, read from the headers of the document's first few
 * elements (Countly writes `_id` then `a`): the worker's scanner reads the document for real
 * and a wrong hint drops the parallel attempt (scan-worker.ts), so a hint never changes a
 * result. Elements of a type other than the common fixed-size ones and strings end the search.
 */
export function routeHint(b: Uint8Array, start: number, end: number, apps: StringInterner): number {
  const last = end - 1;
  let p = start + 4;
  for (let k = 0; k < 4 && p < last; k++) {
    const t = b[p]!;
    const ks = p + 1;
    let q = ks;
    while (q < last && b[q] !== 0) q++;
    if (q >= last) return UNKNOWN;
    const v = q + 1;
    if (q === ks + 1 && b[ks] === 0x61 /* "a" */) {
      if (t !== 2 || v + 4 > last) return UNKNOWN;
      const n = b[v]! | (b[v + 1]! << 8) | (b[v + 2]! << 16) | (b[v + 3]! << 24);
      if (n <= 0 || v + 4 + n > last) return UNKNOWN;
      const id = apps.find(b, v + 4, v + 3 + n);
      return id >= 0 ? id : NOT_IN_SCOPE;
    }
    const size = FIXED_SIZE[t]!;
    if (size >= 0) p = v + size;
    else if (t === 2 && v + 4 <= last) {
      const n = b[v]! | (b[v + 1]! << 8) | (b[v + 2]! << 16) | (b[v + 3]! << 24);
      if (n <= 0) return UNKNOWN;
      p = v + 4 + n;
    } else return UNKNOWN;
  }
  return UNKNOWN;
}

/** Value sizes of the fixed-size element types a raw document starts with (double, ObjectId, bool, date, null, int32, timestamp, int64); -1 for the others. */
const FIXED_SIZE = new Int8Array(256).fill(-1);
for (const [t, n] of [[1, 8], [7, 12], [8, 1], [9, 8], [10, 0], [16, 4], [17, 8], [18, 8]] as const) FIXED_SIZE[t] = n;
