// rawEvents' batch kernel (native/raw-events.c through raw-events-kernel.ts) driven directly
// over one walked batch, with the apps' zone offsets cached beforehand: every document here
// is one the kernel must compute itself, so a wrong rule cannot hide behind the JavaScript
// fallback (in the reader-level property test, a time scaled by a wrong seconds threshold
// lands in an uncached quarter hour, JavaScript reads the document and the fact stays right).
// The expected values are worked out here from rawEvents' rules (runner/facts/numbers.ts,
// ScopeApps.dayOf): ts below 1e11 is seconds; the day is floor((ms + the zone's offset) /
// 1 day); c is trunc(c) when finite and not 0, else 1; s and dur count when finite, else 0;
// cd is the insert time, NaN without one. A second test proves the kernel's memoised places
// (an interval of times per zone) give exactly floor(ts / 15 min) and floor((ts + offset) /
// 1 day) on times at and next to quarter-hour and day boundaries. Fixed, printed seed.
import { BSON, Double, Int32, Long } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utcOffsetMs } from "../../../../countly/time.ts";
import { ScopeApps } from "../../../../runner/facts/dump/drill.ts";
import { rawEventsFromDump } from "../../../../runner/facts/dump/raw-events.ts";
import { RawEventsKernel } from "../../../../runner/facts/dump/raw-events-kernel.ts";
import type { AppInfo } from "../../../../runner/facts/types.ts";
import { FieldLayout, StringInterner } from "../../../../runner/sources/dump/bson-fields.ts";
import { Arena, BatchWalker, SCANNER_ENV, scannerChoice, WALK_BATCH } from "../../../../runner/sources/dump/bson-walk-native.ts";
import { concat } from "../../../support/bson-bytes.ts";

const SEED = 20261203;
const DAY = 86_400_000;
const QUARTER = 900_000;

