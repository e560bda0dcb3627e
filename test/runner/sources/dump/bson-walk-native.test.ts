// The wasm inner loop (native/bson-walk.c via runner/sources/dump/bson-walk-native.ts) gives
// exactly what the JavaScript walk gives: over generated and hostile BSON files (Countly raw
// documents, documents of every BSON type with duplicate keys and keys of 0..40 bytes,
// truncated files, corrupt lengths, bad terminators, flipped bytes) read in tiny and large
// chunks, every document's offset, every selected field's type and value (or error) and
// the scan's outcome (its stats or its DumpReadError text and offset) are the same with the
// module and with COUNTLY_CHECK_SCANNER=js. Fixed, printed seed. With CI=1 (or
// COUNTLY_CHECK_REQUIRE_WASM=1, as .ci/run sets) the module must be built: CI proves the wasm path runs.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BSON, BSONRegExp, BSONSymbol, Binary, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from "bson";
import { DocFields, FieldLayout, StringInterner, type FieldSelection } from "../../../../runner/sources/dump/bson-fields.ts";
import { scanBsonFields } from "../../../../runner/sources/dump/bson-file-scanner.ts";
import { concat, documentOf, element as elementOf, int32le } from "../../../support/bson-bytes.ts";
import { Arena, describeScanner, nativeCounts, SCANNER_ENV, scannerChoice, wasmLocation } from "../../../../runner/sources/dump/bson-walk-native.ts";

const SEED = 20261201;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-wasm-walk-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs `f` with COUNTLY_CHECK_SCANNER set to `value` (undefined: unset), restoring it after. */
async function withScanner<T>(value: string | undefined, f: () => Promise<T>): Promise<T> {
  const before = process.env[SCANNER_ENV];
  if (value === undefined) delete process.env[SCANNER_ENV];
  else process.env[SCANNER_ENV] = value;
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env[SCANNER_ENV];
    else process.env[SCANNER_ENV] = before;
  }
}

const built = withScanner(undefined, async () => scannerChoice().scanner === "wasm");

// ---------------------------------------------------------------------------
// generated BSON, element by element (duplicate keys and any order are possible)

/** An element of `value` (`undefined` kept: its own BSON type). */
const element = (key: string, value: unknown): Uint8Array => elementOf(key, value, { ignoreUndefined: false });

/** Names the layouts select, and others (0..40 bytes, some multi-byte UTF-8). */
const NAMES = ["_id", "a", "e", "n", "ts", "c", "s", "dur", "sg", "up", "cd", "uid", "lsid", "", "éé", "segment-with-a-long-name", "x".repeat(40), "ab", "abcd", "abcde", "abcdefgh", "abcdefghi"];
const keyArb = fc.oneof(fc.constantFrom(...NAMES), fc.string({ minLength: 0, maxLength: 40 }).map((k) => k.replaceAll("\0", "")));

const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.double(),
  fc.string({ maxLength: 30 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => new Int32(n)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromBigInt(n)),
  fc.date({ noInvalidDate: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => new ObjectId(b)),
  fc.uint8Array({ maxLength: 20 }).map((b) => new Binary(b)),
  fc.dictionary(fc.constantFrom("src", "p", "cc", "k", "$x", "0", "1"), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxKeys: 4 }),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 4 }),
  fc.constant(new BSONRegExp("a+b", "i")),
  fc.constant(new Code("function () {}")),
  fc.constant(new Code("x", { a: 1 })),
  fc.constant(new BSONSymbol("sym")),
  fc.constant(new Timestamp({ t: 5, i: 7 })),
  fc.constant(Decimal128.fromString("12.5")),
  fc.constant(new MinKey()),
  fc.constant(new MaxKey()),
  fc.constant(new DBRef("coll", new ObjectId("65f0c0ffee00000000000001"))),
  fc.double().map((d) => new Double(d)),
);

const randomElementsArb = fc.array(fc.tuple(keyArb, valueArb), { maxLength: 12 }).map((els) => els.map(([k, v]) => element(k, v)));

