// drillMeta's batch kernel (runner/facts/dump/drill-meta-kernel.ts, native/raw-facts.c) lists
// each raw document's `sg` keys as DocFields.subKeys does: read from a .bson file, alone or
// beside rawEvents (whose kernel places the documents), drillMeta or the pass's error is the
// same with the wasm scanner as with COUNTLY_CHECK_SCANNER=js, for `sg` of every shape: keys
// duplicated, empty, long, integer-like (listed first by JavaScript), `$`-prefixed (a DBRef
// for bson), non-ASCII, invalid UTF-8; values of every BSON type, nested documents, arrays,
// strings of valid and invalid UTF-8, booleans other than 0/1, a string whose length lies;
// `sg` absent, empty or no document. Fixed, printed seed.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Binary, BSON, Decimal128, Int32, Long, ObjectId } from "bson";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drillMetaKernelCounts } from "../../../../runner/facts/dump/drill-meta-kernel.ts";
import type { FactName } from "../../../../runner/facts/types.ts";
import { SCANNER_ENV, scannerChoice } from "../../../../runner/sources/dump/bson-walk-native.ts";
import { concat, documentOf, element, int32le } from "../../../support/bson-bytes.ts";
import { scanRawFacts } from "../../../support/raw-facts-scan.ts";

const SEED = 20261205;
const APPS = [
  { id: "65f0c0ffee00000000000001", name: "Shop", timezone: "Asia/Kathmandu" },
  { id: "65f0c0ffee00000000000002", name: "Bank", timezone: "Europe/Berlin" },
];
const T0 = Date.UTC(2024, 9, 27, 0, 30);
const utf8 = new TextEncoder();

/** An element of type `t` under the key's raw bytes (which may be no UTF-8). */
function rawElement(t: number, key: Uint8Array, value: Uint8Array): Uint8Array {
  return concat([new Uint8Array([t]), key, new Uint8Array([0]), value]);
}

/** A string value of raw bytes (its length prefix and terminator around them). */
function stringValue(bytes: Uint8Array): Uint8Array {
  return concat([int32le(bytes.length + 1), bytes, new Uint8Array([0])]);
}

/** Byte sequences at the edges of UTF-8: overlong, surrogates, beyond U+10FFFF, cut short, stray continuations; and valid ones. */
const TRICKY = [
  [0xc0, 0x80], [0xc1, 0xbf], [0xc2, 0x80], [0xdf, 0xbf], [0xe0, 0x9f, 0xbf], [0xe0, 0xa0, 0x80], [0xed, 0x9f, 0xbf], [0xed, 0xa0, 0x80],
  [0xef, 0xbf, 0xbf], [0xf0, 0x8f, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80],
  [0xe3, 0x81], [0xf0, 0x9f, 0x98], [0x80], [0xbf], [0xfe], [0xff], [0x61, 0xe3, 0x81, 0x82, 0x62], [0xef, 0xbb, 0xbf, 0x61],
].map((b) => Uint8Array.from(b));

const bytesArb = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 6 }).map((s) => utf8.encode(s)),
  fc.constantFrom(...TRICKY),
  fc.array(fc.constantFrom(...TRICKY), { maxLength: 3 }).chain((parts) => fc.constantFrom(concat([utf8.encode("x"), ...parts]))),
  fc.uint8Array({ minLength: 1, maxLength: 6 }).map((b) => b.map((c) => c || 1)),
);

/** Keys: a small pool (so documents repeat and duplicate them) and the odd ones. */
const keyArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: fc.constantFrom("visit", "name", "plan", "os", "ver").map((k) => utf8.encode(k)), weight: 12 },
  fc.constantFrom("", "2", "0", "01", "10", "4294967294", "4294967295", "-1", "$ref", "$id", "$x", "a$", "café", "日本", "__proto__", "k".repeat(300)).map((k) => utf8.encode(k)),
  bytesArb,
);

