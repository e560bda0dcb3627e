// DocFields.subKeys (the keys of an embedded document without decoding it) against what
// drill-meta used before it: Object.keys of bson's decode of the sub-document. Generated
// sub-documents are built element by element, so they can hold what BSON.serialize never
// writes: duplicate keys, invalid UTF-8, `$` keys, bytes flipped anywhere.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { BSON, Binary, Decimal128, Long, ObjectId } from "bson";
import { DocFields, FieldLayout, StringInterner } from "../../../../runner/sources/dump/bson-fields.ts";
import { concat, documentOf, element, int32le } from "../../../support/bson-bytes.ts";

const seed = 20261201;

/** An element whose key is the given raw bytes (possibly invalid UTF-8). */
function rawKeyElement(key: Uint8Array, value: unknown): Uint8Array {
  const e = element("k", value);
  if (e.length === 0) return e; // undefined: BSON.serialize leaves the element out
  const out = new Uint8Array(e.length - 1 + key.length);
  out[0] = e[0]!;
  out.set(key, 1);
  out.set(e.subarray(2), 1 + key.length);
  return out;
}

function withSg(sub: Uint8Array): Uint8Array {
  return documentOf([concat([new Uint8Array([3]), new TextEncoder().encode("sg"), new Uint8Array([0]), sub]), element("_id", "d")]);
}

const KEY_TEXTS = ["screen", "tier", "method", "a", "", "0", "1", "2", "10", "01", "-1", "1.5", "4294967294", "4294967295", "99999999999", "__proto__", "constructor", "ключ", "キー", "\uFFFD", "\uFEFFbom", "$ref", "$id", "$db", "$x", "a$", "x".repeat(40)];
const RAW_KEYS: Uint8Array[] = [new Uint8Array([0xff]), new Uint8Array([0x61, 0xc3]), new Uint8Array([0xed, 0xa0, 0x80]), new Uint8Array([0xc0, 0xaf])];

const arbValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 3, arbitrary: fc.integer() },
  { weight: 2, arbitrary: fc.double() },
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.constant(Long.fromString("9007199254740993")),
  fc.constant(new ObjectId("65f0c0ffee00000000000001")),
  fc.constant(Decimal128.fromString("1.5")),
  fc.constant(new Binary(new Uint8Array([1, 2, 3]))),
  fc.constant(undefined),
  fc.constant({ nested: 1 }),
  fc.constant([1, "x"]),
  fc.constant(/re/i),
);

const arbElement: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...KEY_TEXTS), arbValue).map(([k, v]) => element(k, v)) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 6 }), arbValue).map(([k, v]) => element(k.replace(/\0/g, ""), v)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...RAW_KEYS), arbValue).map(([k, v]) => rawKeyElement(k, v)) },
  // a string value with invalid UTF-8, a boolean byte that is neither 0 nor 1
  { weight: 1, arbitrary: fc.constantFrom(...KEY_TEXTS).map((k) => patchValue(element(k, "ab"), 0xff)) },
  { weight: 1, arbitrary: fc.constantFrom(...KEY_TEXTS).map((k) => patchValue(element(k, true), 2)) },
);

/** Sets the last value byte before the element's end (a string's last character, a boolean's byte). */
function patchValue(e: Uint8Array, byte: number): Uint8Array {
  const out = e.slice();
  out[e[0] === 2 ? out.length - 2 : out.length - 1] = byte;
  return out;
}

/** A sub-document, sometimes with one byte changed (its length field included) or cut short. */
const arbSub: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.array(arbElement, { maxLength: 8 }), fc.option(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { freq: 4 }), fc.option(fc.nat(), { freq: 8 }))
  .map(([elements, flip, cut]) => {
    let sub = documentOf(elements);
    if (flip !== null) {
      sub = sub.slice();
      sub[flip[0] % sub.length] = flip[1];
    }
    if (cut !== null && sub.length > 5) sub = concat([int32le(sub.length - 1), sub.subarray(4, sub.length - 2), new Uint8Array([sub[sub.length - 1]!])]);
    return sub;
  });

type Outcome = { keys: string[] } | { error: string };

