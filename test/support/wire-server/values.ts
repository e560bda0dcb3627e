/**
 * Value normalisation between BSON and what mingo understands.
 *
 * mingo works on plain JS values. BSON number wrappers (Int32, Double, Long, Decimal128)
 * are opaque objects to it: `$sum` ignores them and sorting compares their strings.
 * Every document and command therefore goes through a BSON round trip with
 * `promoteValues: true` (Int32/Double -> number, Long -> number when it fits in 53 bits),
 * followed by `toPlainNumbers` for what the round trip leaves behind (Decimal128,
 * and wrapper objects handed to us directly).
 *
 * ObjectId and Date are kept as they are: mingo compares ObjectIds through their
 * `toString()` (24 hex chars, so equality and ordering among ObjectIds are right).
 */
import { BSONValue, Decimal128, Double, Int32, Long, ObjectId, Timestamp, deserialize, serialize } from "bson";
import type { Document } from "bson";
import { DESERIALIZE_OPTIONS } from "./protocol.ts";

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Long -> number when exactly representable; otherwise the Long itself (mingo will mis-handle it). */
function longToNumber(v: Long): number | Long {
  const big = v.toBigInt();
  return big <= MAX_SAFE && big >= -MAX_SAFE ? Number(big) : v;
}

/**
 * Decimal128 -> number when a double holds it faithfully: finite and at most 15
 * significant digits (any such decimal survives decimal -> double -> decimal).
 */
function decimalToNumber(v: Decimal128): number | Decimal128 {
  const s = v.toString();
  if (s === "NaN" || s === "-NaN") return Number.NaN;
  if (s === "Infinity") return Number.POSITIVE_INFINITY;
  if (s === "-Infinity") return Number.NEGATIVE_INFINITY;
  const n = Number(s);
  if (!Number.isFinite(n)) return v;
  const digits = s.replace(/^-/, "").replace(/E.*$/i, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return digits.length <= 15 ? n : v;
}

/**
 * Deep-converts BSON number wrappers to JS numbers where that is exact. Plain objects
 * and arrays are copied; every other value (ObjectId, Date, Binary, RegExp...) is kept.
 */
export function toPlainNumbers(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(toPlainNumbers);
  if (value instanceof BSONValue) {
    // A Timestamp is a Long underneath (js-bson), but stays a Timestamp (oplog `ts`).
    if (value instanceof Timestamp) return value;
    if (value instanceof Long) return longToNumber(value);
    if (value instanceof Int32 || value instanceof Double) return value.valueOf();
    if (value instanceof Decimal128) return decimalToNumber(value);
    return value;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlainNumbers(v);
    return out;
  }
  // Foreign BSON wrappers (another copy of the bson package) are recognised by _bsontype.
  const tag = (value as { _bsontype?: unknown })._bsontype;
  if (tag === "Long" || tag === "Int32" || tag === "Double" || tag === "Decimal128") {
    return toPlainNumbers(deserialize(serialize({ v: value }), DESERIALIZE_OPTIONS).v);
  }
  return value;
}

/**
 * Prepares a document for storage the way an insert into MongoDB would: `_id` is added
 * (an ObjectId) when missing and moved to the front, the value goes through a BSON round
 * trip (so it must be serialisable), and numbers are made plain.
 */
export function normalizeDocument(doc: Record<string, unknown>): Document {
  const { _id, ...rest } = doc;
  const withId = { _id: _id === undefined ? new ObjectId() : _id, ...rest };
  const roundTripped = deserialize(serialize(withId), DESERIALIZE_OPTIONS);
  return toPlainNumbers(roundTripped) as Document;
}

/** Deep copy of plain objects, arrays and Dates; other objects (ObjectId, Binary...) are shared. */
export function cloneValue<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cloneValue(v);
    return out as T;
  }
  return value;
}

/** Approximate BSON size of a document (used for sizeOnDisk). */
export function bsonSize(doc: Document): number {
  return serialize(doc).length;
}
