// runner/facts/numbers.ts: the one conversion of BSON numbers every reader shares (decoded values; the byte readers are tested with the scanner).
import { Decimal128, Double, Int32, Long } from "bson";
import { describe, expect, it } from "vitest";
import { insertTime, num, numeric, rawCount, rawTimestamp } from "../../../runner/facts/numbers.ts";

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
