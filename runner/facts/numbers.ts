// Counter values as Countly's aggregator reads them from raw documents, and the one
// conversion of BSON numbers every reader shares (dump decoders and live documents):
// int32, double, int64 and decimal128 are all numbers (issue 13: a counter stored as
// Decimal128("20") was read as 0).

/** Beyond this, `new Date(ms)` is an invalid date ("Invalid time value" on toISOString). */
export const MAX_DATE_MS = 8.64e15;

/**
 * Any BSON number as a JS number: JS numbers as they are; Int32, Double, Long (exact
 * within ±2^53, else the nearest double) and Decimal128 (the nearest double; NaN and
 * ±Infinity stay what they are) from their wrapper objects, recognised by `_bsontype`
 * so any copy of the bson package works. Anything else: undefined.
 */
export function bsonNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v !== null && typeof v === "object") {
    const t = (v as { _bsontype?: unknown })._bsontype;
    if (t === "Decimal128" || t === "Long" || t === "Int32" || t === "Double") return Number(String(v));
  }
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * A document with every BSON number wrapper (Decimal128, a Long beyond 2^53...) replaced
 * by its number, for visitors that expect numbers (the driver hands Decimal128 over as an
 * object). Plain objects and arrays are copied; Dates, ObjectIds and the rest are kept.
 */
export function withPlainNumbers<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(withPlainNumbers) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = withPlainNumbers(v);
    return out as T;
  }
  const n = bsonNumber(value);
  return (n === undefined ? value : n) as T;
}

/** A finite number (of any BSON numeric type) or 0 (strings, null, NaN count as not sent). */
export function num(v: unknown): number {
  const n = bsonNumber(v);
  return n !== undefined && Number.isFinite(n) ? n : 0;
}

/** `c = c || 1; c = parseInt(c)` in api/aggregator/usage.*: a missing or zero count is 1. */
export function rawCount(v: unknown): number {
  const n = typeof v === "string" ? Number(v) : (bsonNumber(v) ?? NaN);
  if (!Number.isFinite(n) || n === 0) return 1;
  return Math.trunc(n);
}

/** Raw `ts`: ms since epoch; Countly also accepted seconds (10 digits). Out of the Date range: undefined. */
export function rawTimestamp(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : v instanceof Date ? v.getTime() : NaN;
  if (!Number.isFinite(n)) return undefined;
  const ms = n < 1e11 ? n * 1000 : n;
  return Math.abs(ms) <= MAX_DATE_MS ? ms : undefined;
}

/** `cd` as epoch ms, or undefined (also when out of the Date range, e.g. 1e20). */
export function insertTime(v: unknown): number | undefined {
  const ms = v instanceof Date ? v.getTime() : typeof v === "number" ? v : NaN;
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? ms : undefined;
}
