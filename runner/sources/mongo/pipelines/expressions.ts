// Aggregation expressions that read raw drill values exactly as the dump collectors do
// in JavaScript (runner/facts/numbers.ts), i.e. as the driver would hand them over:
// int32, double and int64 within ±2^53 are numbers; everything else (decimal128, a
// larger int64, strings, booleans, dates...) is not a number.
import type { Document } from "mongodb";

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

/** numbers.ts `num`: a finite number or 0. */
export function num(x: Expr): Document {
  return { $cond: [isJsNumber(x), x, 0] };
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
        { case: isJsNumber(x), then: { $cond: [{ $eq: [x, 0] }, 1, { $trunc: [x, 0] }] } },
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

/** numbers.ts `rawTimestamp`: ms since epoch from a number (seconds below 1e11) or a date; null otherwise. */
export function timestampMs(x: Expr): Document {
  return {
    $switch: {
      branches: [
        { case: isJsNumber(x), then: { $cond: [{ $lt: [x, 1e11] }, { $multiply: [x, 1000] }, x] } },
        { case: typeIs(x, "date"), then: { $toLong: x } },
      ],
      default: null,
    },
  };
}

/** numbers.ts `insertTime` as a minute: floor(ms / 60000) of a date or finite number; null otherwise. */
export function insertMinute(x: Expr): Document {
  return {
    $switch: {
      branches: [
        { case: typeIs(x, "date"), then: { $floor: { $divide: [{ $toLong: x }, 60_000] } } },
        { case: isJsNumber(x), then: { $floor: { $divide: [x, 60_000] } } },
      ],
      default: null,
    },
  };
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
