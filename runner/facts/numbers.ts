// Counter values as Countly's aggregator reads them from raw documents.

/** A finite number or 0 (strings, null, NaN count as not sent). */
export function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** `c = c || 1; c = parseInt(c)` in api/aggregator/usage.*: a missing or zero count is 1. */
export function rawCount(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
  if (!Number.isFinite(n) || n === 0) return 1;
  return Math.trunc(n);
}

/** Raw `ts`: ms since epoch; Countly also accepted seconds (10 digits). */
export function rawTimestamp(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : v instanceof Date ? v.getTime() : NaN;
  if (!Number.isFinite(n)) return undefined;
  return n < 1e11 ? n * 1000 : n;
}

/** `cd` as epoch ms, or undefined. */
export function insertTime(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