const APPS: AppInfo[] = [
  { id: "65f0c0ffee00000000000001", name: "UTC", timezone: "UTC" },
  { id: "65f0c0ffee00000000000002", name: "Kolkata", timezone: "Asia/Kolkata" },
  { id: "65f0c0ffee00000000000003", name: "St John's", timezone: "America/St_Johns" },
  { id: "65f0c0ffee00000000000004", name: "Monrovia", timezone: "Africa/Monrovia" },
  { id: "65f0c0ffee00000000000005", name: "Kathmandu", timezone: "Asia/Kathmandu" },
  { id: "65f0c0ffee00000000000006", name: "Chatham", timezone: "Pacific/Chatham" },
  // more zones than the kernel's memo has entries (16): zones that share an entry take turns
  ...["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Adelaide", "Australia/Lord_Howe", "America/Sao_Paulo", "Asia/Tehran", "America/Caracas", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Dhaka", "Europe/Moscow", "Africa/Casablanca", "Asia/Kabul"].map((timezone, i) => ({ id: `65f0c0ffee000000000001${String(i).padStart(2, "0")}`, name: timezone, timezone })),
];
const [UTC, KOLKATA, ST_JOHNS] = [0, 1, 2];
const KEYS = ["[CLY]_custom", "Login", "Buy", "Video Play", "x".repeat(40), "Café ☕"];

/** The day number of a calendar date (days since 1970-01-01). */
const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY;

interface Row {
  /** What the document is about. */
  what: string;
  doc: Record<string, unknown>;
  /** Its time in ms (where its zone's offsets are cached), when it has one. */
  ms?: number;
  app: number;
  day?: number;
  counts?: { key: number; c: number; s: number; dur: number; cd: number };
}

const ev = (app: number, ts: unknown, more: Record<string, unknown> = {}) => ({ a: APPS[app]!.id, e: "[CLY]_custom", n: "Login", ts, ...more });
const one = { key: 1, c: 1, s: 0, dur: 0, cd: NaN };

// local midnight in Kolkata (UTC+5:30) on 2025-01-16 and in St John's (UTC-2:30, DST) on 2025-07-01
const KOLKATA_MIDNIGHT = Date.UTC(2025, 0, 15, 18, 30);
const ST_JOHNS_MIDNIGHT = Date.UTC(2025, 6, 1, 2, 30);

const ROWS: Row[] = [
  // the seconds threshold: below 1e11 a time is seconds (dates too, as rawTimestamp reads them)
  { what: "a double of seconds below 1e10", doc: ev(UTC, 1_700_000_000.25), ms: 1_700_000_000_250, app: UTC, day: dayOf("2023-11-14"), counts: one },
  { what: "an int32 of seconds", doc: ev(UTC, new Int32(1_700_000_000)), ms: 1_700_000_000_000, app: UTC, day: dayOf("2023-11-14"), counts: one },
  { what: "a double of seconds between 1e10 and 1e11", doc: ev(UTC, 5e10), ms: 5e13, app: UTC, day: Math.floor(5e13 / DAY), counts: one },
  { what: "a date below 1e11 ms, read as seconds", doc: ev(UTC, new Date(2e10)), ms: 2e13, app: UTC, day: Math.floor(2e13 / DAY), counts: one },
  { what: "an int64 of seconds just below 1e11", doc: ev(UTC, Long.fromNumber(1e11 - 1)), ms: (1e11 - 1) * 1000, app: UTC, day: Math.floor(((1e11 - 1) * 1000) / DAY), counts: one },
  { what: "1e11 itself: milliseconds (1973)", doc: ev(UTC, 1e11), ms: 1e11, app: UTC, day: dayOf("1973-03-03"), counts: one },
  { what: "an int64 of milliseconds", doc: ev(UTC, Long.fromNumber(Date.UTC(2025, 0, 2, 3))), ms: Date.UTC(2025, 0, 2, 3), app: UTC, day: dayOf("2025-01-02"), counts: one },
  // days: floor, local midnights, fractions of a millisecond
  { what: "a negative time (seconds, as every time below 1e11): a negative day, floor not trunc", doc: ev(UTC, -4e12 - 0.5), ms: -4e15 - 500, app: UTC, day: -46296297, counts: one },
  { what: "a millisecond before midnight in Kolkata", doc: ev(KOLKATA, KOLKATA_MIDNIGHT - 1), ms: KOLKATA_MIDNIGHT - 1, app: KOLKATA, day: dayOf("2025-01-15"), counts: one },
  { what: "half a millisecond before midnight in Kolkata", doc: ev(KOLKATA, KOLKATA_MIDNIGHT - 0.5), ms: KOLKATA_MIDNIGHT - 0.5, app: KOLKATA, day: dayOf("2025-01-15"), counts: one },
  { what: "midnight in Kolkata", doc: ev(KOLKATA, KOLKATA_MIDNIGHT), ms: KOLKATA_MIDNIGHT, app: KOLKATA, day: dayOf("2025-01-16"), counts: one },
  { what: "midnight in Kolkata, in seconds", doc: ev(KOLKATA, new Int32(KOLKATA_MIDNIGHT / 1000)), ms: KOLKATA_MIDNIGHT, app: KOLKATA, day: dayOf("2025-01-16"), counts: one },
  { what: "a millisecond before midnight in St John's (DST)", doc: ev(ST_JOHNS, ST_JOHNS_MIDNIGHT - 1), ms: ST_JOHNS_MIDNIGHT - 1, app: ST_JOHNS, day: dayOf("2025-06-30"), counts: one },
  { what: "midnight in St John's (DST)", doc: ev(ST_JOHNS, new Date(ST_JOHNS_MIDNIGHT)), ms: ST_JOHNS_MIDNIGHT, app: ST_JOHNS, day: dayOf("2025-07-01"), counts: one },
  // key ids (the interner's), and `[CLY]_custom` without a string `n`
  { what: "key Buy", doc: ev(UTC, 1e12, { n: "Buy" }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { ...one, key: 2 } },
  { what: "key Video Play", doc: ev(UTC, 1e12, { n: "Video Play" }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { ...one, key: 3 } },
  { what: "a 40-byte key", doc: ev(UTC, 1e12, { n: "x".repeat(40) }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { ...one, key: 4 } },
  { what: "a unicode key", doc: ev(UTC, 1e12, { n: "Café ☕" }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { ...one, key: 5 } },
  { what: "no n", doc: { a: APPS[UTC]!.id, e: "[CLY]_custom", ts: 1e12 }, ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { ...one, key: 0 } },
  { what: "a number n", doc: ev(UTC, 1e12, { n: 5 }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { ...one, key: 0 } },
  // c: trunc when finite and not 0, else 1; s and dur: when finite, else 0; cd: the insert time
  { what: "counters of every kind", doc: ev(UTC, 1e12, { c: new Int32(3), s: 2.5, dur: new Int32(-4), cd: new Date(1e12 + 7) }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { key: 1, c: 3, s: 2.5, dur: -4, cd: 1e12 + 7 } },
  { what: "fractions", doc: ev(UTC, 1e12, { c: 2.7, s: -0.25, dur: 1e300, cd: 123.5 }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { key: 1, c: 2, s: -0.25, dur: 1e300, cd: 123.5 } },
  { what: "negative fractions", doc: ev(UTC, 1e12, { c: -2.7, s: new Int32(0), dur: 0.5 }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { key: 1, c: -2, s: 0, dur: 0.5, cd: NaN } },
  { what: "zero and non-finite counters", doc: ev(UTC, 1e12, { c: 0, s: NaN, dur: -Infinity, cd: "2025-01-01" }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { key: 1, c: 1, s: 0, dur: 0, cd: NaN } },
  { what: "-0 and infinity", doc: ev(UTC, 1e12, { c: new Double(-0), s: Infinity, dur: null }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { key: 1, c: 1, s: 0, dur: 0, cd: NaN } },
  { what: "int64 counters", doc: ev(UTC, 1e12, { c: Long.fromNumber(4), s: Long.fromString("9007199254740993"), dur: Long.fromNumber(-7), cd: Long.fromNumber(1e12) }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: { key: 1, c: 4, s: 9007199254740992, dur: -7, cd: 1e12 } },
  { what: "a boolean c", doc: ev(UTC, 1e12, { c: true }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: one },
  { what: "infinite c", doc: ev(UTC, 1e12, { c: -Infinity }), ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY), counts: one },
  // placed but not counted, and not placed
  { what: "a session event: placed, not counted", doc: { ...ev(KOLKATA, KOLKATA_MIDNIGHT), e: "[CLY]_session" }, ms: KOLKATA_MIDNIGHT, app: KOLKATA, day: dayOf("2025-01-16") },
  { what: "an e one byte longer", doc: { ...ev(UTC, 1e12), e: "[CLY]_customs" }, ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY) },
  { what: "an e one byte off", doc: { ...ev(UTC, 1e12), e: "[CLY]_custoM" }, ms: 1e12, app: UTC, day: Math.floor(1e12 / DAY) },
  { what: "an app outside the run", doc: { ...ev(UTC, 1e12), a: "65f0c0ffee0000000000000x" }, app: -1 },
  { what: "no ts", doc: { a: APPS[UTC]!.id, e: "[CLY]_custom", n: "Login" }, app: -1 },
  { what: "a string ts", doc: ev(UTC, "1700000000000"), app: -1 },
];

/** The kernel's outputs for `docs`, one walked batch, the zones' offsets cached at every time of `cached` (app, ms); undefined without the module. */
function kernelRows(docs: readonly Record<string, unknown>[], cached: readonly [number, number][]) {
  const bytes = concat(docs.map((d) => BSON.serialize(d)));
  const arena = Arena.acquire(1 << 20)!;
  try {
    const b = arena.buffers[0].subarray(0, bytes.length);
    b.set(bytes);
    const layout = new FieldLayout(rawEventsFromDump.fields!);
    const walker = BatchWalker.create(arena, layout)!;
    expect(walker.next(b, 0, new DataView(bytes.buffer).getInt32(0, true))).toBe(0);
    expect(walker.count).toBe(docs.length);
    const apps = new ScopeApps(APPS);
    const keys = new StringInterner();
    for (const k of KEYS) keys.add(k);
    const kernel = RawEventsKernel.create(walker, layout, apps, keys, 0)!;
    for (const [app, ms] of cached) {
      apps.dayOf(app, ms);
      kernel.learn(app);
    }
    return docs.map((_, r) => {
      const vouched = kernel.vouches(walker, r);
      const counted = kernel.counts[r] === 1;
      return {
        vouched,
        app: kernel.app[r],
        day: kernel.app[r]! >= 0 ? kernel.day[r] : undefined,
        counts: counted ? { key: kernel.key[r], c: kernel.c[r], s: kernel.s[r], dur: kernel.dur[r], cd: kernel.cd[r] } : undefined,
      };
    });
  } finally {
    arena.release();
  }
}

const wasmBuilt = (): boolean => {
  delete process.env[SCANNER_ENV];
  return scannerChoice().scanner === "wasm"; // not built here: bson-walk-native.test.ts fails in CI for that
};

describe(`rawEvents' batch kernel, driven directly (fast-check seed ${SEED})`, () => {
  console.log(`raw-events kernel direct: fast-check seed ${SEED}`);

  it("computes every document itself, with rawEvents' app, day, key id, c, s, dur and cd", () => {
    if (!wasmBuilt()) return;
    const got = kernelRows(
      ROWS.map((r) => r.doc),
      ROWS.filter((r) => r.ms !== undefined).map((r) => [r.app, r.ms!]),
    );
    ROWS.forEach((row, r) => {
      expect({ what: row.what, ...got[r] }).toEqual({ what: row.what, vouched: true, app: row.app, day: row.day, counts: row.counts });
    });
  });

  it("memoises each zone's place exactly: floor(ts / 15 min) and floor((ts + offset) / 1 day) at and next to their boundaries", () => {
    if (!wasmBuilt()) return;
    // times at quarter-hour and local-day boundaries, and the doubles and milliseconds around them
    const boundary = fc.oneof(
      fc.integer({ min: -3000, max: 3000 }).map((q) => Date.UTC(2025, 2, 30) + q * QUARTER), // around Berlin's and Chatham's DST changes
      fc.integer({ min: -400, max: 400 }).map((q) => Date.UTC(1950, 5, 1) + q * QUARTER), // Monrovia's -0:44:30: quarters across local midnights
      fc.integer({ min: -40, max: 40 }).map((q) => -4e12 + q * QUARTER),
      fc.integer({ min: -40, max: 40 }).map((q) => 8.64e15 - 2 * DAY + q * QUARTER), // the end of the Date range: steps of 1 and 2 ms
      fc.constant(0),
      // a few quarter hours where zones of one memo entry have different days (UTC and Dhaka, UTC+6): many documents each
      { arbitrary: fc.integer({ min: -2, max: 2 }).map((q) => Date.UTC(2025, 0, 1, 20) + q * QUARTER), weight: 3 },
    );
    // the time as stored: ms from 1e11 on, else seconds (rawTimestamp's rule), nudged in its own unit
    const nudge = fc.constantFrom<number | "up" | "down" | "up2" | "down2">(0, 1, -1, 0.5, -0.5, 0.25, -0.001, 0.001, 2, -2, 59, -59, "up", "down", "up2", "down2");
    const time = fc.tuple(boundary, nudge, fc.integer({ min: 0, max: APPS.length - 1 })).map(([t, nudged, app]) => {
      let n = t >= 1e11 ? t : t / 1000;
      if (typeof nudged === "number") n += nudged;
      else for (let i = nudged.endsWith("2") ? 2 : 1; i > 0; i--) n = nudged.startsWith("up") ? nextUp(n) : -nextUp(-n);
      return { app, n, ms: n < 1e11 ? n * 1000 : n };
    });
    let vouched = 0;
    let all = 0;
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: WALK_BATCH / 2, size: "max" }), fc.boolean(), (times, sorted) => {
        const list = sorted ? [...times].sort((x, y) => x.ms - y.ms) : times;
        const got = kernelRows(
          list.map(({ app, n }) => ev(app, n)),
          list.map(({ app, ms }) => [app, ms]),
        );
        got.forEach((g, i) => {
          all++;
          if (!g.vouched) return; // its quarter's cached offset was overwritten by another's: JavaScript reads it
          vouched++;
          const { app, ms } = list[i]!;
          expect({ ms, app: g.app, day: g.day }).toEqual({ ms, app, day: Math.floor((ms + utcOffsetMs(APPS[app]!.timezone, ms)) / DAY) + 0 }); // + 0: the day is an int32 (-0 is 0)
        });
      }),
      { seed: SEED, numRuns: 100 },
    );
    console.log(`raw-events kernel direct: ${vouched} of ${all} boundary times computed by the kernel`);
    expect(vouched).toBeGreaterThan(all * 0.9);
  });
});

/** The double after x (x finite). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  b.setBigInt64(0, b.getBigInt64(0) + (x > 0 ? 1n : -1n));
  return b.getFloat64(0);
}
