import { describe, expect, it } from "vitest";
import { eventHoursMatchDay } from "../../checks/event-hours-match-day.ts";
import type { EventHourDay } from "../../runner/facts/types.ts";
import { APP, evaluate } from "../support/check-harness.ts";

const a = APP.id;
const row = (key: string, day: string, c: number, hoursC: number, extra: Partial<EventHourDay> = {}): EventHourDay => ({
  app: a,
  key,
  day,
  c,
  s: 0,
  dur: 0,
  hours: { c: hoursC, s: 0, dur: 0 },
  hourBuckets: 3,
  doc: `countly.events_data ${a}_h_no-segment_2024:10`,
  ...extra,
});
const facts = (...rows: EventHourDay[]) => ({ eventHours: { rows } });

describe("event-hours-match-day", () => {
  it("passes when every day equals the sum of its hours, and ignores other apps", () => {
    const out = evaluate(eventHoursMatchDay, {}, facts(row("Buy", "2024-10-27", 5, 5, { s: 0.3, hours: { c: 5, s: 0.1 + 0.2, dur: 0 } }), { ...row("Buy", "2024-10-27", 5, 1), app: "other" }));
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("names event, day, field, the day's value and the hours' sum, with what it likely means", () => {
    const out = evaluate(eventHoursMatchDay, {}, facts(row("Buy", "2024-10-27", 42, 40), row("Login", "2024-10-28", 3, 6)));
    expect(out.findings).toEqual([
      expect.objectContaining({ event: "Buy", day: "2024-10-27", field: "c", expected: 42, actual: 40, message: expect.stringMatching(/count \(c\) is 42 but its 3 hour buckets add up to 40 \(countly\.events_data .*\): hour increments are missing: .*partial merge/) }),
      expect.objectContaining({ event: "Login", field: "c", expected: 3, actual: 6, message: expect.stringMatching(/hours hold more than the day: hour buckets merged twice/) }),
    ]);
  });

  it("compares s and dur too, allowing float rounding only, and honours fields and tolerance", () => {
    const r = row("Buy", "2024-10-27", 2, 2, { s: 1.5, dur: 10, hours: { c: 2, s: 1.5, dur: 7 } });
    expect(evaluate(eventHoursMatchDay, {}, facts(r)).findings).toEqual([expect.objectContaining({ field: "dur", expected: 10, actual: 7 })]);
    expect(evaluate(eventHoursMatchDay, { fields: ["c", "s"] }, facts(r)).findings).toEqual([]);
    expect(evaluate(eventHoursMatchDay, { tolerance: 3 }, facts(r)).findings).toEqual([]);
    expect(evaluate(eventHoursMatchDay, { tolerance: 2 }, facts(r)).findings).toHaveLength(1);
  });

  it("reports days with counters but no hour bucket unless missing_hours is ignore", () => {
    const r = row("Buy", "2024-10-27", 4, 0, { hourBuckets: 0 });
    expect(evaluate(eventHoursMatchDay, {}, facts(r)).findings).toEqual([expect.objectContaining({ field: "c", expected: 4, actual: 0, message: expect.stringMatching(/no hour buckets at all/) })]);
    expect(evaluate(eventHoursMatchDay, { missing_hours: "ignore" }, facts(r)).findings).toEqual([]);
    // An empty day (all zero) is not a finding either way.
    expect(evaluate(eventHoursMatchDay, {}, facts(row("Buy", "2024-10-27", 0, 0, { hourBuckets: 0 }))).findings).toEqual([]);
  });

  it("honours exclude_events and the period, and skips without aggregated data", () => {
    const f = facts(row("Buy", "2024-10-27", 4, 3), row("Login", "2024-11-02", 4, 3));
    expect(evaluate(eventHoursMatchDay, { exclude_events: ["Buy"] }, f).findings.map((x) => x.event)).toEqual(["Login"]);
    expect(evaluate(eventHoursMatchDay, {}, f, { from: "2024-11-01" }).findings.map((x) => x.event)).toEqual(["Login"]);
    expect(evaluate(eventHoursMatchDay, {}, f, { from: "2024-12-01" }).skipped).toBe("no aggregated event data in the period");
  });
  it("allows float rounding relative to the day's size, also above 1, but not more", () => {
    const r = (s: number, hoursS: number) => row("Buy", "2024-10-27", 2, 2, { s, hours: { c: 2, s: hoursS, dur: 0 } });
    expect(evaluate(eventHoursMatchDay, {}, facts(r(1_000_000.3, 1_000_000.1 + 0.2))).findings).toEqual([]);
    expect(evaluate(eventHoursMatchDay, {}, facts(r(1_000_000.3, 1_000_000.3 + 1e-4))).findings).toEqual([]);
    expect(evaluate(eventHoursMatchDay, {}, facts(r(1_000_000.3, 1_000_000.31))).findings).toEqual([expect.objectContaining({ field: "s", expected: 1_000_000.3, actual: 1_000_000.31 })]);
    expect(evaluate(eventHoursMatchDay, {}, facts(r(0.3, 0.3 + 1e-8))).findings).toHaveLength(1);
  });

  it("gives the whole findings: field names, rounded values, one hour bucket in the singular", () => {
    const doc = `countly.events_data ${a}_h_no-segment_2024:10`;
    const one = row("Buy", "2024-10-27", 2, 2, { hourBuckets: 1, s: 0.1 + 0.2, dur: 9, hours: { c: 2, s: 0.1, dur: 12 } });
    expect(evaluate(eventHoursMatchDay, {}, facts(one)).findings).toEqual([
      { event: "Buy", day: "2024-10-27", field: "s", expected: 0.1 + 0.2, actual: 0.1, message: `the day's sum (s) is 0.3 but its 1 hour bucket add up to 0.1 (${doc}): hour increments are missing: day and hours were merged separately (a partial merge?)` },
      { event: "Buy", day: "2024-10-27", field: "dur", expected: 9, actual: 12, message: `the day's duration (dur) is 9 but its 1 hour bucket add up to 12 (${doc}): the hours hold more than the day: hour buckets merged twice, or the day total was overwritten` },
    ]);
  });

  it("a day without hour buckets: names the first compared counter that is not 0", () => {
    const doc = `countly.events_data ${a}_h_no-segment_2024:10`;
    const r = row("Buy", "2024-10-27", 0, 0, { hourBuckets: 0, s: 0.1 + 0.2, dur: 5 });
    expect(evaluate(eventHoursMatchDay, {}, facts(r)).findings).toEqual([
      { event: "Buy", day: "2024-10-27", field: "s", expected: 0.1 + 0.2, actual: 0, message: `the day has sum (s) 0.3 but no hour buckets at all (${doc}): hourly data lost in a partial merge or removed by hand?` },
    ]);
    expect(evaluate(eventHoursMatchDay, { fields: ["dur"] }, facts(r)).findings.map((f) => f.field)).toEqual(["dur"]);
    expect(evaluate(eventHoursMatchDay, { fields: ["c"] }, facts(r)).findings).toEqual([]);
  });

  it("by default compares c, s and dur exactly (no tolerance) and fails missing hours", () => {
    const r = row("Buy", "2024-10-27", 3, 3, { s: 2, dur: 4, hours: { c: 3, s: 1, dur: 3 } });
    expect(evaluate(eventHoursMatchDay, {}, facts(r)).findings.map((f) => f.field)).toEqual(["s", "dur"]);
    expect(evaluate(eventHoursMatchDay, {}, facts(row("Buy", "2024-10-27", 3, 2))).findings).toHaveLength(1);
    expect(evaluate(eventHoursMatchDay, { tolerance: 1 }, facts(row("Buy", "2024-10-27", 3, 2))).findings).toEqual([]);
  });
});
