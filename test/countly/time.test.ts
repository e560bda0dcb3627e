import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dayName, dayOf, hourOf, LocalDays, utcOffsetMs, ZoneOffsets } from "../../countly/time.ts";

const QUARTER = 15 * 60 * 1000;

/** What utcOffsetMs promises: Intl's offset at the start of the quarter hour, truncated to the minute (asked directly, no cache). */
const formats = new Map<string, Intl.DateTimeFormat>();
function reference(timezone: string, ts: number): number {
  const q = Math.floor(ts / QUARTER) * QUARTER;
  let f = formats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: timezone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" });
    formats.set(timezone, f);
  }
  const parts = f.formatToParts(new Date(q));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute")) - Math.floor(q / 60000) * 60000;
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
    for (const timezone of ZONES) {
      for (const start of starts) {
        for (let ts = start; ts < start + 10 * 86_400_000; ts += QUARTER) {
          const jitter = (ts / QUARTER) % 7 === 0 ? QUARTER - 1 : 0;
          expect(utcOffsetMs(timezone, ts + jitter), `${timezone} ${new Date(ts + jitter).toISOString()}`).toBe(reference(timezone, ts + jitter));
        }
      }
    }
  });

  it("equals Intl's offset at random instants 1970..2040 in any order (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: Date.UTC(2040, 0, 1) }), (timezone, ts) => {
        expect(utcOffsetMs(timezone, ts)).toBe(reference(timezone, ts));
        expect(new ZoneOffsets(timezone).at(ts)).toBe(reference(timezone, ts));
      }),
      { seed: 20261125, numRuns: 3000 },
    );
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
      { seed: 20261125, numRuns: 3000 },
    );
  });
});
