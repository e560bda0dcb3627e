import { BSON, Binary, Decimal128, Double, Int32, Long, ObjectId, Timestamp } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Canonicalizer, CanonicalError, digestString, formatId, idHash32, idKeyOf, idValue } from "../../../runner/diff/canonical.ts";

const c = new Canonicalizer();
const SEED = 20261125;
console.log(`canonical form properties: fast-check seed ${SEED}`);

function withoutNegativeZero(v: unknown): unknown {
  if (Object.is(v, -0)) return 0;
  if (Array.isArray(v)) return v.map(withoutNegativeZero);
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutNegativeZero(x)]));
  return v;
}

function digest(doc: Record<string, unknown>): string {
  const bytes = BSON.serialize(doc);
  const out = new Uint32Array(4);
  c.digestInto(bytes, 0, bytes.length, out);
  return digestString(out);
}

function canonicalValue(doc: Record<string, unknown>): Record<string, unknown> {
  const bytes = BSON.serialize(doc);
  return BSON.deserialize(c.canonical(bytes, 0, bytes.length));
}

describe("canonical form", () => {
  it("ignores field order at every depth, keeps array order", () => {
    const a = { _id: "x", b: 1, a: { y: [1, { q: 1, p: 2 }], x: "s" } };
    const b = { a: { x: "s", y: [1, { p: 2, q: 1 }] }, _id: "x", b: 1 };
    expect(digest(a)).toBe(digest(b));
    expect(digest({ _id: "x", l: [1, 2] })).not.toBe(digest({ _id: "x", l: [2, 1] }));
    expect(Object.keys(canonicalValue(b))).toEqual(["_id", "a", "b"]);
  });

  it("compares numbers by value as MongoDB does: int32, int64, double alike; decimal128 apart", () => {
    const same = [new Int32(5), new Double(5), Long.fromNumber(5), 5];
    const digests = same.map((v) => digest({ _id: 1, n: v }));
    expect(new Set(digests).size).toBe(1);
    expect(digest({ _id: 1, n: 5 })).not.toBe(digest({ _id: 1, n: 6 }));
    expect(digest({ _id: 1, n: 5 })).not.toBe(digest({ _id: 1, n: Decimal128.fromString("5") }));
    expect(digest({ _id: 1, n: new Double(-0) })).toBe(digest({ _id: 1, n: 0 }));
    expect(digest({ _id: 1, n: 2 ** 60 })).toBe(digest({ _id: 1, n: Long.fromBigInt(2n ** 60n) }));
    // beyond 2^53 and not a double: stays an int64, distinct from its nearest double
    expect(digest({ _id: 1, n: Long.fromBigInt(2n ** 60n + 1n) })).not.toBe(digest({ _id: 1, n: 2 ** 60 }));
    expect(canonicalValue({ n: Long.fromBigInt(2n ** 60n + 1n) }).n).toEqual(Long.fromBigInt(2n ** 60n + 1n));
    expect(digest({ _id: 1, n: Number.NaN })).toBe(digest({ _id: 1, n: new Double(Number.NaN) }));
  });

  it("keeps every other type byte for byte", () => {
    const oid = new ObjectId("650000000000000000000001");
    const doc = { _id: oid, s: "é", d: new Date(1717000000123), b: new Binary(new Uint8Array([1, 2, 3]), 4), t: new Timestamp({ t: 1, i: 2 }), r: /a.b/i, u: null, y: true };
    expect(canonicalValue(doc)).toEqual(BSON.deserialize(BSON.serialize(doc)));
    expect(digest(doc)).not.toBe(digest({ ...doc, s: "e" }));
    expect(digest(doc)).not.toBe(digest({ ...doc, y: false }));
    expect(digest({ _id: 1, v: null })).not.toBe(digest({ _id: 1 }));
    expect(digest({ _id: 1, v: "1" })).not.toBe(digest({ _id: 1, v: 1 }));
  });

  it("property: any shuffle of fields at any depth gives the same digest and a canonical form equal in value", () => {
    const leaf = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.string(), fc.boolean(), fc.constant(null));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("obj"), tie("arr")),
      obj: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !k.includes("\u0000") && !k.startsWith("$") && !k.includes(".")), tie("tree"), { maxKeys: 5 }),
      arr: fc.array(tie("tree"), { maxLength: 4 }),
    }));
    const shuffle = (v: unknown, seed: number): unknown => {
      if (Array.isArray(v)) return v.map((x, i) => shuffle(x, seed + i));
      if (v && typeof v === "object") {
        const keys = Object.keys(v);
        const rotated = keys.slice(seed % Math.max(1, keys.length)).concat(keys.slice(0, seed % Math.max(1, keys.length))).reverse();
        return Object.fromEntries(rotated.map((k) => [k, shuffle((v as Record<string, unknown>)[k], seed + k.length)]));
      }
      return v;
    };
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !k.includes("\u0000") && !k.startsWith("$") && !k.includes(".")), tree, { maxKeys: 6 }), fc.nat(), (doc, seed) => {
        const shuffled = shuffle(doc, seed) as Record<string, unknown>;
        expect(digest(shuffled)).toBe(digest(doc));
        // equal in value: the canonical form turns -0 into 0, as MongoDB compares numbers
        expect(canonicalValue(shuffled)).toEqual(withoutNegativeZero(BSON.deserialize(BSON.serialize(doc))));
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it("names ids: canonical, decodable, readable", () => {
    expect(idKeyOf(new Int32(7))).toBe(idKeyOf(7));
    expect(idKeyOf(Long.fromNumber(7))).toBe(idKeyOf(7.0));
    expect(idKeyOf("7")).not.toBe(idKeyOf(7));
    expect(idKeyOf({ b: 1, a: 2 })).toBe(idKeyOf({ a: 2, b: 1 }));
    expect(formatId(idKeyOf("65f_abc"))).toBe('"65f_abc"');
    expect(formatId(idKeyOf(new ObjectId("650000000000000000000001")))).toBe('ObjectId("650000000000000000000001")');
    expect(formatId(idKeyOf(new Int32(7)))).toBe("7");
    expect(formatId(idKeyOf({ b: 1, a: "x" }))).toBe('{"a":"x","b":1}');
    expect(idValue(idKeyOf("abc"))).toBe("abc");
    const bytes = BSON.serialize({ x: 1 });
    expect(c.idOf(bytes, 0, bytes.length)).toBe("");
    expect(formatId("")).toBe("(no _id)");
    const withId = BSON.serialize({ x: 1, _id: "late" });
    expect(c.idHashOf(withId, 0, withId.length)).toBe(idHash32(idKeyOf("late")));
  });

  it("rejects malformed documents instead of running past them", () => {
    const good = BSON.serialize({ _id: "a", s: "hello" });
    const bad = Uint8Array.from(good);
    bad[11] = 0x40; // string length far beyond the document
    expect(() => c.canonical(bad, 0, bad.length)).toThrow(CanonicalError);
    const unknownType = Uint8Array.from(good);
    unknownType[4] = 0x42;
    expect(() => c.canonical(unknownType, 0, unknownType.length)).toThrow(/unknown BSON type 0x42/);
    expect(() => c.canonical(good, 0, good.length - 1)).toThrow(CanonicalError);
  });

  it("handles documents larger than the initial buffer", () => {
    const big = { _id: "big", s: "x".repeat(300_000), l: Array.from({ length: 2000 }, (_, i) => ({ i, z: 1, a: 2 })) };
    expect(canonicalValue(big)).toEqual(BSON.deserialize(BSON.serialize({ _id: "big", l: big.l.map(({ i }) => ({ a: 2, i, z: 1 })), s: big.s })));
  });
});