/** Values that bson decodes, as element bytes under `key`. */
const valueArb: fc.Arbitrary<(key: Uint8Array) => Uint8Array> = fc.oneof(
  { arbitrary: fc.constantFrom("Home", "Cart", "").map((s) => (k: Uint8Array) => rawElement(2, k, stringValue(utf8.encode(s)))), weight: 10 },
  fc.oneof(fc.string({ unit: "grapheme", maxLength: 6 }).map((s) => utf8.encode(s)), fc.constantFrom(...TRICKY.filter(validUtf8))).map((b) => (k: Uint8Array) => rawElement(2, k, stringValue(b))),
  fc.constantFrom<unknown>(1.5, NaN, new Int32(3), Long.fromNumber(-4), new Date(T0), new ObjectId("65f0c0ffee00000000000009"), null, true, false, { x: 1 }, [1, "a"], Decimal128.fromString("1.5"), new Binary(Uint8Array.from([1, 2])), /a/i, Long.fromNumber(2 ** 40)).map(
    (v) => (k: Uint8Array) => {
      const e = element("K", v);
      return rawElement(e[0]!, k, e.subarray(3));
    },
  ),
);

/** Values bson's decode rejects: strings of invalid UTF-8 (random bytes too), a boolean byte other than 0/1, a string whose length prefix lies. */
const poisonArb: fc.Arbitrary<(key: Uint8Array) => Uint8Array> = fc.oneof(
  fc.oneof(fc.constantFrom(...TRICKY.filter((b) => !validUtf8(b))), bytesArb.filter((b) => !validUtf8(b))).map((b) => (k: Uint8Array) => rawElement(2, k, stringValue(b))),
  fc.constantFrom(
    (k: Uint8Array) => rawElement(8, k, Uint8Array.from([2])),
    (k: Uint8Array) => rawElement(2, k, concat([int32le(9), utf8.encode("ab"), new Uint8Array([0])])),
    (k: Uint8Array) => rawElement(2, k, concat([int32le(0), new Uint8Array([0])])),
    (k: Uint8Array) => rawElement(2, k, concat([int32le(3), utf8.encode("abc")])),
  ),
);

