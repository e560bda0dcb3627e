// Counter values as Countly's aggregator reads them from raw documents, from decoded
// values (cold paths, live rows) and straight from a dump document's bytes (DocFields).
import type { DocFields } from "../sources/dump/bson-fields.ts";
import { DocumentProblem } from "../sources/dump/bson-fields.ts";

/**
 * A decoded value as a number when it is one: a JS number, or one of bson's numeric
 * classes (Long beyond ±2^53, Decimal128 — "NaN" too —, unpromoted Int32/Double); else NaN.
 */
export function numeric(v: unknown): number {
  if (typeof v === "number") return v;
  return isNumeric(v) ? Number(String(v)) : NaN;
}

/** The value is a number of any BSON numeric type (NaN included). */
export function isNumeric(v: unknown): boolean {
  if (typeof v === "number") return true;
  if (v === null || typeof v !== "object") return false;
  const t = (v as { _bsontype?: unknown })._bsontype;
  return t === "Long" || t === "Int32" || t === "Double" || t === "Decimal128";
}

/** A finite number or 0 (strings, null, NaN count as not sent). */
export function num(v: unknown): number {
  const n = typeof v === "number" ? v : numeric(v);
  return Number.isFinite(n) ? n : 0;
}

/** `c = c || 1; c = parseInt(c)` in api/aggregator/usage.*: a missing or zero count is 1. */
export function rawCount(v: unknown): number {
  const n = typeof v === "string" ? Number(v) : numeric(v);
  return countOf(n);
}

function countOf(n: number): number {
  if (!Number.isFinite(n) || n === 0) return 1;
  return Math.trunc(n);
}

/** The largest |time value| a Date holds (ECMA-262 TimeClip); live pipelines bound times by it too. */
export const MAX_DATE_MS = 8.64e15;

/** Raw `ts`: ms since epoch; Countly also accepted seconds (10 digits). Undefined when `ts` is no number or date. */
export function rawTimestamp(v: unknown): number | undefined {
  if (v instanceof Date) return checkedTs(v.getTime(), v);
  return isNumeric(v) ? checkedTs(numeric(v), v) : undefined;
}

/**
 * A number or date `ts` that is no time at all (NaN, beyond any Date) would make every raw
 * check fail with a bare "Invalid time value": it is a problem of that document instead,
 * which the scanner reports with the collection, the document's `_id` and its offset.
 */
function checkedTs(n: number, shown: unknown): number {
  const ms = n < 1e11 ? n * 1000 : n;
  if (!(ms >= -MAX_DATE_MS && ms <= MAX_DATE_MS)) {
    throw new DocumentProblem(`raw event ts ${shown instanceof Date ? "(a date beyond the Date range)" : String(shown)} is not a time (ms since 1970, or seconds); fix or remove this document`);
  }
  return ms;
}

/** `cd` as epoch ms, or undefined (also a number beyond the Date range: `new Date(1e20)` is "Invalid time value"). */
export function insertTime(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  const n = numeric(v);
  return Number.isFinite(n) && Math.abs(n) <= MAX_DATE_MS ? n : undefined;
}

// The same rules read from the bytes of a dump document.

/** num() of a field. */
export function numAt(doc: DocFields, slot: number): number {
  const n = doc.numeric(slot);
  return n - n === 0 ? n : 0; // finite (NaN and ±Infinity give NaN)
}

/** rawCount() of a field. */
export function rawCountAt(doc: DocFields, slot: number): number {
  if (doc.type(slot) === 2) return countOf(Number(doc.string(slot)));
  return countOf(doc.numeric(slot));
}

/** rawTimestamp() of a field. */
export function rawTimestampAt(doc: DocFields, slot: number): number | undefined {
  const t = doc.type(slot);
  let n: number;
  if (t === 1 || t === 16 || t === 18 || t === 19) {
    n = doc.numeric(slot);
  } else if (t === 9) {
    const ms = doc.dateMsOrNaN(slot);
    if (!(ms <= MAX_DATE_MS && ms >= -MAX_DATE_MS)) return checkedTs(NaN, new Date(NaN));
    n = ms;
  } else {
    return undefined;
  }
  // checkedTs inline for the common case: a time in ms inside the Date range
  if (n >= 1e11 && n <= MAX_DATE_MS) return n;
  return checkedTs(n, n);
}

/** insertTime() of a field (a datetime beyond Date's range is NaN, as its invalid Date's getTime()). */
export function insertTimeAt(doc: DocFields, slot: number): number | undefined {
  const t = doc.type(slot);
  if (t === 9) {
    const ms = doc.dateMsOrNaN(slot);
    return ms <= MAX_DATE_MS && ms >= -MAX_DATE_MS ? ms : NaN;
  }
  const n = doc.numeric(slot);
  return n <= MAX_DATE_MS && n >= -MAX_DATE_MS ? n : undefined;
}