/** A Countly raw event document (drill_events), as the generators write them. */
const countlyElementsArb = fc
  .record({
    id: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    app: fc.constantFrom("65f0c0ffee00000000000001", "65f0c0ffee00000000000004"),
    e: fc.constantFrom("[CLY]_custom", "[CLY]_session", "[CLY]_view"),
    n: fc.constantFrom("Login", "Video Play", "Wishlist Add"),
    ts: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
    c: fc.integer({ min: 1, max: 5 }),
    dur: fc.option(fc.integer({ min: 0, max: 1000 })),
    s: fc.option(fc.double({ min: 0, max: 100, noNaN: true })),
    sg: fc.dictionary(fc.constantFrom("screen", "tier", "method"), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    src: fc.constantFrom("organic", "facebook"),
  })
  .map((r) => {
    const els = [
      element("_id", Buffer.from(r.id).toString("hex")),
      element("a", r.app),
      element("e", r.e),
      element("n", r.n),
      element("ts", r.ts),
      element("cd", new Date(r.ts)),
      element("uid", "4uwc"),
      element("c", r.c),
    ];
    if (r.dur !== null) els.push(element("dur", r.dur));
    if (r.s !== null) els.push(element("s", r.s));
    els.push(element("sg", r.sg), element("up", { cc: "CA", p: "Web", src: r.src }), element("lsid", "1d3305e4"));
    return els;
  });

/** Duplicate fields: elements repeated, the last occurrence wins. */
const duplicatedArb = fc.tuple(fc.constantFrom("a", "e", "sg", "up", "ts"), valueArb).map(([k, v]) => [element(k, "first"), element("c", 1), element(k, v)]);

/**
 * What makes one element (or its document) malformed: a length prefix replaced, another type
 * byte, the document ending inside the element (its name's terminator may then be the
 * document's), a document length or terminator off.
 */
type Damage =
  | { kind: "none" }
  /** The first length prefix from `element` on replaced by `value`, or (value null) changed by `delta`. */
  | { kind: "length"; element: number; value: number | null; delta: number }
  | { kind: "type"; element: number; type: number }
  | { kind: "cut"; element: number; keep: number }
  | { kind: "doc-length"; delta: number }
  | { kind: "terminator"; value: number };

const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 40, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("length" as const), element: fc.nat(), value: fc.option(fc.constantFrom(-5, -1, 0, 1, 3, 4, 5, 6, 13, 14, 2 ** 31 - 1, -(2 ** 31))), delta: fc.integer({ min: -3, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("type" as const), element: fc.nat(), type: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cut" as const), element: fc.nat(), keep: fc.nat({ max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("doc-length" as const), delta: fc.constantFrom(-2, -1, 1, 2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("terminator" as const), value: fc.integer({ min: 1, max: 255 }) }) },
);

/** Where an element's value starts (after its type byte and name). */
function valueStart(el: Uint8Array): number {
  let p = 1;
  while (p < el.length && el[p] !== 0) p++;
  return p + 1;
}

const LENGTH_PREFIXED = new Set([2, 3, 4, 5, 12, 13, 14, 15]);

function damaged(elements: readonly Uint8Array[], d: Damage): Uint8Array {
  const els = elements.map((e) => Uint8Array.from(e));
  const i = "element" in d && els.length > 0 ? d.element % els.length : -1;
  switch (d.kind) {
    case "none":
      return documentOf(els);
    case "length": {
      // the first length-prefixed element from i on
      for (let k = 0; k < els.length; k++) {
        const el = els[(i + k) % els.length]!;
        if (!LENGTH_PREFIXED.has(el[0]!)) continue;
        const at = valueStart(el);
        if (at + 4 <= el.length) el.set(int32le(d.value ?? new DataView(el.buffer).getInt32(at, true) + d.delta), at);
        break;
      }
      return documentOf(els);
    }
    case "type":
      if (i >= 0) els[i]![0] = d.type;
      return documentOf(els);
    case "cut": {
      if (i < 0) return documentOf(els);
      const el = els[i]!;
      return documentOf([...els.slice(0, i), el.subarray(0, Math.min(el.length - 1, d.keep))]);
    }
    case "doc-length": {
      const doc = documentOf(els);
      doc.set(int32le(doc.length + d.delta), 0);
      return doc;
    }
    case "terminator": {
      const doc = documentOf(els);
      doc[doc.length - 1] = d.value;
      return doc;
    }
  }
}

const docArb = fc
  .tuple(fc.oneof({ weight: 4, arbitrary: countlyElementsArb }, { weight: 3, arbitrary: randomElementsArb }, { weight: 1, arbitrary: duplicatedArb }), damageArb)
  .map(([els, d]) => damaged(els, d));

type Mutation = { kind: "byte"; at: number; value: number } | { kind: "int32"; at: number; value: number } | { kind: "truncate"; at: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("byte" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("int32" as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(0, 1, 4, 5, 6, -1, 2 ** 31 - 1, -(2 ** 31), 16 * 1024 * 1024 + 16 * 1024 + 1), fc.integer({ min: -1000, max: 1000 })) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = Uint8Array.from(bytes);
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === "byte") b[at] = m.value;
    else if (m.kind === "int32") b.set(int32le(m.value).subarray(0, Math.min(4, b.length - at)), at);
    else b = b.slice(0, at);
  }
  return b;
}

const selectionArb: fc.Arbitrary<FieldSelection> = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...NAMES), fc.option(fc.uniqueArray(fc.constantFrom("src", "p", "cc", "k", "0", "$x", ""), { maxLength: 3 }))), { selector: ([k]) => k, maxLength: 10 })
  .map((entries) => Object.fromEntries(entries.map(([k, subs]) => [k, subs === null ? true : subs])));

