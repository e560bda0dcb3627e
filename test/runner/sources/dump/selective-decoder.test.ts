import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  BSON,
  BSONError,
  BSONRegExp,
  Binary,
  DBRef,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  UUID,
} from "bson";
import { compileSelection, decodeSelected } from "../../../../runner/sources/dump/selective-decoder.ts";
import type { FieldSelection } from "../../../../runner/sources/dump/selective-decoder.ts";

const seed = 20261125;

// ---------------------------------------------------------------------------
// comparison helpers: toEqual, plus Object.is for every number (NaN, -0)

function numbersIdentical(a: unknown, b: unknown, path: string): void {
  if (typeof a === "number" || typeof b === "number") {
    if (!Object.is(a, b)) throw new Error(`${path}: ${String(a)} is not identical to ${String(b)}`);
    return;
  }
  if (a instanceof Date && b instanceof Date) {
    if (!Object.is(a.getTime(), b.getTime())) throw new Error(`${path}: dates differ`);
    return;
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) throw new Error(`${path}: prototypes differ`);
  if (Array.isArray(a) || Object.getPrototypeOf(a) === Object.prototype) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    expect(ka.sort()).toEqual(kb.sort());
    for (const k of ka) numbersIdentical((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
  }
}

function expectSame(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
  numbersIdentical(actual, expected, "$");
}

/** What `decodeSelected` should return: the projection of a full deserialize. */
function project(full: Record<string, unknown>, fields: FieldSelection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(fields)) {
    if (!Object.prototype.hasOwnProperty.call(full, k)) continue;
    const v = full[k];
    if (spec === true) {
      out[k] = v;
    } else if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      const sub: Record<string, unknown> = {};
      for (const s of spec) if (Object.prototype.hasOwnProperty.call(v, s)) sub[s] = (v as Record<string, unknown>)[s];
      out[k] = sub;
    } else {
      out[k] = v; // not an embedded document: whole value
    }
  }
  return out;
}

function tag(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : "number";
  if (typeof v === "string") return /[^\x00-\x7f]/.test(v) ? "non-ascii-string" : "string";
  if (typeof v !== "object") return typeof v;
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "Date";
  if (v instanceof RegExp) return "BSONRegExp-as-RegExp";
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt === "Binary" && v instanceof UUID) return "UUID";
  return bt ?? "object";
}

function decodeAll(bytes: Uint8Array, fields: FieldSelection): Record<string, unknown> {
  return decodeSelected(bytes, 0, bytes.length, compileSelection(fields));
}

// ---------------------------------------------------------------------------
// generators

const KEYS = ["_id", "a", "e", "n", "s", "sg", "sgx", "ts", "cd", "c", "dur", "up", "uid", "did", "lsid", "custom", "x", "é", "ключ", "😀"];
const SUB_KEYS = ["cc", "p", "av", "src", "s", "sg", "sgx", "la", "dt", "_os", "品牌"];

const arbString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.constantFrom("", "[CLY]_custom", "[CLY]_session", "💸 purchase", "naïve", "日本語", "\uFEFFbom", "\uFEFF" + "x".repeat(40), "a".repeat(70)),
  fc.string({ unit: "binary", maxLength: 80 }), // may contain lone surrogates -> U+FFFD on serialize
);

const arbLong = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => Long.fromBigInt(v)),
  fc.bigInt({ min: -(2n ** 53n) - 2n, max: -(2n ** 53n) + 2n }).map((v) => Long.fromBigInt(v)),
  fc.bigInt({ min: 2n ** 53n - 2n, max: 2n ** 53n + 2n }).map((v) => Long.fromBigInt(v)),
  fc.integer({ min: -1000, max: 1000 }).map((v) => Long.fromNumber(v)),
  fc.constantFrom(Long.MAX_VALUE, Long.MIN_VALUE, Long.fromNumber(0)),
);

const arbDouble = fc.oneof(
  fc.double(),
  { arbitrary: fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, 1.5, 2 ** 60), weight: 3 },
  fc.integer().map((v) => v + 0.5),
);

const arbDate = fc.oneof(
  fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)),
  fc.constantFrom(new Date(0), new Date(1700000000123), new Date(NaN)),
);

