// Aggregation expressions that read raw drill values exactly as the dump collectors do
// in JavaScript (runner/facts/numbers.ts). Counters (num, rawCount) read every BSON
// numeric type, decimal128 and any int64 included, as a double (numbers.ts bsonNumber);
// `isJsNumber` is what the driver hands over as a JS number (int32, double, int64 within
// ±2^53), used where JavaScript's own typing matters (timestamps, truthiness).
import type { Document } from "mongodb";
import { MAX_DATE_MS } from "../../../facts/numbers.ts";

type Expr = unknown;

const MAX_SAFE = 2 ** 53;

const typeIs = (x: Expr, t: string): Document => ({ $eq: [{ $type: x }, t] });

/** `typeof v === "number" && Number.isFinite(v)` after the driver's promotion. */
export function isJsNumber(x: Expr): Document {
  return {
    $switch: {
      branches: [
        { case: typeIs(x, "int"), then: true },
        // NaN sorts below every number on the server, so it fails the first comparison.
        { case: typeIs(x, "double"), then: { $and: [{ $gt: [x, -Infinity] }, { $lt: [x, Infinity] }] } },
        { case: typeIs(x, "long"), then: { $and: [{ $gte: [x, -MAX_SAFE] }, { $lte: [x, MAX_SAFE] }] } },
      ],
      default: false,
    },
  };
}

/** numbers.ts `bsonNumber`: any numeric type as a double (decimal128 NaN stays NaN), else null. */
export function numberOf(x: Expr): Document {
  return { $cond: [{ $in: [{ $type: x }, ["int", "long", "double", "decimal"]] }, { $toDouble: x }, null] };
}

/** A finite double: NaN sorts below every number on the server, so it fails the first comparison. */
function finite(x: Expr): Document {
  return { $and: [{ $ne: [x, null] }, { $gt: [x, -Infinity] }, { $lt: [x, Infinity] }] };
}

/** numbers.ts `num`: a finite number (of any numeric type) or 0. */
export function num(x: Expr): Document {
  return { $let: { vars: { n: numberOf(x) }, in: { $cond: [finite("$$n"), "$$n", 0] } } };
}

/**
 * numbers.ts `rawCount`: `c || 1` then parseInt-like truncation; a missing, zero or
 * non-numeric count is 1. Strings are converted on the server like `Number(text)`
 * (after trimming); JavaScript's hex/binary/octal literals ("0x10") are the one
 * difference: the server does not parse them and they count 1.
 */
export function rawCount(x: Expr): Document {
  return {
    $switch: {
      branches: [
        { case: finite(numberOf(x)), then: { $cond: [{ $eq: [x, 0] }, 1, { $trunc: [{ $toDouble: x }, 0] }] } },
        {
          case: typeIs(x, "string"),
          then: {
            $let: {
              vars: { n: { $convert: { input: { $trim: { input: x } }, to: "double", onError: null, onNull: null } } },
              in: {
                $cond: [
                  { $and: [{ $ne: ["$$n", null] }, { $ne: ["$$n", 0] }, { $gt: ["$$n", -Infinity] }, { $lt: ["$$n", Infinity] }] },
                  { $trunc: ["$$n", 0] },
                  1,
                ],
              },
            },
          },
        },
      ],
      default: 1,
    },
  };
}

/** `x` when within the JavaScript Date range (numbers.ts MAX_DATE_MS), else null. */
function inDateRange(x: Expr): Document {
  return { $cond: [{ $and: [{ $gte: [x, -MAX_DATE_MS] }, { $lte: [x, MAX_DATE_MS] }] }, x, null] };
}

/** numbers.ts `rawTimestamp`: ms since epoch from a number (seconds below 1e11) or a date; null otherwise (also out of the Date range). */
export function timestampMs(x: Expr): Document {
  return {
    $switch: {
      branches: [
        { case: isJsNumber(x), then: inDateRange({ $cond: [{ $lt: [x, 1e11] }, { $multiply: [x, 1000] }, x] }) },
        { case: typeIs(x, "date"), then: inDateRange({ $toLong: x }) },
      ],
      default: null,
    },
  };
}

/** numbers.ts `insertTime` in ms: a date or a finite number within the Date range; null otherwise. */
export function insertMs(x: Expr): Document {
  return {
    $switch: {
      branches: [
        { case: typeIs(x, "date"), then: inDateRange({ $toLong: x }) },
        { case: isJsNumber(x), then: inDateRange(x) },
      ],
      default: null,
    },
  };
}

/** numbers.ts `insertTime` as a minute: floor(ms / 60000); null when there is no insertion time. */
export function insertMinute(x: Expr): Document {
  return { $let: { vars: { ms: insertMs(x) }, in: { $cond: [{ $eq: ["$$ms", null] }, null, { $floor: { $divide: ["$$ms", 60_000] } }] } } };
}

/** JavaScript truthiness of a value (`if (v)`): false, null, missing, 0, NaN and "" are false. */
export function jsTruthy(x: Expr): Document {
  return {
    $switch: {
      branches: [
        { case: { $in: [{ $type: x }, ["missing", "null", "undefined"]] }, then: false },
        // NaN equals NaN in MongoDB's comparisons (and in mingo's); ±Infinity are truthy.
        { case: { $eq: [x, Number.NaN] }, then: false },
        { case: typeIs(x, "bool"), then: x },
        // A decimal128 or an int64 beyond ±2^53 is an object in JavaScript, hence truthy.
        { case: isJsNumber(x), then: { $ne: [x, 0] } },
        { case: typeIs(x, "string"), then: { $ne: [x, ""] } },
      ],
      default: true,
    },
  };
}

/** `typeof v === "string" ? v : otherwise`. */
export function stringOr(x: Expr, otherwise: Expr): Document {
  return { $cond: [typeIs(x, "string"), x, otherwise] };
}

/** `v` when it is an embedded document, else null (JavaScript's `doc.sg?.visit` on a string or an array is undefined). */
export function objectField(parent: string, field: string): Document {
  return { $cond: [typeIs(`$${parent}`, "object"), `$${parent}.${field}`, null] };
}