// ---------------------------------------------------------------------------
// what a reader sees

function attempt(f: () => unknown): string {
  try {
    return inspect(f(), { depth: 6 });
  } catch (e) {
    return `throws ${(e as Error).name}: ${(e as Error).message}`;
  }
}

/**
 * How each method of DocFields is asked, for every slot: every public method of its
 * prototype is called (a method added later without an entry here fails the test), so no
 * accessor can read the JavaScript walk's slots where the wasm walk put them elsewhere.
 */
type Ask = ((f: DocFields, slot: number, t: Tables) => unknown) | "skip";
const ASK = new Map<string, Ask>(Object.entries({
  load: "skip",
  // private helpers, reached through the accessors
  walkerFor: "skip",
  walk: "skip",
  present: "skip",
  findSubFields: "skip",
  walkKeys: "skip",
  orderIndexKeys: "skip",
  decodedKeys: "skip",
  has: (f, s) => f.has(s),
  type: (f, s) => f.type(s),
  isString: (f, s) => f.isString(s),
  stringIs: (f, s) => [f.stringIs(s, APP), f.stringIs(s, new Uint8Array(0))],
  string: (f, s) => f.string(s),
  intern: (f, s, t) => [f.intern(s, t.interned), t.interned.size],
  lookup: (f, s, t) => f.lookup(s, t.interned),
  number: (f, s) => f.number(s),
  numeric: (f, s) => f.numeric(s),
  dateMsOrNaN: (f, s) => f.dateMsOrNaN(s),
  dateMs: (f, s) => f.dateMs(s),
  valueStart: (f, s) => f.valueStart(s),
  valueEnd: (f, s) => f.valueEnd(s),
  loadEmbedded: (f, s, t) => (f.loadEmbedded(s, t.inner) ? t.inner.record() : "no document"),
  value: (f, s) => f.value(s),
  subKeys: (f, s, t) => {
    const n = f.subKeys(s, t.keys);
    return n < 0 ? n : Array.from(f.keyIds.subarray(0, n), (id) => t.keys.text(id));
  },
  // whole-document ones, asked once below
  record: "skip",
  describeId: "skip",
  document: "skip",
} satisfies Record<string, Ask>));
ASK.set("constructor", "skip");
const APP = new TextEncoder().encode("65f0c0ffee00000000000001");