const arbScalar: fc.Arbitrary<unknown> = fc.oneof(
  arbString,
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((v) => new Int32(v)),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), // bson picks int32/double itself
  arbLong,
  { arbitrary: arbDouble.map((v) => new Double(v)), weight: 4 },
  arbDate,
  fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => new ObjectId(b)),
  fc.boolean(),
  fc.constant(null),
  fc.record({ sub: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 20 }) }).map(
    // subtype 2 has its own inner length and 9 (vector) a header bson validates: plain bytes for both
    ({ sub, data }) => new Binary(data, sub === 2 || sub === 9 ? 0 : sub),
  ),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => new Binary(b, 4)), // UUID subtype -> UUID
  fc.constant(new UUID()),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => new Decimal128(b)),
  fc.constantFrom(Decimal128.fromString("1.23"), Decimal128.fromString("-0"), Decimal128.fromString("NaN")),
  fc.record({ src: fc.stringMatching(/^\^?[a-z]{0,5}(\.\*)?[a-z]{0,3}\$?$/), opt: fc.subarray(["i", "m", "s", "x", "l", "u"]) }).map(
    ({ src, opt }) => new BSONRegExp(src, opt.join("")),
  ),
  fc.record({ t: fc.nat(), i: fc.nat() }).map(({ t, i }) => new Timestamp({ t: t >>> 0, i: i >>> 0 })),
  fc.constant(new MinKey()),
  fc.constant(new MaxKey()),
);

const arbValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, arbScalar, tie("doc"), tie("arr")),
  doc: fc.dictionary(fc.constantFrom(...SUB_KEYS, ...KEYS), tie("value"), { maxKeys: 6 }),
  arr: fc.array(tie("value"), { maxLength: 4 }),
})).value;

/** Top-level document: random subset of keys in random order; `sg`/`up` often sub-documents. */
const arbDoc = fc
  .tuple(
    fc.shuffledSubarray(KEYS),
    fc.array(arbValue, { minLength: KEYS.length, maxLength: KEYS.length }),
    fc.dictionary(fc.constantFrom(...SUB_KEYS), arbValue, { maxKeys: 8 }),
    fc.dictionary(fc.constantFrom(...SUB_KEYS), arbScalar, { maxKeys: 8 }),
    fc.boolean(),
  )
  .map(([keys, values, sg, up, docs]) => {
    const d: Record<string, unknown> = {};
    keys.forEach((k, i) => {
      if (docs && k === "sg") d[k] = sg;
      else if (docs && k === "up") d[k] = up;
      else d[k] = values[i];
    });
    return d;
  });

const arbSelection: fc.Arbitrary<FieldSelection> = fc
  .tuple(
    fc.subarray([...KEYS, "missing", "s\u0000"].filter((k) => !k.includes("\u0000"))),
    fc.option(fc.subarray([...SUB_KEYS, "nope"]), { nil: undefined }),
    fc.option(fc.subarray([...SUB_KEYS, "nope"]), { nil: undefined }),
  )
  .map(([top, sgSub, upSub]) => {
    const sel: Record<string, true | readonly string[]> = {};
    for (const k of top) sel[k] = true;
    if (sgSub !== undefined) sel["sg"] = sgSub;
    if (upSub !== undefined) sel["up"] = upSub;
    return sel;
  });

// ---------------------------------------------------------------------------

