// The raw facts other than rawEvents take the per-document ids rawEvents' batch kernel
// computed (its app and day through ScopeApps.place, its kind, name and insert time through
// RawIds.placedCustom) instead of finding them again: read from a
// .bson file together with rawEvents, in any order of facts and any chunk size, every raw
// fact (rawSessions, rawViews, rawTail, rawInserts, drillMeta, unknownApps) or the pass's
// error is the same with the wasm scanner (kernel rows) as with COUNTLY_CHECK_SCANNER=js.
// The documents carry what the kernel decides on: custom events with and without a string
// `n` (and `n` = "[CLY]_custom"), `cd` absent, a number, NaN, a date, beyond the range; apps
// outside the run; sessions and views between them. Fixed, printed seed.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BSON, Int32, Long } from "bson";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kernelCounts } from "../../../../runner/facts/dump/raw-events-kernel.ts";
import type { FactName } from "../../../../runner/facts/types.ts";
import type { Period } from "../../../../countly/time.ts";
import { SCANNER_ENV, scannerChoice } from "../../../../runner/sources/dump/bson-walk-native.ts";
import { scanRawFacts } from "../../../support/raw-facts-scan.ts";

const SEED = 20261204;
const APPS = [
  { id: "65f0c0ffee00000000000001", name: "Shop", timezone: "Asia/Kathmandu" },
  { id: "65f0c0ffee00000000000002", name: "Bank", timezone: "America/St_Johns" },
  { id: "65f0c0ffee00000000000003", name: "News", timezone: "Europe/Berlin" },
];
const T0 = Date.UTC(2024, 9, 27, 0, 30);
const MIN = 60_000;
const OTHERS: FactName[] = ["rawViews", "rawSessions", "rawTail", "rawInserts", "drillMeta", "unknownApps"];

const rawDoc = fc.record(
  {
    a: fc.oneof({ arbitrary: fc.constantFrom(...APPS.map((a) => a.id)), weight: 40 }, fc.constantFrom<unknown>("65f0c0ffee0000000000000x", 7)),
    e: fc.oneof({ arbitrary: fc.constant("[CLY]_custom"), weight: 30 }, fc.constantFrom<unknown>("[CLY]_session", "[CLY]_session_begin", "[CLY]_view", 3)),
    n: fc.oneof({ arbitrary: fc.constantFrom("Buy", "Login", "Home", "[CLY]_custom", ""), weight: 30 }, fc.constantFrom<unknown>(5, null)),
    ts: fc.oneof({ arbitrary: fc.integer({ min: -600, max: 600 }).map((m) => T0 + m * MIN + 17), weight: 30 }, fc.integer({ min: -600, max: 600 }).map((m) => new Date(T0 + m * MIN))),
    cd: fc.oneof(
      { arbitrary: fc.integer({ min: -20, max: 20 }).map((m) => new Date(T0 + m * MIN + 500)), weight: 20 },
      fc.constantFrom<unknown>(T0 + 0.5, NaN, -0, 8.64e15 + 1, Long.fromNumber(T0), new Int32(7), "2024-10-27", undefined),
    ),
    c: fc.constantFrom<unknown>(1, 2, undefined),
    sg: fc.oneof({ arbitrary: fc.record({ visit: fc.constantFrom(0, 1), name: fc.constantFrom("Home", "Cart") }, { requiredKeys: [] }), weight: 5 }, fc.constantFrom<unknown>({ k: "v", "2": 1 }, undefined)),
    up: fc.constantFrom<unknown>({ src: "google" }, { src: "$a.b" }, undefined),
  },
  { requiredKeys: ["a", "e", "ts"] },
);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-raw-facts-kernel-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Every requested fact over the file read with `scanner`, facts in `order` (each value, or the pass's error). */
function collect(scanner: "wasm" | "js", file: string, order: FactName[], period: Period, chunkSize: number): Promise<unknown> {
  return scanRawFacts(scanner, file, order, { apps: APPS, period, params: { tailMinutes: 5 }, chunkSize });
}

describe(`the raw facts beside rawEvents' batch kernel (fast-check seed ${SEED})`, () => {
  console.log(`raw facts beside the kernel property: fast-check seed ${SEED}`);

  it("give the JavaScript reading's facts, in any order of facts and chunk size", async () => {
    delete process.env[SCANNER_ENV];
    if (scannerChoice().scanner !== "wasm") return; // not built here: bson-walk-native.test.ts fails in CI for that
    const rowsBefore = kernelCounts.rows;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(rawDoc, { maxLength: 600, size: "max" }),
        fc.shuffledSubarray(OTHERS, { minLength: 1 }),
        fc.nat({ max: 6 }),
        fc.constantFrom<Period>({}, { from: "2024-10-27" }, { to: "2024-10-26" }),
        fc.constantFrom(64, 4096, 1 << 20),
        async (docs, others, at, period, chunkSize) => {
          const file = join(work, `r${n++}.bson`);
          await writeFile(file, Buffer.concat(docs.map((d) => BSON.serialize(d as Record<string, unknown>, { ignoreUndefined: true }))));
          const order = [...others];
          order.splice(Math.min(at, order.length), 0, "rawEvents");
          const js = await collect("js", file, order, period, chunkSize);
          const wasm = await collect("wasm", file, order, period, chunkSize);
          expect(wasm).toEqual(js);
          await rm(file);
        },
      ),
      { seed: SEED, numRuns: 50 },
    );
    // the kernel computed most custom events, so the others read its results
    expect(kernelCounts.rows - rowsBefore).toBeGreaterThan(3000);
  });

  it("a custom event without `cd` that the kernel vouched for opens its insert group without a newest insert, as insertTimeAt's undefined", async () => {
    delete process.env[SCANNER_ENV];
    if (scannerChoice().scanner !== "wasm") return;
    const app = APPS[0]!.id;
    // read in JavaScript, they teach the kernel the key (another app's event) and the app's zone (a session); the custom events after them are the kernel's
    const docs = [{ a: APPS[1]!.id, e: "[CLY]_custom", n: "Buy", ts: T0, cd: new Date(T0) }, { a: app, e: "[CLY]_session", ts: T0, cd: new Date(T0) }, { a: app, e: "[CLY]_custom", n: "Buy", ts: T0 + 1 }, ...Array.from({ length: 20 }, (_, i) => ({ a: app, e: "[CLY]_custom", n: "Buy", ts: T0 + 2 + i, cd: new Date(T0 + i * MIN) }))];
    const file = join(work, "no-cd.bson");
    await writeFile(file, Buffer.concat(docs.map((d) => BSON.serialize(d))));
    const before = kernelCounts.rows;
    const order: FactName[] = ["rawEvents", "rawInserts"];
    const wasm = await collect("wasm", file, order, {}, 1 << 20);
    expect(kernelCounts.rows - before).toBeGreaterThan(15);
    expect(wasm).toEqual(await collect("js", file, order, {}, 1 << 20));
    const custom = (wasm as { rawInserts: { value: { rows: { app: string; e: string; maxCd?: number }[] } } }).rawInserts.value.rows.find((r) => r.app === app && r.e === "[CLY]_custom");
    expect(custom?.maxCd).toBe(T0 + 19 * MIN);
  });
});