interface Tables {
  interned: StringInterner;
  keys: StringInterner;
  inner: DocFields;
}

/** Everything DocFields tells of the current document, for every slot of the layout. */
function observe(fields: DocFields, layout: FieldLayout, tables: Tables): string[] {
  const out = [`@${fields.offset}`, attempt(() => fields.describeId()), attempt(() => fields.record()), attempt(() => fields.document())];
  const methods = Object.getOwnPropertyNames(DocFields.prototype).filter((k) => typeof Object.getOwnPropertyDescriptor(DocFields.prototype, k)!.value === "function");
  for (let slot = 0; slot < layout.names.length; slot++) {
    for (const m of methods) {
      const ask = ASK.get(m);
      if (ask === undefined) throw new Error(`DocFields.${m} is new: say in ASK (bson-walk-native.test.ts) how to ask it, so the wasm walk is compared on it too`);
      if (ask !== "skip") out.push(`${layout.names[slot]} ${m}: ${attempt(() => ask(fields, slot, tables))}`);
    }
  }
  return out;
}

async function scanObserved(file: string, selection: FieldSelection, chunkSize: number): Promise<string[]> {
  const layout = new FieldLayout(selection);
  const tables: Tables = { interned: new StringInterner(), keys: new StringInterner(), inner: new DocFields(new FieldLayout({ src: true, p: true, "0": true })) };
  const seen: string[] = [];
  try {
    const stats = await scanBsonFields(file, layout, (f) => void seen.push(...observe(f, layout, tables)), { chunkSize });
    seen.push(`stats ${JSON.stringify(stats)}`);
  } catch (e) {
    const err = e as Error & { offset?: number };
    seen.push(`error ${err.name} @${err.offset}: ${err.message}`);
  }
  return seen;
}

