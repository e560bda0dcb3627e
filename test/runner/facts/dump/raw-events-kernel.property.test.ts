// rawEvents' batch kernel (native/raw-events.c via raw-events-kernel.ts) gives exactly what
// the JavaScript reader gives: over generated and hostile raw documents (odd types for every
// field; ts in seconds, ms, dates before 1973, at and beyond the Date range, Decimal128; apps
// outside the run and an app in a zone Intl does not know; unicode, long, colliding and
// invalid-UTF-8 event keys; zones with DST, half-hour and 45-minute offsets, LMT) read from a
// .bson file in several chunk sizes, the fact (every group's counters to the bit, the tails,
// maxCdMinute) or its error is the same with the wasm scanner and with COUNTLY_CHECK_SCANNER=js.
// Fixed, printed seed.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BSON, Decimal128, Double, Int32, Long } from "bson";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawEventsFromDump } from "../../../../runner/facts/dump/raw-events.ts";
import { kernelCounts } from "../../../../runner/facts/dump/raw-events-kernel.ts";
import type { AppInfo, FactScope } from "../../../../runner/facts/types.ts";
import type { Period } from "../../../../countly/time.ts";
import { visitEach } from "../../../../runner/facts/collector.ts";
import { scopeApps } from "../../../../runner/facts/dump/drill.ts";
import { FieldLayout, type DocFields, type FieldSelection } from "../../../../runner/sources/dump/bson-fields.ts";
import { scanBsonFields } from "../../../../runner/sources/dump/bson-file-scanner.ts";
import { SCANNER_ENV, scannerChoice } from "../../../../runner/sources/dump/bson-walk-native.ts";
import { concat } from "../../../support/bson-bytes.ts";

const SEED = 20261202;

const ZONES = ["Asia/Kathmandu", "America/St_Johns", "Europe/Berlin", "Pacific/Chatham", "Africa/Monrovia", "Australia/Lord_Howe", "UTC", "America/Sao_Paulo"];
const APPS: AppInfo[] = [
  ...Array.from({ length: 30 }, (_, i) => ({ id: `65f0c0ffee${String(i).padStart(14, "0")}`, name: `App ${i}`, timezone: ZONES[i % ZONES.length]! })),
  { id: "café-app", name: "Unicode", timezone: "Europe/Berlin" },
  { id: "65f0", name: "Prefix", timezone: "UTC" },
  // ids that differ outside the bytes a word hash reads: the table then hashes every byte
  ...Array.from({ length: 6 }, (_, i) => ({ id: `app-${i}-${"z".repeat(20)}`, name: `Same words ${i}`, timezone: "Asia/Kolkata" })),
];
const MARS = { id: "65f0c0ffee0000000000000m", name: "Mars", timezone: "Mars/Olympus_Mons" };
const T0 = Date.UTC(2024, 9, 27, 0, 30); // Berlin's DST change (01:00 UTC), around local midnights
const MIN = 60_000;
const MAX = 8.64e15;

/** A datetime placeholder: its 8 bytes are replaced by the int64 `ms` after serialising (a BSON date beyond what a Date holds). */
const PATCHED_DATES = [9e15, -9e15, 8.64e15 + 1];
const placeholderDate = (i: number) => new Date(1_234_567_000 + i);
/** A string placeholder whose bytes are made invalid UTF-8, or whose terminator is damaged. */
const BAD_UTF8 = "\u0001bad-utf8\u0001";
const NO_TERMINATOR = "\u0002no-terminator";

