// ScopeApps (runner/facts/dump/drill.ts): the app-local day of a raw event, with each app's
// UTC offset remembered for the quarter hour of its last event, is exactly countly/time.ts's
// LocalDays.number: the same day for every ts (fractions of a ms next to a quarter hour,
// DST changes, local-mean-time offsets of the 19th century, both ends of the Date range),
// and the same error where that throws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localDaysByZone } from "../../../../countly/time.ts";
import { ScopeApps } from "../../../../runner/facts/dump/drill.ts";

const ZONES = ["Europe/Berlin", "Australia/Adelaide", "America/St_Johns", "Asia/Kolkata", "Asia/Kathmandu", "UTC", "Pacific/Chatham", "America/Los_Angeles"];
const QUARTER = 15 * 60 * 1000;
const seed = 20261202;

function outcome(f: () => number): number | string {
  try {
    return f();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe(`ScopeApps.dayOf (seed ${seed})`, () => {
  const apps = new ScopeApps(ZONES.map((timezone, i) => ({ id: `app${i}`, name: `App ${i}`, timezone })));
  const reference = ZONES.map((z) => localDaysByZone()(z));

  const arbTs = fc.oneof(
    // around quarter hours, to the fraction of a ms, in years with DST changes
    fc.tuple(fc.integer({ min: Date.UTC(2023, 0, 1) / QUARTER, max: Date.UTC(2025, 0, 1) / QUARTER }), fc.constantFrom(0, 1e-3, -1e-3, 0.5, -0.5, 1, -1, QUARTER / 2)).map(([q, d]) => q * QUARTER + d),
    // local mean time and early offsets
    fc.integer({ min: Date.UTC(1850, 0, 1), max: Date.UTC(1990, 0, 1) }),
    fc.double({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2025, 0, 1), noNaN: true }),
    // the ends of the Date range (some days are beyond it: both throw)
    fc.integer({ min: -8.64e15, max: -8.64e15 + 3 * 86_400_000 }),
    fc.integer({ min: 8.64e15 - 3 * 86_400_000, max: 8.64e15 }),
  );

  it("equals LocalDays.number for events in file order and in any order, per app", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: ZONES.length - 1 }), arbTs), { minLength: 1, maxLength: 200 }), fc.boolean(), (events, sorted) => {
        if (sorted) events.sort((x, y) => x[1] - y[1]);
        for (const [app, ts] of events) {
          const want = outcome(() => reference[app]!.number(ts));
          const got = outcome(() => apps.dayOf(app, ts));
          if (got !== want) expect({ zone: ZONES[app], ts, got }).toEqual({ zone: ZONES[app], ts, got: want });
          // again: now from the remembered offset
          expect(outcome(() => apps.dayOf(app, ts))).toBe(want);
        }
      }),
      { seed, numRuns: 300 },
    );
  });

  it("equals LocalDays.number for dense events around local midnights and DST changes (the quarter hour remembered per app)", () => {
    // many events per quarter hour, as raw data has: mostly answered from the range of ts already seen on that day
    // (app, instant): Berlin's DST changes and local midnight, Kathmandu's +05:45 midnight, Chatham's +13:45 change
    const around = [[0, Date.UTC(2024, 2, 31, 1, 0)], [0, Date.UTC(2024, 9, 26, 22, 0)], [0, Date.UTC(2024, 9, 27, 1, 0)], [4, Date.UTC(2024, 5, 1, 18, 15)], [6, Date.UTC(2024, 3, 6, 14, 0)]] as const;
    const arbNear = fc.tuple(fc.constantFrom(...around), fc.integer({ min: -2 * QUARTER, max: 2 * QUARTER }), fc.constantFrom(0, 0.25, -0.25)).map(([[app, t], d, f]) => [app, t + d + f] as const);
    fc.assert(
      fc.property(fc.array(arbNear, { minLength: 1, maxLength: 400 }), fc.boolean(), (events, sorted) => {
        const fresh = new ScopeApps(ZONES.map((timezone, i) => ({ id: `app${i}`, name: `App ${i}`, timezone })));
        if (sorted) events = [...events].sort((x, y) => x[1] - y[1]);
        for (const [app, ts] of events) expect([ZONES[app], ts, fresh.dayOf(app, ts)]).toEqual([ZONES[app], ts, reference[app]!.number(ts)]);
      }),
      { seed: seed + 1, numRuns: 200 },
    );
  });

  it("tells apart ts a fraction of a ms either side of a local midnight, after events of the day before", () => {
    const fresh = new ScopeApps(ZONES.map((timezone, i) => ({ id: `app${i}`, name: `App ${i}`, timezone })));
    for (const [app, midnight] of [[0, Date.UTC(2024, 9, 26, 22, 0)], [4, Date.UTC(2024, 5, 1, 18, 15)]] as const) {
      const seq = [midnight - 60_000, midnight - 1, midnight - 0.25, midnight, midnight + 0.25, midnight - 0.5];
      expect(seq.map((ts) => fresh.dayOf(app, ts))).toEqual(seq.map((ts) => reference[app]!.number(ts)));
      expect(fresh.dayOf(app, midnight) - fresh.dayOf(app, midnight - 0.25)).toBe(1);
    }
  });

  it("crosses midnight and DST changes inside one quarter hour's neighbours correctly", () => {
    // Berlin 2024-03-31 01:00 UTC (02:00 -> 03:00 local) and 2024-10-27 01:00 UTC; Kathmandu's +05:45 midnight
    for (const [app, start] of [[0, Date.UTC(2024, 2, 31, 0, 0)], [0, Date.UTC(2024, 9, 26, 22, 0)], [4, Date.UTC(2024, 5, 1, 18, 0)], [6, Date.UTC(2024, 3, 6, 13, 0)]] as const) {
      for (let ts = start; ts < start + 4 * 3_600_000; ts += 59_999.5) expect(apps.dayOf(app, ts)).toBe(reference[app]!.number(ts));
    }
  });
});