function validUtf8(b: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

const elementsArb = (min: number, max: number) => fc.array(fc.tuple(keyArb, valueArb).map(([k, v]) => v(k)), { minLength: min, maxLength: max });

const sgArb: fc.Arbitrary<Uint8Array | undefined> = fc.oneof(
  { arbitrary: elementsArb(0, 6).map(documentOf), weight: 12 },
  fc.constant(documentOf([])),
  fc.constant(undefined),
  // a DBRef for bson: its keys are the DBRef's (collection, oid...), not `$ref` and `$id`
  fc.constantFrom(documentOf([element("$ref", "c"), element("$id", new ObjectId("65f0c0ffee0000000000000a"))]), documentOf([element("$ref", "c"), element("$id", 5), element("$db", "d"), element("x", 1)])),
  elementsArb(40, 60).map(documentOf),
);

/** A raw drill document with the `sg` bytes given (under the `sg` key, as an embedded document; "nodoc": a string). */
function rawDocument(app: string, e: string, n: string, ts: number, sg: Uint8Array | undefined | "nodoc"): Uint8Array {
  const parts = [element("a", app), element("e", e), element("n", n), element("ts", ts), element("cd", new Date(ts + 500))];
  if (sg === "nodoc") parts.push(element("sg", "v"));
  else if (sg !== undefined) parts.push(rawElement(3, utf8.encode("sg"), sg));
  return documentOf(parts);
}

const docArb = (sg: fc.Arbitrary<Uint8Array | undefined | "nodoc">) =>
  fc
    .tuple(
      fc.constantFrom(APPS[0]!.id, APPS[1]!.id, "65f0c0ffee0000000000000x"),
      fc.oneof({ arbitrary: fc.constant("[CLY]_custom"), weight: 6 }, fc.constantFrom("[CLY]_view", "[CLY]_session")),
      fc.constantFrom("Buy", "Login", "Home"),
      fc.integer({ min: -600, max: 600 }),
      sg,
    )
    .map(([a, e, n, m, sg]) => rawDocument(a, e, n, T0 + m * 60_000, sg));

/** Documents bson decodes, and at most one (at a random place) whose `sg` it rejects. */
const fileArb = fc
  .tuple(
    fc.array(docArb(fc.oneof({ arbitrary: sgArb, weight: 20 }, fc.constant<"nodoc">("nodoc"))), { maxLength: 400, size: "max" }),
    fc.option(docArb(fc.tuple(elementsArb(0, 3), fc.tuple(keyArb, poisonArb), elementsArb(0, 3)).map(([a, [k, p], b]) => documentOf([...a, p(k), ...b]))), { freq: 2 }),
    fc.nat(),
  )
  .map(([docs, poison, at]) => {
    if (poison !== null) docs.splice(at % (docs.length + 1), 0, poison);
    return concat(docs);
  });

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-drill-meta-kernel-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The facts over the file read with `scanner` (each value, or the pass's error). */
function collect(scanner: "wasm" | "js", file: string, order: FactName[], chunkSize: number): Promise<unknown> {
  return scanRawFacts(scanner, file, order, { apps: APPS, period: {}, params: {}, chunkSize });
}

/** The wasm scanner is built here (else bson-walk-native.test.ts fails in CI for that). */
function wasmBuilt(): boolean {
  delete process.env[SCANNER_ENV];
  return scannerChoice().scanner === "wasm";
}

describe(`drillMeta's batch kernel (fast-check seed ${SEED})`, () => {
  console.log(`drill-meta kernel property: fast-check seed ${SEED}`);

  it("gives the JavaScript reading's drillMeta (or error) for sg of every shape, alone or beside rawEvents, at any chunk size", async () => {
    if (!wasmBuilt()) return;
    const listedBefore = drillMetaKernelCounts.listed;
    const outcomes = { value: 0, error: 0 };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fileArb,
        fc.constantFrom<FactName[]>(["drillMeta"], ["rawEvents", "drillMeta"], ["drillMeta", "rawEvents", "rawInserts"]),
        fc.constantFrom(64, 4096, 1 << 20),
        async (docs, order, chunkSize) => {
          const file = join(work, `d${n++}.bson`);
          await writeFile(file, docs);
          const js = await collect("js", file, order, chunkSize);
          const wasm = await collect("wasm", file, order, chunkSize);
          expect(wasm).toEqual(js);
          outcomes[(js as { drillMeta: { ok: boolean } }).drillMeta.ok ? "value" : "error"]++;
          await rm(file);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
    // the kernel listed the keys of many documents itself; both facts and errors were compared
    expect(drillMetaKernelCounts.listed - listedBefore).toBeGreaterThan(2000);
    expect(outcomes.value).toBeGreaterThan(15);
    expect(outcomes.error).toBeGreaterThan(15);
  });

  it("lists a string value exactly when bson's decode accepts its UTF-8 (edge sequences, random bytes)", async () => {
    if (!wasmBuilt()) return;
    // the first document teaches the key; the second, a batch row after it, holds the string
    const teach = rawDocument(APPS[0]!.id, "[CLY]_custom", "Buy", T0, documentOf([element("k", "v")]));
    const near = fc.array(fc.oneof(fc.integer({ min: 0x80, max: 0xff }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0x20, max: 0x7e })), { minLength: 1, maxLength: 5 }).map((b) => Uint8Array.from(b));
    let n = 0;
    let listed = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...TRICKY), near, fc.string({ unit: "binary", maxLength: 4 }).map((t) => utf8.encode(t))), async (bytes) => {
        const file = join(work, `u${n++}.bson`);
        await writeFile(file, concat([teach, rawDocument(APPS[0]!.id, "[CLY]_custom", "Buy", T0 + 1, documentOf([rawElement(2, utf8.encode("k"), stringValue(bytes))]))]));
        const before = drillMetaKernelCounts.listed;
        const wasm = await collect("wasm", file, ["drillMeta"], 1 << 20);
        if (validUtf8(bytes)) {
          expect(drillMetaKernelCounts.listed - before).toBe(1); // the second document
          listed++;
        }
        expect(wasm).toEqual(await collect("js", file, ["drillMeta"], 1 << 20));
        await rm(file);
      }),
      { seed: SEED, numRuns: 300, examples: TRICKY.map((b) => [b]) },
    );
    expect(listed).toBeGreaterThan(20);
  });

  it("lists documents with non-ASCII keys and values and values of every type it reads, after JavaScript taught it the keys", async () => {
    if (!wasmBuilt()) return;
    // and values of every type the kernel reads (the others are bson's to decode)
    const values = [1.5, new Date(T0), Long.fromNumber(2 ** 40), new Int32(3), new ObjectId("65f0c0ffee00000000000009"), null, true, false, "ok"];
    const sg = documentOf([element("café", "日本"), element("os", "Android"), element("café", "x"), ...values.map((v) => element("os", v))]);
    const docs = Array.from({ length: 300 }, (_, i) => rawDocument(APPS[0]!.id, "[CLY]_custom", "Buy", T0 + i, sg));
    const file = join(work, "utf8.bson");
    await writeFile(file, concat(docs));
    const before = drillMetaKernelCounts.listed;
    const wasm = await collect("wasm", file, ["drillMeta"], 1 << 20);
    // the first document teaches the keys; the kernel lists (nearly) all the others
    expect(drillMetaKernelCounts.listed - before).toBeGreaterThan(290);
    expect(wasm).toEqual(await collect("js", file, ["drillMeta"], 1 << 20));
    const seen = (wasm as { drillMeta: { value: { seen: { segment?: string; docs: number }[] } } }).drillMeta.value.seen;
    expect(seen.map((r) => [r.segment, r.docs])).toEqual([[undefined, 300], ["café", 300], ["os", 300]]);
  });

  it("leaves to JavaScript the documents whose keys no longer fit in the batch's output, with the same result", async () => {
    if (!wasmBuilt()) return;
    // 300 keys a document: after the first (JavaScript's), 27 documents fill the 8192 ids of a batch's output
    const sg = documentOf(Array.from({ length: 300 }, (_, i) => element(`k${i}`, i)));
    const docs = Array.from({ length: 120 }, (_, i) => rawDocument(APPS[0]!.id, "[CLY]_custom", "Buy", T0 + i, sg));
    const file = join(work, "room.bson");
    await writeFile(file, concat(docs));
    const before = drillMetaKernelCounts.listed;
    const wasm = await collect("wasm", file, ["drillMeta"], 1 << 20);
    expect(drillMetaKernelCounts.listed - before).toBeGreaterThan(20);
    expect(drillMetaKernelCounts.listed - before).toBeLessThanOrEqual(27);
    expect(wasm).toEqual(await collect("js", file, ["drillMeta"], 1 << 20));
  });

  it("leaves to JavaScript the documents with more keys than the kernel mirrors, with the same result", async () => {
    if (!wasmBuilt()) return;
    // 9000 distinct keys (more than the 8192 mirrored) over 30 documents, then documents of the last ones
    const docs: Uint8Array[] = [];
    for (let d = 0; d < 30; d++) docs.push(rawDocument(APPS[1]!.id, "[CLY]_custom", "Buy", T0 + d, documentOf(Array.from({ length: 300 }, (_, i) => element(`k${d * 300 + i}`, 1)))));
    for (let d = 0; d < 50; d++) docs.push(rawDocument(APPS[1]!.id, "[CLY]_custom", "Buy", T0 + d, documentOf([element("k8999", 1), element("k1", 2)])));
    const file = join(work, "many.bson");
    await writeFile(file, concat(docs));
    const wasm = await collect("wasm", file, ["drillMeta", "rawEvents"], 1 << 20);
    expect(wasm).toEqual(await collect("js", file, ["drillMeta", "rawEvents"], 1 << 20));
    expect((wasm as { drillMeta: { value: { seen: unknown[] } } }).drillMeta.value.seen).toHaveLength(9001);
  });
});