const counter = fc.oneof(
  { arbitrary: fc.integer({ min: -3, max: 9 }), weight: 25 },
  fc.constantFrom(-0, 0.5, -0.5, 1e300, -1e300, NaN, Infinity, -Infinity, "3", "abc", "", null, true, 2 ** 40 + 0.5),
  fc.constant(new Double(-0)),
  fc.integer({ min: -5, max: 5 }).map((n) => new Int32(n)),
  fc.constantFrom(Long.fromNumber(4), Long.fromString("9007199254740993"), Long.fromString("-9223372036854775808"), Decimal128.fromString("2.5"), Decimal128.fromString("NaN")),
);
const minuteOffset = fc.integer({ min: -30, max: 40 });
const insertAt = fc.oneof(
  { arbitrary: minuteOffset.chain((m) => fc.integer({ min: 0, max: MIN - 1 }).map((ms) => new Date(T0 + m * MIN + ms))), weight: 30 },
  minuteOffset.map((m) => T0 + m * MIN + 0.5),
  fc.constantFrom<unknown>(placeholderDate(0), "2024-10-26", Long.fromNumber(T0), new Date(T0 - 3 * 86_400_000), Decimal128.fromString("1730000000000"), NaN, -0, MAX, -MAX - 1, new Int32(7)),
);
const QUARTER = 15 * MIN;
const time = fc.oneof(
  // mostly a few quarter hours around the DST change (the kernel's cached offsets then serve most documents)
  { arbitrary: fc.tuple(fc.integer({ min: -6, max: 6 }), fc.integer({ min: 0, max: QUARTER - 1 })).map(([q, ms]) => T0 + q * QUARTER + ms), weight: 400 },
  { arbitrary: fc.integer({ min: -3 * 1440, max: 3 * 1440 }).map((m) => T0 + m * MIN + 17), weight: 20 },
  { arbitrary: fc.constantFrom(-4e12, 1e9, -1e9, 5e10), weight: 4 }, // 1843 (local mean time); seconds, around 1970
  fc.integer({ min: -3 * 1440, max: 3 * 1440 }).map((m) => new Date(T0 + m * MIN)),
  fc.integer({ min: -3 * 1440, max: 3 * 1440 }).map((m) => Math.floor((T0 + m * MIN) / 1000)), // seconds
  fc.integer({ min: -3 * 1440, max: 3 * 1440 }).map((m) => new Double((T0 + m * MIN) / 1000 + 0.25)),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => new Int32(n)),
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      new Date(5e10), // a date before 1973: read as seconds, as rawTimestamp does
      new Date(-4e12), // 1843: local mean time in Monrovia, Kathmandu...
      8.64e12, // seconds at the end of the Date range
      -8.64e12,
      -0,
      new Double(-0),
      1e11,
      1e11 - 1,
      Long.fromNumber(T0),
      Decimal128.fromString("1730000000000"),
      "1730000000000",
      null,
      true,
    ),
  },
  // no time at all: the document's problem, which stops the fact
  fc.constantFrom<unknown>(new Date(MAX), new Date(-MAX), MAX, -MAX, 8.64e12 + 1, MAX + 1, NaN, Infinity, -Infinity, Long.fromString("4611686018427387904"), placeholderDate(0), placeholderDate(1), placeholderDate(2)),
);
const KEYS = ["Buy", "Login", "Video Play", "[CLY]_custom", "Café ☕", "日本語のイベント", "🎉", "x".repeat(300), "", "Buy ", "item_0001_view", "item_0002_view", "item_0003_view", "item_0004_view", "item_0005_view", "item_0006_view", ...Array.from({ length: 6 }, (_, i) => `evt_00${i}${"x".repeat(23)}`)];
const appArb = fc.oneof(
  { arbitrary: fc.constantFrom(...APPS.slice(0, 4).map((a) => a.id), ...APPS.slice(-3).map((a) => a.id)), weight: 3000 },
  { arbitrary: fc.constantFrom(...APPS.map((a) => a.id)), weight: 600 },
  { arbitrary: fc.constantFrom<unknown>("65f0c0ffee0000000000000x", "65f0c", "", 7, null, BAD_UTF8), weight: 100 },
  { arbitrary: fc.constant(MARS.id), weight: 2 },
);
const rawDoc = fc.record(
  {
    a: appArb,
    e: fc.oneof({ arbitrary: fc.constant("[CLY]_custom"), weight: 30 }, fc.constantFrom<unknown>("[CLY]_session", "[CLY]_view", "[CLY]_custom ", "[CLY]_custoM", 3, null)),
    n: fc.oneof(
      { arbitrary: fc.constantFrom(...KEYS), weight: 6000 },
      { arbitrary: fc.string({ maxLength: 6 }), weight: 30 },
      { arbitrary: fc.constantFrom<unknown>(5, null), weight: 10 },
      { arbitrary: fc.constantFrom<unknown>(BAD_UTF8, NO_TERMINATOR), weight: 1 },
    ),
    ts: time,
    cd: insertAt,
    c: counter,
    s: counter,
    dur: counter,
    sg: fc.constant({ k: "v" }),
  },
  { requiredKeys: ["a", "e"] },
);