/** What drill-meta read before: Object.keys of bson's decode of the sub-document's bytes. */
function expected(sub: Uint8Array): Outcome {
  try {
    return { keys: Object.keys(BSON.deserialize(sub)) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function actual(fields: DocFields, slot: number, table: StringInterner): Outcome {
  try {
    const n = fields.subKeys(slot, table);
    return { keys: Array.from(fields.keyIds.subarray(0, n), (id) => table.text(id)) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe(`DocFields.subKeys (fast-check seed ${seed})`, () => {
  it(`gives Object.keys of bson's decode, or its error, for generated and hostile sub-documents (seed ${seed})`, () => {
    console.log(`bson-fields subKeys property seed: ${seed}`);
    const fields = new DocFields(new FieldLayout({ _id: true, sg: [] }));
    const SG = fields.layout.slot("sg");
    // one table and one reader for every document, as a collection read keeps them
    const table = new StringInterner();
    let compared = 0;
    let errors = 0;
    fc.assert(
      fc.property(arbSub, (sub) => {
        const doc = withSg(sub);
        const declared = new DataView(sub.buffer, sub.byteOffset).getInt32(0, true);
        try {
          fields.load(doc, 0, doc.length);
        } catch {
          // the document itself is malformed (the sub-document's length runs out of it): no keys to compare
          return;
        }
        // the walk took the sub-document as its declared length says
        const taken = doc.subarray(8, 8 + declared);
        const want = expected(taken);
        expect(actual(fields, SG, table)).toEqual(want);
        compared++;
        if ("error" in want) errors++;
      }),
      { seed, numRuns: 3000 },
    );
    // each id is one text: the byte walk and bson's decode intern keys the same way
    expect(new Set(table.texts).size).toBe(table.texts.length);
    expect(compared).toBeGreaterThan(2000);
    expect(errors).toBeGreaterThan(100);
  });

  it("orders integer-like keys first, counts a duplicate once and keeps __proto__ as an own key", () => {
    const sub = documentOf([element("b", 1), element("10", 1), element("__proto__", "x"), element("2", 1), element("b", 2), element("4294967295", 1), element("4294967294", 1), element("01", 1), element("2", "again")]);
    const fields = new DocFields(new FieldLayout({ sg: [] }));
    const doc = withSg(sub);
    fields.load(doc, 0, doc.length);
    const table = new StringInterner();
    expect(actual(fields, fields.layout.slot("sg"), table)).toEqual({ keys: ["2", "10", "4294967294", "b", "__proto__", "4294967295", "01"] });
    expect(Object.keys(BSON.deserialize(sub))).toEqual(["2", "10", "4294967294", "b", "__proto__", "4294967295", "01"]);
  });

  it("is -1 for a field that is no embedded document, and reads the last `sg` of a document", () => {
    const fields = new DocFields(new FieldLayout({ sg: [] }));
    const SG = fields.layout.slot("sg");
    const table = new StringInterner();
    for (const sg of ["text", [1, 2], null, 5]) {
      const doc = BSON.serialize({ sg });
      fields.load(doc, 0, doc.length);
      expect(fields.subKeys(SG, table)).toBe(-1);
    }
    const missing = BSON.serialize({ other: {} });
    fields.load(missing, 0, missing.length);
    expect(fields.subKeys(SG, table)).toBe(-1);
    const twice = documentOf([concat([new Uint8Array([3, 0x73, 0x67, 0]), documentOf([element("first", 1)])]), concat([new Uint8Array([3, 0x73, 0x67, 0]), documentOf([element("second", 1)])])]);
    fields.load(twice, 0, twice.length);
    expect(actual(fields, SG, table)).toEqual({ keys: ["second"] });
  });

  it("names a DBRef-like sub-document's keys as bson's decode does (a DBRef's own properties)", () => {
    const sub = documentOf([element("$ref", "c"), element("$id", 1), element("x", 2)]);
    const fields = new DocFields(new FieldLayout({ sg: [] }));
    const doc = withSg(sub);
    fields.load(doc, 0, doc.length);
    const want = Object.keys(BSON.deserialize(sub));
    expect(want).not.toEqual(["$ref", "$id", "x"]);
    expect(actual(fields, fields.layout.slot("sg"), new StringInterner())).toEqual({ keys: want });
  });
});
