// runner/facts/numbers.ts: the one conversion of BSON numbers every reader shares.
import { Decimal128, Double, Int32, Long } from "bson";
import { describe, expect, it } from "vitest";
import { bsonNumber, insertTime, num, rawCount, rawTimestamp, withPlainNumbers } from "../../../runner/facts/numbers.ts";

describe("bsonNumber / num / rawCount", () => {
  it("read every BSON numeric type as its number", () => {
    for (const v of [20, new Int32(20), new Double(20), Long.fromNumber(20), Decimal128.fromString("20"), Decimal128.fromString("2.0E+1")]) {
      expect(bsonNumber(v)).toBe(20);
      expect(num(v)).toBe(20);
      expect(rawCount(v)).toBe(20);
    }
    expect(num(Decimal128.fromString("2.5"))).toBe(2.5);
    expect(rawCount(Decimal128.fromString("2.5"))).toBe(2);
    expect(bsonNumber(Long.fromString("9007199254740993"))).toBe(9007199254740992);
  });

  it("keep a NaN decimal NaN for the counter checks, and read it as not sent where Countly counts", () => {
    expect(bsonNumber(Decimal128.fromString("NaN"))).toBeNaN();
    expect(num(Decimal128.fromString("NaN"))).toBe(0);
    expect(rawCount(Decimal128.fromString("NaN"))).toBe(1);
    expect(num(Decimal128.fromString("Infinity"))).toBe(0);
  });

  it("leave non-numbers alone", () => {
    for (const v of ["20", null, undefined, true, {}, [], new Date(0)]) expect(bsonNumber(v)).toBeUndefined();
    expect(num("20")).toBe(0);
    expect(rawCount("20")).toBe(20);
  });
});

describe("withPlainNumbers", () => {
  it("replaces number wrappers at any depth and keeps everything else", () => {
    const date = new Date(5);
    const doc = { _id: "x", d: { "1": { c: Decimal128.fromString("20"), s: Decimal128.fromString("NaN"), list: [Long.fromNumber(3)] } }, when: date, name: "n" };
    const out = withPlainNumbers(doc);
    expect(out.d["1"].c).toBe(20);
    expect(out.d["1"].s).toBeNaN();
    expect(out.d["1"].list).toEqual([3]);
    expect(out.when).toBe(date);
    expect(out.name).toBe("n");
    // The input is not modified.
    expect(doc.d["1"].c).toBeInstanceOf(Decimal128);
  });
});

describe("timestamps out of the Date range", () => {
  it("are no time at all instead of an invalid Date", () => {
    for (const v of [1e20, -1e20, Number.NaN, Infinity, 9e15]) {
      expect(rawTimestamp(v)).toBeUndefined();
      expect(insertTime(v)).toBeUndefined();
    }
    expect(rawTimestamp(1_700_000_000)).toBe(1_700_000_000_000);
    expect(insertTime(8.64e15)).toBe(8.64e15);
    expect(insertTime(new Date(Number.NaN))).toBeUndefined();
  });
});