/** The documents as one .bson file, placeholders patched. */
function bsonFile(docs: readonly Record<string, unknown>[]): Uint8Array {
  const parts = docs.map((d) => {
    const b = BSON.serialize(d);
    PATCHED_DATES.forEach((ms, i) => replace(b, int64(placeholderDate(i).getTime()), int64(ms)));
    const bad = new TextEncoder().encode(BAD_UTF8);
    replace(b, bad, bad.map((x, i) => (i === 1 ? 0xc3 : i === 2 ? 0x28 : x)));
    const cut = new TextEncoder().encode(NO_TERMINATOR);
    const at = indexOf(b, cut);
    if (at >= 0) b[at + cut.length] = 0x41;
    return b;
  });
  return concat(parts);
}

function int64(ms: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(ms), true);
  return b;
}

function indexOf(b: Uint8Array, what: Uint8Array): number {
  outer: for (let i = 0; i + what.length <= b.length; i++) {
    for (let k = 0; k < what.length; k++) if (b[i + k] !== what[k]) continue outer;
    return i;
  }
  return -1;
}

function replace(b: Uint8Array, what: Uint8Array, by: Uint8Array): void {
  for (let at = indexOf(b, what); at >= 0; at = indexOf(b, what)) b.set(by, at);
}

function scopeOf(apps: AppInfo[], period: Period, tailMinutes: number): FactScope {
  return { apps, period, layout: { events: "current", drill: "current", views: "current" }, databases: { countly: "countly", drill: "countly_drill" }, params: { tailMinutes } };
}

/**
 * The fact over the file read with `scanner`, or its error's text; with `placing`, another raw
 * fact's view of the same pass beside it (before or after rawEvents): ScopeApps.place's app and
 * day (or error) per document, which the kernel gives for the documents it vouches for.
 */