describe(`decodeSelected (fast-check seed ${seed})`, () => {
  it(`equals the projection of BSON.deserialize for generated documents (seed ${seed})`, () => {
    console.log(`selective-decoder property seed: ${seed}`);
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbDoc, arbSelection, (doc, fields) => {
        const bytes = BSON.serialize(doc);
        const full = BSON.deserialize(bytes);
        const got = decodeAll(bytes, fields);
        expectSame(got, project(full, fields));
        for (const [k, v] of Object.entries(got)) {
          seen.add(tag(v));
          if (Array.isArray(fields[k]) && tag(v) === "object") seen.add("sub-selection");
          if (Array.isArray(fields[k]) && tag(v) === "object") for (const w of Object.values(v as object)) seen.add(tag(w));
        }
      }),
      { seed, numRuns: 300 },
    );
    // the generator really exercised every kind of value through the selective path
    expect([...seen].sort()).toEqual(
      [
        "Binary", "BSONRegExp-as-RegExp", "Date", "Decimal128", "Long", "MaxKey", "MinKey", "NaN", "-0", "ObjectId",
        "Timestamp", "UUID", "array", "boolean", "null", "number", "object", "string", "non-ascii-string", "sub-selection",
      ].sort(),
    );
  });

  it(`decodes documents embedded at an offset inside a larger buffer (seed ${seed})`, () => {
    fc.assert(
      fc.property(arbDoc, arbSelection, fc.nat({ max: 40 }), (doc, fields, pad) => {
        const bytes = BSON.serialize(doc);
        const big = new Uint8Array(pad + bytes.length + 7).fill(0xaa);
        big.set(bytes, pad);
        const sel = compileSelection(fields);
        expectSame(decodeSelected(big, pad, pad + bytes.length, sel), project(BSON.deserialize(bytes), fields));
      }),
      { seed: seed + 1, numRuns: 100 },
    );
  });

  it("selecting every key whole equals the full deserialize", () => {
    fc.assert(
      fc.property(arbDoc, (doc) => {
        const bytes = BSON.serialize(doc);
        const fields = Object.fromEntries(KEYS.map((k) => [k, true] as const));
        expectSame(decodeAll(bytes, fields), BSON.deserialize(bytes));
      }),
      { seed: seed + 2, numRuns: 100 },
    );
  });

  it("reuses one compiled selection over many documents (string cache hits, collisions, switch-off)", () => {
    const sel = compileSelection({ a: true, n: true, up: ["src"], uid: true });
    const apps = ["5e1f2a3b4c5d6e7f80912345", "5e1f2a3b4c5d6e7f80912346", "abc", "", "x".repeat(64), "y".repeat(65), "ünï", "a\uFEFF"];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            a: fc.constantFrom(...apps),
            n: fc.oneof(fc.constantFrom("purchase", "login", "level_1_done", "level_2_done"), fc.string({ maxLength: 70 })),
            up: fc.record({ src: fc.constantFrom("organic", "ads", "organic ", "ORGANIC") }),
            uid: fc.uuid(),
          }),
          { minLength: 1, maxLength: 3000 },
        ),
        (docs) => {
          for (const doc of docs) {
            const bytes = BSON.serialize(doc);
            expectSame(decodeSelected(bytes, 0, bytes.length, sel), BSON.deserialize(bytes));
          }
        },
      ),
      { seed: seed + 4, numRuns: 10 },
    );
  });

  it(`never confuses near-identical strings sharing a cache slot (seed ${seed})`, () => {
    // Pairs that agree on every other byte (same length) and pairs where one is a prefix of
    // the other, alternated x, y, x, y so the per-field cache stays on; with 20k random
    // pairs a few dozen of each kind land in the same set of the 128-set cache.
    let state = seed;
    const rnd = (): number => (state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff);
    const ch = (): string => String.fromCharCode(33 + (rnd() % 90));
    const sel = compileSelection({ n: true });
    const check = (n: string): void => {
      const bytes = BSON.serialize({ n });
      const got = decodeSelected(bytes, 0, bytes.length, sel)["n"];
      if (got !== n) expect(got).toBe(n);
    };
    for (let k = 0; k < 20000; k++) {
      let x = "";
      let y = "";
      for (let i = 0; i < 8; i++) {
        const c = ch();
        x += c;
        y += i % 2 === 1 ? ch() : c;
      }
      let p = "";
      for (let i = 1 + (rnd() % 10); i > 0; i--) p += ch();
      const q = p + ch() + ch();
      for (const n of [x, y, x, y, p, q, p, q]) check(n);
    }
  });

  it("tells apart strings that share a cache set: same length, first and last four bytes (2-way sets, eviction)", () => {
    const sel = compileSelection({ n: true });
    const names = ["abcdXefgh", "abcdYefgh", "abcdZefgh", "abcdefgh", "abcXdefgh", "ab", "ac", "a", "b", "abc", "abd", "abcdefghijkl", "abcdefgXijkl"];
    for (let round = 0; round < 50; round++) {
      for (const n of round % 2 ? [...names].reverse() : names) {
        const bytes = BSON.serialize({ n });
        expect(decodeSelected(bytes, 0, bytes.length, sel)["n"]).toBe(n);
      }
    }
  });

  it(`"epoch-ms" gives a UTC datetime as getTime() of bson's Date, everything else as with true (seed ${seed})`, () => {
    fc.assert(
      fc.property(arbDoc, arbSelection, fc.subarray(KEYS), (doc, selection, asMs) => {
        const fields: Record<string, true | readonly string[] | "epoch-ms"> = { ...selection };
        for (const k of asMs) if (fields[k] === true) fields[k] = "epoch-ms";
        const bytes = BSON.serialize(doc);
        const expected = project(BSON.deserialize(bytes), selection);
        for (const [k, spec] of Object.entries(fields)) {
          const v = expected[k];
          if (spec === "epoch-ms" && v instanceof Date && !Number.isNaN(v.getTime())) expected[k] = v.getTime();
        }
        expectSame(decodeAll(bytes, fields), expected);
      }),
      { seed: seed + 5, numRuns: 300 },
    );
  });

  it(`"epoch-ms" keeps the invalid Date bson gives for a datetime beyond Date's range`, () => {
    for (const ms of [2n ** 62n, -(2n ** 62n), 8640000000000001n, -8640000000000001n, 8640000000000000n, -8640000000000000n]) {
      const bytes = BSON.serialize({ cd: new Date(0) });
      new DataView(bytes.buffer, bytes.byteOffset).setBigInt64(4 + 1 + 3, ms, true);
      const full = BSON.deserialize(bytes)["cd"] as Date;
      const got = decodeAll(bytes, { cd: "epoch-ms" })["cd"];
      if (Number.isNaN(full.getTime())) {
        expect(got).toBeInstanceOf(Date);
        expect((got as Date).getTime()).toBeNaN();
      } else {
        expect(got).toBe(full.getTime());
      }
    }
  });

  it("returns nothing that is a view of the input bytes (the scanner reuses its buffers)", () => {
    const doc = { bin: new Binary(new Uint8Array([1, 2, 3, 4]), 0), emb: { bin: new Binary(new Uint8Array([5, 6, 7]), 0), n: "x" }, up: { b: new Binary(new Uint8Array([8, 9]), 0) }, arr: [new Binary(new Uint8Array([10]), 0)] };
    for (const bytes of [BSON.serialize(doc), new Uint8Array(BSON.serialize(doc))]) {
      const expected = BSON.deserialize(new Uint8Array(bytes));
      const got = decodeAll(bytes, { bin: true, emb: true, up: ["b"], arr: true });
      bytes.fill(0xee, 4, bytes.length - 1);
      expectSame(got, expected);
    }
  });

  it("promotes int64 exactly at bson's ±2^53 boundary", () => {
    for (const v of [2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n), -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 0n, -1n, 2n ** 32n, -(2n ** 32n)]) {
      const bytes = BSON.serialize({ v: Long.fromBigInt(v) });
      const got = decodeAll(bytes, { v: true })["v"];
      expectSame(got, BSON.deserialize(bytes)["v"]);
      if (v > 2n ** 53n || v < -(2n ** 53n)) expect(got).toBeInstanceOf(Long);
      else expect(typeof got).toBe("number");
    }
  });

  it("last duplicate key wins, as in bson", () => {
    // { s: 1, sg: {a:1}, s: "two", sg: "x" } built by hand
    const a = BSON.serialize({ s: 1, sg: { a: 1 } });
    const b = BSON.serialize({ s: "two", sg: "x" });
    const bytes = new Uint8Array(a.length + b.length - 5);
    bytes.set(a.subarray(0, a.length - 1), 0);
    bytes.set(b.subarray(4), a.length - 1);
    new DataView(bytes.buffer).setInt32(0, bytes.length, true);
    const full = BSON.deserialize(bytes);
    expect(full).toEqual({ s: "two", sg: "x" });
    expectSame(decodeAll(bytes, { s: true, sg: ["a"] }), { s: "two", sg: "x" });
  });

  it("keeps a leading BOM in strings like bson's Node build", () => {
    const bytes = BSON.serialize({ a: "\uFEFFab", b: "\uFEFF" + "y".repeat(50) });
    expectSame(decodeAll(bytes, { a: true, b: true }), BSON.deserialize(bytes));
  });

  it("throws like bson on invalid UTF-8 in a selected string, ignores it in a skipped one", () => {
    for (const len of [3, 30, 100]) {
      const bytes = BSON.serialize({ s: "x".repeat(len), t: 1 });
      bytes[4 + 1 + 2 + 4] = 0xff; // first string byte
      expect(() => BSON.deserialize(bytes)).toThrow(BSONError);
      expect(() => decodeAll(bytes, { s: true })).toThrow(/Invalid UTF-8/);
      expect(decodeAll(bytes, { t: true })).toEqual({ t: 1 });
    }
  });

  it("decodes keys with non-ASCII and prefix relations by raw bytes", () => {
    const bytes = BSON.serialize({ s: 1, sg: 2, sgx: 3, "é": 4, "😀": 5, "": 6 });
    expectSame(decodeAll(bytes, { sg: true, "😀": true, "": true }), { sg: 2, "😀": 5, "": 6 });
  });

  it("a DBRef-shaped embedded document is a DBRef when selected whole, a plain object with sub-keys", () => {
    const bytes = BSON.serialize({ ref: { $ref: "apps", $id: new ObjectId("5e1f2a3b4c5d6e7f80912345") }, x: 1 });
    const full = BSON.deserialize(bytes);
    expect(full["ref"]).toBeInstanceOf(DBRef);
    expectSame(decodeAll(bytes, { ref: true }), { ref: full["ref"] });
    expect(decodeAll(bytes, { ref: ["$id"] })).toEqual({ ref: { $id: new ObjectId("5e1f2a3b4c5d6e7f80912345") } });
  });

  it("handles a __proto__ key like bson", () => {
    const bytes = BSON.serialize(JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}') as Record<string, unknown>);
    const full = BSON.deserialize(bytes);
    const got = decodeAll(bytes, JSON.parse('{"__proto__": true, "a": true}') as FieldSelection);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(got, "__proto__")).toBe(true);
    expect(got["__proto__"]).toEqual(full["__proto__"]);
    // the same through the path for documents missing some selected fields
    const partial = decodeAll(bytes, JSON.parse('{"__proto__": true, "missing": true}') as FieldSelection);
    expect(Object.getPrototypeOf(partial)).toBe(Object.prototype);
    expect(Object.keys(partial)).toEqual(["__proto__"]);
    expect(partial["__proto__"]).toEqual(full["__proto__"]);
  });

  it("rejects malformed documents instead of running past them", () => {
    const good = new Uint8Array(BSON.serialize({ a: "hello", b: { c: 1 }, d: 2 }));
    const sel = compileSelection({ d: true });
    expect(decodeSelected(good, 0, good.length, sel)).toEqual({ d: 2 });
    // size prefix does not match the range
    expect(() => decodeSelected(good, 0, good.length - 1, sel)).toThrow(BSONError);
    // string length running past the end
    const badStr = good.slice();
    new DataView(badStr.buffer).setInt32(4 + 1 + 2, 1000, true);
    expect(() => decodeSelected(badStr, 0, badStr.length, sel)).toThrow(BSONError);
    // negative string length
    new DataView(badStr.buffer).setInt32(4 + 1 + 2, -5, true);
    expect(() => decodeSelected(badStr, 0, badStr.length, sel)).toThrow(BSONError);
    // unknown element type
    const badType = good.slice();
    badType[4] = 0x42;
    expect(() => decodeSelected(badType, 0, badType.length, sel)).toThrow(/unknown BSON type/);
    // missing terminator
    const noEoo = good.slice();
    noEoo[noEoo.length - 1] = 1;
    expect(() => decodeSelected(noEoo, 0, noEoo.length, sel)).toThrow(BSONError);
    // a stray 0x00 type byte before the end
    const early = new Uint8Array(BSON.serialize({ a: 1, b: 2 }));
    early[4 + 1 + 2 + 4] = 0;
    expect(() => decodeSelected(early, 0, early.length, compileSelection({ a: true }))).toThrow(BSONError);
  });

  it("random byte corruption either throws a BSONError or agrees with bson", () => {
    fc.assert(
      fc.property(arbDoc, arbSelection, fc.nat(), fc.integer({ min: 0, max: 255 }), (doc, fields, at, byte) => {
        const bytes = BSON.serialize(doc);
        const i = 4 + (at % (bytes.length - 5)); // keep size prefix and terminator intact
        bytes[i] = byte;
        let got: Record<string, unknown> | undefined;
        try {
          got = decodeAll(bytes, fields);
        } catch (err) {
          expect(err).toBeInstanceOf(BSONError);
          return;
        }
        let full: Record<string, unknown>;
        try {
          full = BSON.deserialize(bytes);
        } catch {
          return; // bson validates skipped values too; we only validate framing there
        }
        expectSame(got, project(full, fields));
      }),
      { seed: seed + 3, numRuns: 300 },
    );
  });
});
