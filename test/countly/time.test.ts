import { describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import {
  assertTimezone, dayFromMonthAndKey, dayKeyOfDay, dayName, dayOf, hourOf, inPeriod, isDay, isValidTimezone, LocalDays, localDaysByZone, localMs, monthIdOfDay, monthIdsOfPeriod,
  utcOffsetMs, zeroIdOfDay, ZoneOffsets,
} from "../../countly/time.ts";
import { oracleDay, oracleHour, oracleOffsetMs } from "../support/countly-oracle.ts";

const QUARTER = 15 * 60 * 1000;
const SEED = 20261125;
/** Under Stryker (vitest.mutation.config.ts) the instrumented code is ~20x slower: a tenth of the work. */
const QUICK = process.env.COUNTLY_CHECK_MUTATION === "1";
const RUNS = QUICK ? 300 : 3000;
console.log(`countly/time property tests: fast-check seed ${SEED}`);

/**
 * What utcOffsetMs promises: the offset at the start of the quarter hour, to the minute.
 * Asked of test/support/countly-oracle.ts, which reads Intl's offset name ("GMT+05:45")
 * instead of copying computeOffset's wall-clock arithmetic.
 */
function reference(timezone: string, ts: number): number {
  return oracleOffsetMs(timezone, Math.floor(ts / QUARTER) * QUARTER);
}

// half-hour and 45-minute zones, 30-minute DST (Lord Howe), southern DST, the Samoa date-line jump, UTC
const ZONES = [
  "UTC", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Adelaide", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Chatham",
  "Europe/Berlin", "America/New_York", "Pacific/Apia", "Africa/Casablanca", "Asia/Tehran", "America/Sao_Paulo", "Europe/Moscow",
];

describe("utcOffsetMs", () => {
  it("equals Intl's offset at the quarter hour, at every quarter hour of the weeks around DST changes", () => {
    // 2011-12-29/31: Samoa skipped a day; 2014/2024: DST changes in both hemispheres
    const starts = [Date.UTC(2011, 11, 26), Date.UTC(2014, 2, 24), Date.UTC(2014, 9, 23), Date.UTC(2024, 2, 27), Date.UTC(2024, 9, 24)];
    // Every quarter hour is compared; the mismatches are collected and asserted once per
    // window (one expect per instant cost more than the comparisons themselves).
    for (const timezone of ZONES) {
      for (const start of starts) {
        const wrong: string[] = [];
        let compared = 0;
        for (let ts = start; ts < start + (QUICK ? 1 : 10) * 86_400_000; ts += QUARTER) {
          const at = ts + ((ts / QUARTER) % 7 === 0 ? QUARTER - 1 : 0);
          const got = utcOffsetMs(timezone, at);
          const want = reference(timezone, at);
          compared++;
          if (got !== want) wrong.push(`${timezone} ${new Date(at).toISOString()}: ${got} instead of ${want}`);
        }
        expect(compared).toBe((QUICK ? 1 : 10) * 96);
        expect(wrong.slice(0, 5), `${wrong.length} quarter hours wrong`).toEqual([]);
      }
    }
  });

  it("equals Intl's offset at random instants 1970..2040 in any order (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: Date.UTC(2040, 0, 1) }), (timezone, ts) => {
        expect(utcOffsetMs(timezone, ts)).toBe(reference(timezone, ts));
        expect(new ZoneOffsets(timezone).at(ts)).toBe(reference(timezone, ts));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("equals Intl's offset at every quarter hour within 4 hours of each offset change of 2024, the changes found with the oracle", () => {
    // The oracle is asked every 4 hours across 2024 to find where each zone's offset changes
    // (tzdb's changes are weeks apart, so none is missed); then every quarter hour from 4 hours
    // before that 4-hour step to 4 hours after it is compared, at its start and its last
    // millisecond. Cheap enough for mutation runs, and it reaches the blocks that hold a
    // change, which random instants rarely do.
    const STEP = 4 * 3_600_000;
    let changes = 0;
    const wrong: string[] = [];
    for (const timezone of ZONES) {
      let before = oracleOffsetMs(timezone, Date.UTC(2024, 0, 1));
      for (let t = Date.UTC(2024, 0, 1) + STEP; t <= Date.UTC(2025, 0, 1); t += STEP) {
        const after = oracleOffsetMs(timezone, t);
        if (after !== before) {
          changes++;
          const offsets = new ZoneOffsets(timezone);
          for (let q = t - 2 * STEP; q < t + STEP; q += QUARTER) {
            for (const at of [q, q + QUARTER - 1]) {
              const want = reference(timezone, at);
              const got = [utcOffsetMs(timezone, at), offsets.at(at), localMs(timezone, at) - at];
              if (got.some((g) => g !== want)) wrong.push(`${timezone} ${new Date(at).toISOString()}: ${got.join("/")} instead of ${want}`);
            }
          }
        }
        before = after;
      }
    }
    // 2024 has two changes each in Berlin, New York, St John's, Adelaide, Lord Howe, Chatham and Casablanca (Ramadan)
    expect(changes).toBe(14);
    expect(wrong.slice(0, 5), `${wrong.length} instants wrong`).toEqual([]);
  });

  it("answers the offset at the start of the quarter hour, also where a zone changed off the quarter (Berlin's LMT, 1893)", () => {
    // tzdb: Berlin left LMT (+00:53:28) for CET at 1893-04-01 00:00 local, 1893-03-31T23:06:32Z.
    // Intl says +01:00 from then on; utcOffsetMs keeps the quarter's start (+00:53, floored to
    // the minute) until 23:15Z, as documented. Changes off a quarter hour left a local mean
    // time, e.g. Africa/Monrovia as late as 1972 (-00:44:30 to GMT at 00:44:30Z): before any Countly data.
    expect(utcOffsetMs("Europe/Berlin", Date.UTC(1893, 2, 31, 23, 0))).toBe(53 * 60_000);
    expect(utcOffsetMs("Europe/Berlin", Date.UTC(1893, 2, 31, 23, 10))).toBe(53 * 60_000);
    expect(oracleOffsetMs("Europe/Berlin", Date.UTC(1893, 2, 31, 23, 10))).toBe(60 * 60_000);
    expect(utcOffsetMs("Europe/Berlin", Date.UTC(1893, 2, 31, 23, 15))).toBe(60 * 60_000);
    expect(utcOffsetMs("Europe/Berlin", Date.UTC(1893, 2, 31, 23, 14, 59, 999))).toBe(53 * 60_000);
  });

  it("asks Intl once per 4-hour block edge and once per quarter of a block holding a change, shared by every instance of a zone", () => {
    // What makes a scan of millions of raw events cheap (the module's promise): counted, not
    // timed. Europe/Paris is used by no other test here, so nothing of it is cached yet.
    // 2024-03-30T12:00Z .. 2024-04-01T00:00Z is 9 blocks (10 edges); the block 00:00-04:00Z on
    // the 31st holds the change to CEST (01:00Z), so its 15 inner quarters are asked too.
    const parts = vi.spyOn(Intl.DateTimeFormat.prototype, "formatToParts");
    const iso = vi.spyOn(Date.prototype, "toISOString");
    try {
      const from = Date.UTC(2024, 2, 30, 12);
      const to = Date.UTC(2024, 3, 1);
      const want = (t: number) => (t < Date.UTC(2024, 2, 31, 1) ? 60 : 120) * 60_000;
      let wrong = 0;
      for (let t = from; t < to; t += 60_000) if (utcOffsetMs("Europe/Paris", t) !== want(t)) wrong++;
      expect(wrong).toBe(0);
      expect(parts).toHaveBeenCalledTimes(10 + 15);
      const other = new ZoneOffsets("Europe/Paris");
      for (let t = from; t < to; t += 60_000) if (other.at(t) !== want(t)) wrong++;
      expect(wrong).toBe(0);
      expect(parts).toHaveBeenCalledTimes(25);
      // day names are made once per day number
      iso.mockClear();
      for (let i = 0; i < 100; i++) expect(dayName(12_345)).toBe("2003-10-20");
      expect(iso.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      parts.mockRestore();
      iso.mockRestore();
    }
  });

  it("throws for instants Date cannot represent, as Intl does, and for unknown zones", () => {
    expect(() => utcOffsetMs("Europe/Berlin", 9e15)).toThrow(RangeError);
    expect(() => utcOffsetMs("Europe/Berlin", Number.NaN)).toThrow(RangeError);
    expect(() => utcOffsetMs("Mars/Olympus_Mons", 0)).toThrow(/unknown timezone/);
    // the last representable quarter hours still work
    expect(utcOffsetMs("UTC", 8.64e15 - 1)).toBe(reference("UTC", 8.64e15 - 1));
    expect(utcOffsetMs("Asia/Kolkata", -8.64e15)).toBe(reference("Asia/Kolkata", -8.64e15));
  });

  it("gives app-local days and hours across a half-hour zone's midnight", () => {
    // 2024-10-26T18:29:59.999Z is 23:59:59.999 in Kolkata (+05:30)
    const t = Date.UTC(2024, 9, 26, 18, 29, 59, 999);
    expect(dayOf("Asia/Kolkata", t)).toBe("2024-10-26");
    expect(dayOf("Asia/Kolkata", t + 1)).toBe("2024-10-27");
    expect(hourOf("Asia/Kolkata", t)).toBe(23);
    expect(hourOf("Asia/Kolkata", t + 1)).toBe(0);
  });

  it("LocalDays numbers the days dayOf names, and throws where dayOf throws (property)", () => {
    const outcome = (f: () => string): string => {
      try {
        return f();
      } catch (e) {
        return `throws ${(e as Error).name}`;
      }
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.oneof(fc.integer({ min: 0, max: Date.UTC(2040, 0, 1) }), fc.double({ min: -9e15, max: 9e15, noNaN: true }), fc.constantFrom(8.64e15, -8.64e15, 8.64e15 - 1, -8.64e15 + 1)),
        (timezone, ts) => {
          const days = new LocalDays(timezone);
          expect(outcome(() => dayName(days.number(ts)))).toBe(outcome(() => dayOf(timezone, ts)));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

/**
 * App-local day buckets, pinned with literal tzdb facts (not computed): each pair is the
 * last instant of one local day and the first of the next. Countly buckets by
 * `common.initTimeObj(app.timezone, ts)` / `common.getDate` (moment-timezone), and names
 * the month `YYYY:M` and the day `D`, unpadded (api/utils/common.js @0064a19: initTimeObj
 * `format("M")`, `format("D")`, `format("H")`; api/aggregator/usage.ts @0e3d94e:
 * `format("YYYY:MM:DD:HH").replaceAll(":0", ":")`).
 */
const DAY_BUCKETS: { zone: string; utc: string; day: string; hour: number; monthId: string; dayKey: string; why: string }[] = [
  { zone: "UTC", utc: "2017-02-28T23:59:59.999Z", day: "2017-02-28", hour: 23, monthId: "2017:2", dayKey: "28", why: "getDateIds' own example month 2017:2" },
  { zone: "UTC", utc: "2017-03-01T00:00:00.000Z", day: "2017-03-01", hour: 0, monthId: "2017:3", dayKey: "1", why: "next month, unpadded" },
  { zone: "Asia/Kathmandu", utc: "2024-08-31T18:14:59.999Z", day: "2024-08-31", hour: 23, monthId: "2024:8", dayKey: "31", why: "+05:45" },
  { zone: "Asia/Kathmandu", utc: "2024-08-31T18:15:00.000Z", day: "2024-09-01", hour: 0, monthId: "2024:9", dayKey: "1", why: "+05:45, month 9 is 2024:9" },
  { zone: "Asia/Kolkata", utc: "2024-10-26T18:29:59.999Z", day: "2024-10-26", hour: 23, monthId: "2024:10", dayKey: "26", why: "+05:30" },
  { zone: "Asia/Kolkata", utc: "2024-10-26T18:30:00.000Z", day: "2024-10-27", hour: 0, monthId: "2024:10", dayKey: "27", why: "+05:30" },
  { zone: "Europe/Berlin", utc: "2024-09-30T21:59:59.999Z", day: "2024-09-30", hour: 23, monthId: "2024:9", dayKey: "30", why: "CEST +2" },
  { zone: "Europe/Berlin", utc: "2024-09-30T22:00:00.000Z", day: "2024-10-01", hour: 0, monthId: "2024:10", dayKey: "1", why: "CEST +2" },
  { zone: "America/New_York", utc: "2024-01-01T04:59:59.999Z", day: "2023-12-31", hour: 23, monthId: "2023:12", dayKey: "31", why: "EST -5, previous year" },
  { zone: "America/New_York", utc: "2024-01-01T05:00:00.000Z", day: "2024-01-01", hour: 0, monthId: "2024:1", dayKey: "1", why: "EST -5" },
  { zone: "America/New_York", utc: "2024-03-10T06:59:59.999Z", day: "2024-03-10", hour: 1, monthId: "2024:3", dayKey: "10", why: "last EST second" },
  { zone: "America/New_York", utc: "2024-03-10T07:00:00.000Z", day: "2024-03-10", hour: 3, monthId: "2024:3", dayKey: "10", why: "02:00 is skipped" },
  { zone: "America/New_York", utc: "2024-11-03T05:59:59.999Z", day: "2024-11-03", hour: 1, monthId: "2024:11", dayKey: "3", why: "first 01:xx (EDT)" },
  { zone: "America/New_York", utc: "2024-11-03T06:00:00.000Z", day: "2024-11-03", hour: 1, monthId: "2024:11", dayKey: "3", why: "second 01:xx (EST)" },
  { zone: "Pacific/Apia", utc: "2011-12-30T09:59:59.999Z", day: "2011-12-29", hour: 23, monthId: "2011:12", dayKey: "29", why: "Samoa at -10" },
  { zone: "Pacific/Apia", utc: "2011-12-30T10:00:00.000Z", day: "2011-12-31", hour: 0, monthId: "2011:12", dayKey: "31", why: "Samoa skips 30 Dec, now +14" },
  { zone: "Australia/Lord_Howe", utc: "2024-01-15T12:59:59.999Z", day: "2024-01-15", hour: 23, monthId: "2024:1", dayKey: "15", why: "+11 (summer)" },
  { zone: "Australia/Lord_Howe", utc: "2024-07-15T13:29:59.999Z", day: "2024-07-15", hour: 23, monthId: "2024:7", dayKey: "15", why: "+10:30 (winter)" },
  { zone: "Australia/Lord_Howe", utc: "2024-07-15T13:30:00.000Z", day: "2024-07-16", hour: 0, monthId: "2024:7", dayKey: "16", why: "+10:30 (winter)" },
  { zone: "Pacific/Chatham", utc: "2024-01-15T10:14:59.999Z", day: "2024-01-15", hour: 23, monthId: "2024:1", dayKey: "15", why: "+13:45" },
  { zone: "Pacific/Chatham", utc: "2024-01-15T10:15:00.000Z", day: "2024-01-16", hour: 0, monthId: "2024:1", dayKey: "16", why: "+13:45" },
];

describe("zones, days and periods (literal cases)", () => {
  it("knows IANA zones and names an unknown one", () => {
    expect(isValidTimezone("Asia/Kathmandu")).toBe(true);
    expect(isValidTimezone("UTC")).toBe(true);
    expect(isValidTimezone("Mars/Olympus_Mons")).toBe(false);
    expect(isValidTimezone("")).toBe(false);
    expect(() => assertTimezone("Europe/Berlin")).not.toThrow();
    expect(() => assertTimezone("Mars/Olympus_Mons")).toThrow(new RangeError('unknown timezone "Mars/Olympus_Mons"'));
    expect(() => dayOf("Nowhere/City", 0)).toThrow(/unknown timezone "Nowhere\/City"/);
  });

  it("gives local wall-clock ms and hours matching Intl, and days before 1970 and far ahead", () => {
    const t = Date.UTC(2024, 0, 15, 10, 14, 59, 999);
    expect(localMs("Pacific/Chatham", t)).toBe(Date.UTC(2024, 0, 15, 23, 59, 59, 999));
    expect(localMs("America/St_Johns", t)).toBe(Date.UTC(2024, 0, 15, 6, 44, 59, 999));
    for (const [zone, ts] of [["America/New_York", Date.UTC(1969, 11, 31, 23, 30)], ["Asia/Tehran", Date.UTC(1950, 5, 1, 20, 45)], ["Europe/Moscow", Date.UTC(2100, 0, 1)], ["Asia/Kolkata", -1]] as const) {
      expect(dayOf(zone, ts), `${zone} ${ts}`).toBe(oracleDay(zone, ts));
      expect(hourOf(zone, ts), `${zone} ${ts}`).toBe(oracleHour(zone, ts));
    }
    expect(hourOf("UTC", Date.UTC(1969, 11, 31, 22, 59, 59))).toBe(22);
    expect(dayOf("UTC", -1)).toBe("1969-12-31");
    expect(dayName(0)).toBe("1970-01-01");
    expect(dayName(-1)).toBe("1969-12-31");
    expect(dayName(19_999)).toBe("2024-10-03");
    expect(() => dayName(100_000_001)).toThrow(RangeError);
  });

  it("LocalDays at the ends of the Date range: no day where a negative offset leaves it, as dayOf has none", () => {
    // -8.64e15 is the first instant Date holds; New York's wall clock then (LMT -4:56) is before it
    expect(() => dayOf("America/New_York", -8.64e15)).toThrow(RangeError);
    // the same error from both (number() returned NaN here before, contrary to its comment; dayOf threw a bare "Invalid time value")
    const early = new RangeError('time -8640000000000000 (-271821-04-20T00:00:00.000Z) has no local day in time zone "America/New_York": the day falls outside the dates JavaScript can represent');
    expect(() => new LocalDays("America/New_York").number(-8.64e15)).toThrow(early);
    expect(() => dayOf("America/New_York", -8.64e15)).toThrow(early);
    // the last instant Date holds, in a zone 14 hours ahead: its local day is after the last one
    const late = new RangeError('time 8640000000000000 (+275760-09-13T00:00:00.000Z) has no local day in time zone "Pacific/Kiritimati": the day falls outside the dates JavaScript can represent');
    expect(() => new LocalDays("Pacific/Kiritimati").number(8.64e15)).toThrow(late);
    expect(() => dayOf("Pacific/Kiritimati", 8.64e15)).toThrow(late);
    // beyond the Date range itself: Intl's RangeError (the instant is no date at all)
    expect(() => new LocalDays("UTC").number(8.64e15 + 86_400_000)).toThrow(RangeError);
    expect(new LocalDays("Asia/Kolkata").number(-8.64e15)).toBe(-100_000_000);
    expect(new LocalDays("UTC").number(8.64e15)).toBe(100_000_000);
    expect(new LocalDays("Asia/Kathmandu").number(Date.UTC(2024, 7, 31, 18, 15))).toBe(19_967);
  });

  it("localDaysByZone gives one LocalDays per zone", () => {
    const byZone = localDaysByZone();
    const a = byZone("Asia/Kolkata");
    expect(byZone("Asia/Kolkata")).toBe(a);
    expect(a.timezone).toBe("Asia/Kolkata");
    const b = byZone("Europe/Berlin");
    expect(b).not.toBe(a);
    expect(b.timezone).toBe("Europe/Berlin");
    expect(a.number(Date.UTC(2024, 9, 26, 18, 30))).toBe(20_023);
    expect(b.number(Date.UTC(2024, 9, 26, 18, 30))).toBe(20_022);
  });

  it("accepts only real calendar days as YYYY-MM-DD", () => {
    for (const d of ["2024-02-29", "2023-12-31", "1970-01-01", "2000-02-29"]) expect(isDay(d), d).toBe(true);
    for (const d of ["2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-4-01", "24-04-01", "x2024-04-01", "2024-04-01x", "2024-04-01T00:00:00Z", ""]) expect(isDay(d), d).toBe(false);
    // expanded-year months: Date parses them and toISOString().slice(0, 10) gives them back
    for (const d of ["+010000-01", "-000001-01", "+275760-09"]) expect(isDay(d), d).toBe(false);
  });

  it("periods include both ends and may be open at either", () => {
    const p = { from: "2024-10-01", to: "2024-10-31" };
    expect(inPeriod("2024-10-01", p)).toBe(true);
    expect(inPeriod("2024-10-31", p)).toBe(true);
    expect(inPeriod("2024-09-30", p)).toBe(false);
    expect(inPeriod("2024-11-01", p)).toBe(false);
    expect(inPeriod("1999-01-01", { to: "2024-10-31" })).toBe(true);
    expect(inPeriod("2024-11-01", { to: "2024-10-31" })).toBe(false);
    expect(inPeriod("2999-01-01", { from: "2024-10-01" })).toBe(true);
    expect(inPeriod("2024-09-30", { from: "2024-10-01" })).toBe(false);
    expect(inPeriod("2024-09-30", {})).toBe(true);
  });

  it("lists the month ids of a closed period, in order, and none for an open one", () => {
    expect(monthIdsOfPeriod({ from: "2024-10-05", to: "2024-10-06" })).toEqual(["2024:10"]);
    expect(monthIdsOfPeriod({ from: "2024-12-31", to: "2025-01-01" })).toEqual(["2024:12", "2025:1"]);
    expect(monthIdsOfPeriod({ from: "2023-11-30", to: "2025-02-01" })).toEqual(["2023:11", "2023:12", "2024:1", "2024:2", "2024:3", "2024:4", "2024:5", "2024:6", "2024:7", "2024:8", "2024:9", "2024:10", "2024:11", "2024:12", "2025:1", "2025:2"]);
    expect(monthIdsOfPeriod({ from: "2024-10-05" })).toBeUndefined();
    expect(monthIdsOfPeriod({ to: "2024-10-05" })).toBeUndefined();
    expect(monthIdsOfPeriod({})).toBeUndefined();
    expect(monthIdsOfPeriod({ from: "2024-11-01", to: "2024-10-31" })).toEqual([]);
    expect(monthIdsOfPeriod({ from: "2025-01-05", to: "2024-10-01" })).toEqual([]);
  });

  it("reads a day from a month id and a day key, rejecting what is not a date part", () => {
    expect(dayFromMonthAndKey("2024:1", "1")).toBe("2024-01-01");
    expect(dayFromMonthAndKey("2024:12", "31")).toBe("2024-12-31");
    expect(dayFromMonthAndKey("2024:09", "05")).toBe("2024-09-05");
    for (const [m, d] of [["2024:9", "123"], ["2024:9", "a"], ["2024:9", ""], ["2024:9", "-1"], ["2024:123", "1"], ["24:9", "1"], ["2024-9", "1"], ["x2024:9", "1"], ["2024:9x", "1"], ["2024:9", "1x"], ["2024:9", "x1"]]) {
      expect(dayFromMonthAndKey(m!, d!), `${m} ${d}`).toBeUndefined();
    }
    expect(monthIdOfDay("2024-01-09")).toBe("2024:1");
    expect(zeroIdOfDay("0999-01-09")).toBe("999:0");
    expect(dayKeyOfDay("2024-01-09")).toBe("9");
    expect(dayKeyOfDay("2024-01-30")).toBe("30");
  });
});

describe("app-local day buckets and Countly's date ids (pinned)", () => {
  it.each(DAY_BUCKETS)("$zone $utc is day $day hour $hour, month $monthId, d.$dayKey ($why)", ({ zone, utc, day, hour, monthId, dayKey }) => {
    const ts = Date.parse(utc);
    expect(dayOf(zone, ts)).toBe(day);
    expect(dayName(new LocalDays(zone).number(ts))).toBe(day);
    expect(hourOf(zone, ts)).toBe(hour);
    expect(monthIdOfDay(day)).toBe(monthId);
    expect(zeroIdOfDay(day)).toBe(`${day.slice(0, 4)}:0`);
    expect(dayKeyOfDay(day)).toBe(dayKey);
    expect(dayFromMonthAndKey(monthId, dayKey)).toBe(day);
  });

  it("names months and years the way getDateIds does: {zero: \"2017:0\", month: \"2017:2\"}", () => {
    // api/utils/common.js @0064a19, getDateIds' doc comment
    expect(monthIdOfDay("2017-02-14")).toBe("2017:2");
    expect(zeroIdOfDay("2017-02-14")).toBe("2017:0");
    expect(monthIdsOfPeriod({ from: "2024-08-20", to: "2025-01-03" })).toEqual(["2024:8", "2024:9", "2024:10", "2024:11", "2024:12", "2025:1"]);
    // a padded month is not a Countly month id, but older data may be read
    expect(dayFromMonthAndKey("2024:9", "5")).toBe("2024-09-05");
    expect(dayFromMonthAndKey("2024:13", "5")).toBeUndefined();
    expect(dayFromMonthAndKey("2024:0", "5")).toBeUndefined();
    expect(dayFromMonthAndKey("2024:9", "32")).toBeUndefined();
    expect(dayFromMonthAndKey("2024:9", "0")).toBeUndefined();
  });
});