async function collect(scanner: "wasm" | "js", file: string, scope: FactScope, fields: FieldSelection, chunkSize: number, placing?: "before" | "after"): Promise<unknown> {
  const before = process.env[SCANNER_ENV];
  process.env[SCANNER_ENV] = scanner;
  const placed: unknown[] = [];
  try {
    const catalog = { collections: { countly_drill: ["drill_events"] }, eventLists: {} };
    const v = rawEventsFromDump.start(scope, catalog);
    const layout = new FieldLayout(fields);
    const raw = v.reader(layout, { db: "countly_drill", name: "drill_events" });
    const apps = scopeApps(scope);
    const [A, E, TS] = [layout.slot("a"), layout.slot("e"), layout.slot("ts")];
    const place = (doc: DocFields) => {
      try {
        const app = apps.place(doc, A, E, TS);
        placed.push(app < 0 ? app : [app, apps.day]);
      } catch (e) {
        placed.push(String(e));
      }
    };
    const visit = placing === undefined ? raw : visitEach(placing === "before" ? [place, raw] : [raw, place]);
    await scanBsonFields(file, layout, visit, { chunkSize });
    const out = v.finish();
    return { rows: out.rows.map((r) => ({ ...r })), maxCdMinute: out.maxCdMinute, placed };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}`, placed };
  } finally {
    if (before === undefined) delete process.env[SCANNER_ENV];
    else process.env[SCANNER_ENV] = before;
  }
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-raw-kernel-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe(`rawEvents' batch kernel (fast-check seed ${SEED})`, () => {
  console.log(`rawEvents kernel property: fast-check seed ${SEED}`);

  it("gives the JavaScript reader's fact or error on generated and hostile documents, in any chunk size", async () => {
    delete process.env[SCANNER_ENV];
    if (scannerChoice().scanner !== "wasm") return; // not built here: bson-walk-native.test.ts fails in CI for that
    const rowsBefore = kernelCounts.rows;
    let n = 0;
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(rawDoc, { maxLength: 700, size: "max" }),
        fc.constantFrom<Period>({}, { from: "2024-10-26" }, { to: "2024-10-26" }, { from: "2024-10-27", to: "2024-10-27" }),
        fc.integer({ min: 0, max: 12 }),
        fc.boolean(),
        fc.constantFrom(64, 4096, 1 << 20, 1 << 20),
        fc.constantFrom<FieldSelection>(rawEventsFromDump.fields!, { ...rawEventsFromDump.fields!, up: ["src"], sg: true, _id: true }),
        fc.constantFrom<"before" | "after" | undefined>(undefined, "before", "after"),
        async (docs, period, tailMinutes, withMars, chunkSize, fields, placing) => {
          const file = join(work, `r${n++}.bson`);
          await writeFile(file, bsonFile(docs as Record<string, unknown>[]));
          const scope = scopeOf(withMars ? [...APPS, MARS] : APPS, period, tailMinutes);
          const js = await collect("js", file, scope, fields, chunkSize, placing);
          const wasm = await collect("wasm", file, scope, fields, chunkSize, placing);
          expect(wasm).toEqual(js);
          if ((js as { error?: string }).error !== undefined) errors++;
          await rm(file);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
    console.log(`rawEvents kernel property: ${kernelCounts.rows - rowsBefore} documents computed by the kernel, ${errors} of 60 runs ended in a document's error`);
    // the kernel computed documents, and some runs ended in a document's error
    expect(kernelCounts.rows - rowsBefore).toBeGreaterThan(5000);
    expect(errors).toBeGreaterThan(0);
  });

  it("leaves a known key whose string lacks its terminator to JavaScript, which throws bson's error", async () => {
    delete process.env[SCANNER_ENV];
    if (scannerChoice().scanner !== "wasm") return;
    const doc = { a: APPS[0]!.id, e: "[CLY]_custom", ts: T0, n: "Buy" };
    // `n` last, its length one byte short: its bytes are "Buy", its terminator byte "Q"
    const damaged = BSON.serialize({ ...doc, n: "BuyQ" });
    const bytes = new Uint8Array(damaged.subarray(0, damaged.length - 1));
    new DataView(bytes.buffer).setInt32(0, bytes.length, true);
    new DataView(bytes.buffer).setInt32(bytes.length - 9, 4, true);
    const file = join(work, "terminator.bson");
    await writeFile(file, Buffer.concat([...Array.from({ length: 5 }, () => BSON.serialize(doc)), bytes]));
    const scope = scopeOf(APPS, {}, 0);
    const wasm = await collect("wasm", file, scope, rawEventsFromDump.fields!, 1 << 20);
    expect((wasm as { error?: string }).error).toContain("bad string length");
    expect(wasm).toEqual(await collect("js", file, scope, rawEventsFromDump.fields!, 1 << 20));
  });

  it("counts -0 and 2^53+1 exactly and keeps the ids of keys learnt in the middle of a batch", async () => {
    delete process.env[SCANNER_ENV];
    if (scannerChoice().scanner !== "wasm") return;
    const app = APPS[2]!.id;
    const docs = Array.from({ length: 600 }, (_, i) => ({ a: app, e: "[CLY]_custom", n: `k${i % 37}`, ts: T0 + i * 7_000, c: i % 5 === 0 ? new Double(-0) : 1, s: Long.fromString("9007199254740993"), dur: new Double(-0), cd: new Date(T0 + i * MIN) }));
    const file = join(work, "exact.bson");
    await writeFile(file, bsonFile(docs));
    const scope = scopeOf(APPS, {}, 5);
    const before = kernelCounts.rows;
    const wasm = await collect("wasm", file, scope, rawEventsFromDump.fields!, 1 << 20);
    expect(kernelCounts.rows - before).toBeGreaterThan(500);
    expect(wasm).toEqual(await collect("js", file, scope, rawEventsFromDump.fields!, 1 << 20));
    const rows = (wasm as { rows: { key: string; c: number; s: number; docs: number }[] }).rows;
    expect(rows.map((r) => r.key).sort()).toEqual(Array.from({ length: 37 }, (_, i) => `k${i}`).sort());
    // a -0 count counts 1 (c = c || 1); an int64 beyond 2^53 is read as the nearest double
    expect(rows.every((r) => r.c === r.docs && r.s === r.docs * 9007199254740992)).toBe(true);
  });
});
