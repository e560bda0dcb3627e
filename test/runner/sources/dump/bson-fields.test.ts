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
import { DocFields, FieldLayout, StringInterner, stringHash, utf8Bytes, type FieldSelection } from "../../../../runner/sources/dump/bson-fields.ts";

/** A reusable reader of `fields` (what the scanner keeps per collection). */
function compileSelection(fields: FieldSelection): DocFields {
  return new DocFields(new FieldLayout(fields));
}

/** The selected fields of the document at bytes[start, end), as `record()` builds them. */
function decodeSelected(bytes: Uint8Array, start: number, end: number, reader: DocFields): Record<string, unknown> {
  reader.load(bytes, start, end);
  return reader.record();
}

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

/** What `record()` should return: the projection of a full deserialize. */
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

describe(`DocFields (fast-check seed ${seed})`, () => {
  it(`equals the projection of BSON.deserialize for generated documents (seed ${seed})`, () => {
    console.log(`bson-fields property seed: ${seed}`);
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

  it("reuses one reader over many documents", () => {
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

  it(`interning never confuses near-identical strings (seed ${seed})`, () => {
    // Pairs that agree on every other byte (same length) and pairs where one is a prefix of
    // the other: the interner must give each its own id and its own text.
    let state = seed;
    const rnd = (): number => (state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff);
    const ch = (): string => String.fromCharCode(33 + (rnd() % 90));
    const sel = compileSelection({ n: true });
    const N = sel.layout.slot("n");
    const table = new StringInterner();
    const ids = new Map<string, number>();
    const check = (n: string): void => {
      const bytes = BSON.serialize({ n });
      const got = decodeSelected(bytes, 0, bytes.length, sel)["n"];
      if (got !== n) expect(got).toBe(n);
      const id = sel.intern(N, table);
      if (table.text(id) !== n) expect(table.text(id)).toBe(n);
      const known = ids.get(n);
      if (known === undefined) ids.set(n, id);
      else if (known !== id) expect(id).toBe(known);
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

  it(`number() reads every BSON numeric type, Decimal128 included, and nothing else (seed ${seed})`, () => {
    const arbNumeric = fc.oneof(
      arbDouble.map((v) => new Double(v)),
      fc.integer().map((v) => new Int32(v)),
      arbLong,
      fc.constantFrom("20", "0", "-3.25", "1E+3", "NaN", "-NaN", "Infinity", "-Infinity", "0.000001", "12345678901234567890123456789012").map((v) => Decimal128.fromString(v)),
      fc.integer().map((v) => Decimal128.fromString(String(v))),
    );
    fc.assert(
      fc.property(fc.oneof(arbNumeric, arbScalar), (value) => {
        const bytes = BSON.serialize({ c: value });
        const f = compileSelection({ c: true });
        f.load(bytes, 0, bytes.length);
        const decoded = BSON.deserialize(bytes, { promoteValues: false })["c"] as { _bsontype?: string } | undefined;
        const bt = decoded?._bsontype;
        const expected = bt === "Double" || bt === "Int32" ? (decoded as unknown as Double).valueOf() : bt === "Long" || bt === "Decimal128" ? Number(String(decoded)) : undefined;
        const got = f.number(f.layout.slot("c"));
        if (expected === undefined) expect(got).toBeUndefined();
        else if (bt === "Long") expect(got).toBe(Number(BigInt(String(decoded))));
        else expect(Object.is(got, expected) || (Number.isNaN(got) && Number.isNaN(expected))).toBe(true);
      }),
      { seed: seed + 6, numRuns: 400 },
    );
    const bytes = BSON.serialize({ c: Decimal128.fromString("20") });
    const f = compileSelection({ c: true });
    f.load(bytes, 0, bytes.length);
    expect(f.number(0)).toBe(20);
  });

  it("dateMs, stringIs and sub-fields read straight from the bytes", () => {
    const f = compileSelection({ cd: true, e: true, up: ["src", "cc"] });
    const bytes = BSON.serialize({ e: "[CLY]_custom", cd: new Date(1700000000123), up: { cc: "DE", src: "ads" }, x: 1 });
    f.load(bytes, 0, bytes.length);
    const L = f.layout;
    expect(f.dateMs(L.slot("cd"))).toBe(1700000000123);
    expect(f.dateMs(L.slot("e"))).toBeUndefined();
    expect(f.stringIs(L.slot("e"), utf8Bytes("[CLY]_custom"))).toBe(true);
    expect(f.stringIs(L.slot("e"), utf8Bytes("[CLY]_custo"))).toBe(false);
    expect(f.string(L.slot("up.src"))).toBe("ads");
    expect(f.value(L.slot("up.cc"))).toBe("DE");
    // the next document resets what was found
    const next = BSON.serialize({ up: "not a document" });
    f.load(next, 0, next.length);
    expect(f.has(L.slot("up.src"))).toBe(false);
    expect(f.has(L.slot("cd"))).toBe(false);
    expect(f.value(L.slot("up"))).toBe("not a document");
    expect(f.describeId()).toBe("(no _id)");
    const withId = BSON.serialize({ _id: new ObjectId("5e1f2a3b4c5d6e7f80912345") });
    f.load(withId, 0, withId.length);
    expect(f.describeId()).toBe('ObjectId("5e1f2a3b4c5d6e7f80912345")');
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

describe("StringInterner and the hot-loop readers (byte-level paths)", () => {
  /** A document's bytes inside a larger buffer: its view starts at an odd byteOffset of the ArrayBuffer and the document at `at` in the view. */
  function placed(doc: Record<string, unknown>, at: number): { b: Uint8Array; start: number; end: number } {
    const bytes = BSON.serialize(doc);
    const b = new Uint8Array(new ArrayBuffer(bytes.length + at + 11), 3, bytes.length + at + 5).fill(0xcc);
    b.set(bytes, at);
    return { b, start: at, end: at + bytes.length };
  }

  it("strings whose hashes collide keep their own ids, texts and lookups", () => {
    const byHash = new Map<number, string>();
    const pairs: [string, string][] = [];
    for (let i = 0; i < 200_000 && pairs.length < 4; i++) {
      const s = `Event ${i}`;
      const b = utf8Bytes(s);
      const h = stringHash(b, 0, b.length);
      const other = byHash.get(h);
      if (other !== undefined) pairs.push([other, s]);
      else byHash.set(h, s);
    }
    expect(pairs.length).toBe(4); // the test really has colliding strings
    const sel = compileSelection({ n: true });
    const N = sel.layout.slot("n");
    const table = new StringInterner();
    const intern = (n: string, at: number): number => {
      const { b, start, end } = placed({ n }, at);
      sel.load(b, start, end);
      return sel.intern(N, table);
    };
    const lookup = (n: string, at: number): number => {
      const { b, start, end } = placed({ n }, at);
      sel.load(b, start, end);
      return sel.lookup(N, table);
    };
    for (const [x, y] of pairs) {
      expect(stringHash(utf8Bytes(x), 0, utf8Bytes(x).length)).toBe(stringHash(utf8Bytes(y), 0, utf8Bytes(y).length));
      const ix = intern(x, 1);
      expect(lookup(y, 2)).toBe(-1); // same hash, never added
      const iy = intern(y, 3);
      expect(iy).not.toBe(ix);
      expect([table.text(ix), table.text(iy)]).toEqual([x, y]);
      expect([lookup(x, 5), lookup(y, 6), intern(x, 7), intern(y, 0)]).toEqual([ix, iy, ix, iy]);
      expect(table.find(utf8Bytes(y), 0, utf8Bytes(y).length)).toBe(iy);
      expect(table.add(x)).toBe(ix);
    }
  });

  it(`ids are per distinct byte string, through rehashes, at any offset of any buffer (seed ${seed})`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbString, fc.nat({ max: 9 })), { minLength: 1, maxLength: 400 }), (items) => {
        const sel = compileSelection({ n: true, a: true });
        const N = sel.layout.slot("n");
        const A = sel.layout.slot("a");
        const table = new StringInterner();
        const ids = new Map<string, number>();
        for (const [n, at] of items) {
          const { b, start, end } = placed({ a: n, n }, at);
          sel.load(b, start, end);
          const text = BSON.deserialize(b.slice(start, end))["n"] as string; // lone surrogates are U+FFFD once serialised
          const before = sel.lookup(A, table);
          const id = sel.intern(N, table);
          expect(table.text(id)).toBe(text);
          expect(before).toBe(ids.get(text) ?? -1);
          if (!ids.has(text)) ids.set(text, id);
          expect(id).toBe(ids.get(text));
          expect(sel.lookup(A, table)).toBe(id);
          expect(sel.stringIs(N, utf8Bytes(text))).toBe(true);
          expect(sel.stringIs(N, utf8Bytes(text + "x"))).toBe(false);
        }
        expect(table.size).toBe(ids.size);
      }),
      { seed: seed + 7, numRuns: 60 },
    );
  });

  it(`numeric() is number() with NaN for anything else, dateMsOrNaN() is dateMs() with NaN, at odd offsets too (seed ${seed})`, () => {
    const sel = compileSelection({ c: true, x: true });
    const C = sel.layout.slot("c");
    const X = sel.layout.slot("x");
    fc.assert(
      fc.property(fc.option(arbScalar, { nil: undefined }), fc.nat({ max: 9 }), (value, at) => {
        const { b, start, end } = placed(value === undefined ? { y: 1 } : { c: value }, at);
        sel.load(b, start, end);
        const n = sel.number(C);
        expect(Object.is(sel.numeric(C), n ?? NaN)).toBe(true);
        expect(Object.is(sel.dateMsOrNaN(C), sel.dateMs(C) ?? NaN)).toBe(true);
        expect(sel.numeric(X)).toBeNaN();
        expect(sel.dateMsOrNaN(X)).toBeNaN();
        if (value instanceof Date) expect(Object.is(sel.dateMs(C), value.getTime()) || Number.isNaN(value.getTime())).toBe(true);
      }),
      { seed: seed + 8, numRuns: 400 },
    );
  });
});