describe("the wasm walk (seed printed)", () => {
  it("is built when CI=1 or COUNTLY_CHECK_REQUIRE_WASM=1 (.ci/run: CI proves the wasm path runs)", async () => {
    if (!["1", "true"].includes(process.env.CI ?? "") && process.env.COUNTLY_CHECK_REQUIRE_WASM !== "1") return;
    expect(await built, `${wasmLocation().pathname}: ${describeScanner().text}`).toBe(true);
  });

  it("is chosen unless COUNTLY_CHECK_SCANNER=js, which --progress tells; another value is refused", async () => {
    await withScanner("js", async () => expect(scannerChoice()).toEqual({ scanner: "js", detail: "COUNTLY_CHECK_SCANNER=js" }));
    await withScanner("fast", async () => expect(describeScanner()).toEqual({ text: "COUNTLY_CHECK_SCANNER=fast: expected wasm or js", error: true }));
    if (!(await built)) return;
    await withScanner(undefined, async () => expect(describeScanner().text).toBe(`scanner: wasm (${wasmLocation().pathname})`));
    await withScanner("wasm", async () => expect(scannerChoice().scanner).toBe("wasm"));
  });

  it(`gives the JavaScript walk's fields, values, errors and offsets on generated and hostile files (seed ${SEED})`, async () => {
    console.log(`wasm walk property: fast-check seed ${SEED}`);
    if (!(await built)) return;
    let n = 0;
    let walked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(docArb, { minLength: 1, maxLength: 30 }),
        fc.oneof({ weight: 3, arbitrary: fc.constant([] as Mutation[]) }, { weight: 1, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }),
        selectionArb,
        // tiny chunks cut most documents (the JavaScript walk reads those), large ones few
        fc.oneof(fc.constantFrom(5, 7, 64, 300), fc.constantFrom(4096, 1 << 20)),
        async (docs, mutations, selection, chunkSize) => {
          const file = join(work, `f${n++}.bson`);
          await writeFile(file, mutate(concat(docs), mutations));
          const js = await withScanner("js", () => scanObserved(file, selection, chunkSize));
          const before = nativeCounts.walked;
          const native = await withScanner("wasm", () => scanObserved(file, selection, chunkSize));
          walked += nativeCounts.walked - before;
          expect(native).toEqual(js);
          await rm(file);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
    // the module did walk (most of) the documents: the property compared the two paths
    expect(walked).toBeGreaterThan(300);
  }, 300_000);

  it(`learns a collection's names in order: documents of one shape that leave names out, names that begin alike (seed ${SEED})`, async () => {
    if (!(await built)) return;
    // the walk compares each name with the next few names it learnt (up to 7 bytes and the terminator, packed in a word)
    const ORDER = ["_id", "a", "ab", "abc", "e", "n", "ts", "abcdefg", "abcdefgh", "c", "s", "dur", "sg", "ab\u00e9", "up", "lsid", "a"];
    const docShape = fc.tuple(fc.array(fc.boolean(), { minLength: ORDER.length, maxLength: ORDER.length }), fc.boolean()).map(([present, swap]) => {
      const names = ORDER.filter((_, i) => present[i]);
      // now and then two names change places (the list then holds both orders)
      if (swap && names.length > 3) [names[1], names[2]] = [names[2]!, names[1]!];
      return documentOf(names.map((k, i) => element(k, i % 3 === 0 ? `${k}-${i}` : i % 3 === 1 ? new Int32(i) : i + 0.5)));
    });
    const selection: FieldSelection = { a: true, ab: true, abc: true, abcdefg: true, abcdefgh: true, c: true, dur: true, "ab\u00e9": true, lsid: true };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(docShape, { minLength: 1, maxLength: 60 }), async (docs) => {
        const file = join(work, `shape${n++}.bson`);
        await writeFile(file, concat(docs));
        const js = await withScanner("js", () => scanObserved(file, selection, 1 << 20));
        const before = nativeCounts.walked;
        const native = await withScanner("wasm", () => scanObserved(file, selection, 1 << 20));
        // every document walked by the module: the fields below are the learnt names' doing
        expect(nativeCounts.walked - before).toBe(docs.length);
        expect(native).toEqual(js);
        await rm(file);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("walks in the module the documents that lie whole in a read chunk, and leaves the JavaScript walk the rest", async () => {
    if (!(await built)) return;
    const docs = Array.from({ length: 50 }, (_, i) => documentOf([element("_id", i), element("a", "app"), element("e", `k${i % 3}`), element("r", new BSONRegExp("x", "")), element("c", i)]));
    // every 10th document has a regex before its `c`: the wasm leaves those to JavaScript
    const plain = docs.map((d, i) => (i % 10 === 0 ? d : documentOf([element("_id", i), element("a", "app"), element("e", `k${i % 3}`), element("c", i)])));
    const file = join(work, "mixed.bson");
    await writeFile(file, concat(plain));
    const layout = new FieldLayout({ a: true, e: true, c: true });
    const got: number[] = [];
    const before = nativeCounts.walked;
    await withScanner("wasm", () => scanBsonFields(file, layout, (f) => void got.push(f.numeric(layout.slot("c"))), { chunkSize: 1 << 16 }));
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // 45 walked by the module (a batch stops before each regex document, which JavaScript reads)
    expect(nativeCounts.walked - before).toBe(45);
  });

  it("reuses an arena's memory without handing a later scan's reader an earlier scan's walk", async () => {
    if (!(await built)) return;
    const layout = new FieldLayout({ c: true });
    const fields = new DocFields(layout);
    const a = (await withScanner("wasm", async () => Arena.acquire(256)))!;
    const doc = (c: number) => documentOf([element("c", c)]);
    a.buffers[0].set(doc(1));
    fields.load(a.buffers[0].subarray(0, doc(1).length), 0, doc(1).length);
    expect(fields.numeric(0)).toBe(1);
    a.release();
    const b = (await withScanner("wasm", async () => Arena.acquire(256)))!;
    expect(b).toBe(a); // the idle arena, reused
    b.buffers[0].set(doc(2));
    fields.load(b.buffers[0].subarray(0, doc(2).length), 0, doc(2).length);
    expect(fields.numeric(0)).toBe(2);
    b.release();
  });
});
