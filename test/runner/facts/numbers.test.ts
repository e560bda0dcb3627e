// runner/facts/numbers.ts: the one conversion of BSON numbers every reader shares, from decoded
// values and from a dump document's bytes (the byte readers must give what the value rules give).
import { BSON, Decimal128, Double, Int32, Long } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { insertTime, insertTimeAt, num, numAt, numeric, rawCount, rawCountAt, rawTimestamp, rawTimestampAt } from "../../../runner/facts/numbers.ts";
import { DocFields, FieldLayout } from "../../../runner/sources/dump/bson-fields.ts";

describe("bsonNumber / num / rawCount", () => {
  it("read every BSON numeric type as its number", () => {
    for (const v of [20, new Int32(20), new Double(20), Long.fromNumber(20), Decimal128.fromString("20"), Decimal128.fromString("2.0E+1")]) {
      expect(numeric(v)).toBe(20);
      expect(num(v)).toBe(20);
      expect(rawCount(v)).toBe(20);
    }
    expect(num(Decimal128.fromString("2.5"))).toBe(2.5);
    expect(rawCount(Decimal128.fromString("2.5"))).toBe(2);
    expect(numeric(Long.fromString("9007199254740993"))).toBe(9007199254740992);
  });

  it("keep a NaN decimal NaN for the counter checks, and read it as not sent where Countly counts", () => {
    expect(numeric(Decimal128.fromString("NaN"))).toBeNaN();
    expect(num(Decimal128.fromString("NaN"))).toBe(0);
    expect(rawCount(Decimal128.fromString("NaN"))).toBe(1);
    expect(num(Decimal128.fromString("Infinity"))).toBe(0);
  });

  it("leave non-numbers alone", () => {
    for (const v of ["20", null, undefined, true, {}, [], new Date(0)]) expect(numeric(v)).toBeNaN();
    expect(num("20")).toBe(0);
    expect(rawCount("20")).toBe(20);
  });
});

describe("timestamps out of the Date range", () => {
  it("are no insertion time instead of an invalid Date, and a raw ts problem of that document", () => {
    for (const v of [1e20, -1e20, Number.NaN, Infinity, 9e15]) {
      expect(insertTime(v)).toBeUndefined();
      expect(() => rawTimestamp(v)).toThrow(/is not a time/);
    }
    expect(rawTimestamp(1_700_000_000)).toBe(1_700_000_000_000);
    expect(insertTime(8.64e15)).toBe(8.64e15);
  });
});

describe("the byte readers (numAt, rawCountAt, rawTimestampAt, insertTimeAt) give what the value rules give", () => {
  const seed = 20261201;
  const fields = new DocFields(new FieldLayout({ v: true }));
  const V = fields.layout.slot("v");
  /** The rule on the decoded value and the byte reader on the document { v } (no `v` at all for undefined). */
  const both = <T>(v: unknown, rule: (x: unknown) => T, at: (d: DocFields, slot: number) => T): [T | string, T | string] => {
    const bytes = BSON.serialize(v === undefined ? { w: 1 } : { v });
    fields.load(bytes, 0, bytes.length);
    const run = (f: () => T): T | string => {
      try {
        return f();
      } catch (e) {
        return `throws ${(e as Error).name}`;
      }
    };
    return [run(() => rule(BSON.deserialize(bytes)["v"])), run(() => at(fields, V))];
  };
  const same = (pair: [unknown, unknown]): void => {
    if (!Object.is(pair[0], pair[1])) expect(pair[1]).toEqual(pair[0]);
  };
  const ms = 1_700_000_000_123;
  const edge = [
    undefined, null, true, "", "3", "2.5", " 7 ", "abc", "1700000000000", ms, ms / 1000, 1_700_000_000, new Int32(1_700_000_000), new Int32(0), new Int32(-4),
    Long.fromNumber(ms), Long.fromString("9007199254740993"), Long.fromString("-9223372036854775808"), Long.fromNumber(0), new Double(2.5), new Double(-0), new Double(NaN),
    new Double(Infinity), -Infinity, 1e20, -1e20, 9e15, 8.64e15, -8.64e15, 99_999_999_999, 100_000_000_000, Decimal128.fromString("20"), Decimal128.fromString("2.5"),
    Decimal128.fromString("NaN"), Decimal128.fromString("-Infinity"), Decimal128.fromString("1700000000123"), Decimal128.fromString("1E+30"), new Date(ms), new Date(0),
    new Date(-1), new Date(99_999_999_999), new Date(8.64e15), new Date(NaN), { c: 1 }, [1],
  ];
  it("for ts, c, s, dur and cd stored as every numeric type, Decimal128, dates, strings, null or missing", () => {
    for (const v of edge) {
      same(both(v, num, numAt));
      same(both(v, rawCount, rawCountAt));
      same(both(v, insertTime, insertTimeAt));
      same(both(v, rawTimestamp, rawTimestampAt));
    }
    // seconds become ms, ms stay ms, a date is its ms
    expect(both(1_700_000_000, rawTimestamp, rawTimestampAt)).toEqual([1_700_000_000_000, 1_700_000_000_000]);
    expect(both(new Int32(1_700_000_000), rawTimestamp, rawTimestampAt)[1]).toBe(1_700_000_000_000);
    expect(both(Long.fromNumber(ms), rawTimestamp, rawTimestampAt)[1]).toBe(ms);
    expect(both(new Date(ms), rawTimestamp, rawTimestampAt)[1]).toBe(ms);
    expect(both("1700000000000", rawTimestamp, rawTimestampAt)[1]).toBeUndefined();
    expect(both(1e20, rawTimestamp, rawTimestampAt)[1]).toBe("throws DocumentProblem");
    expect(both(Decimal128.fromString("2.5"), rawCount, rawCountAt)[1]).toBe(2);
    expect(both("3", rawCount, rawCountAt)[1]).toBe(3);
    expect(both(null, rawCount, rawCountAt)[1]).toBe(1);
  });

  it(`for generated values (seed ${seed})`, () => {
    const arb = fc.oneof(
      fc.double().map((d) => new Double(d)),
      fc.integer().map((i) => new Int32(i)),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => Long.fromBigInt(b)),
      fc.integer({ min: -8.7e15, max: 8.7e15 }).map((t) => (Math.abs(t) > 8.64e15 ? new Date(NaN) : new Date(t))),
      fc.integer({ min: -8.7e15, max: 8.7e15 }).map((t) => Long.fromNumber(t)),
      fc.double({ min: -2e11, max: 2e11 }),
      fc.double().map((d) => Decimal128.fromString(Number.isFinite(d) ? d.toExponential(12) : String(d))),
      fc.string({ maxLength: 12 }),
      fc.constantFrom(undefined, null, true),
    );
    fc.assert(
      fc.property(arb, (v) => {
        same(both(v, num, numAt));
        same(both(v, rawCount, rawCountAt));
        same(both(v, insertTime, insertTimeAt));
        same(both(v, rawTimestamp, rawTimestampAt));
      }),
      { seed, numRuns: 2000 },
    );
  });
});
