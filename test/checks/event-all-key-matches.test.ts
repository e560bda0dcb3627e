import { describe, expect, it } from "vitest";
import { eventAllKeyMatches } from "../../checks/event-all-key-matches.ts";
import type { AllKeyDay, EventTotalDay } from "../../runner/facts/types.ts";
import { APP, evaluate } from "../support/check-harness.ts";

const a = APP.id;
const total = (key: string, day: string, c: number, s = 0, dur = 0): EventTotalDay => ({ app: a, key, day, c, s, dur });
const allKey = (key: string, day: string, c: number, s = 0, dur = 0): AllKeyDay => ({ app: a, key, day, c, s, dur });
const facts = (totals: EventTotalDay[], rows: AllKeyDay[], months = ["2024:10", "2024:11"], layout: "current" | "legacy" = "current") => ({
  eventAggregates: { totals, segments: [], unattributed: [] },
  allKeyTotals: { layout, rows, months: months.map((month) => ({ app: a, month })) },
});

describe("event-all-key-matches", () => {
  it("passes when all_key equals each event's totals, and ignores other apps", () => {
    const out = evaluate(eventAllKeyMatches, {}, facts([total("Buy", "2024-10-27", 3, 9.99, 12), total("Login", "2024-11-02", 1)], [allKey("Buy", "2024-10-27", 3, 9.99, 12), allKey("Login", "2024-11-02", 1), { ...allKey("Buy", "2024-10-27", 7), app: "other" }]));
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("skips the legacy layout, which has no all_key documents", () => {
    const out = evaluate(eventAllKeyMatches, {}, facts([total("Buy", "2024-10-27", 3)], [], [], "legacy"));
    expect(out.skipped).toMatch(/legacy layout .*events\.js writes no all_key documents/);
    expect(out.findings).toEqual([]);
  });

  it("names event, day and field when all_key drifts from the totals", () => {
    const out = evaluate(eventAllKeyMatches, {}, facts([total("Buy", "2024-10-27", 42, 5), total("Buy", "2024-10-28", 2)], [allKey("Buy", "2024-10-27", 30, 5)]));
    expect(out.findings).toEqual([
      expect.objectContaining({ event: "Buy", day: "2024-10-27", field: "c", expected: 42, actual: 30, message: expect.stringMatching(/all_key\) count \(c\) is 30, the event's own total 42: all_key documents not updated/) }),
      expect.objectContaining({ event: "Buy", day: "2024-10-28", field: "c", expected: 2, actual: 0, message: expect.stringMatching(/all_key documents of 2024:10 have nothing for it/) }),
    ]);
  });

  it("reports all_key counters for an event without per-event data that day", () => {
    const out = evaluate(eventAllKeyMatches, {}, facts([], [allKey("Gone", "2024-10-27", 4)]));
    expect(out.findings).toEqual([expect.objectContaining({ event: "Gone", expected: 0, actual: 4, message: expect.stringMatching(/no per-event data that day/) })]);
  });

  it("reports a month without any all_key document once, unless missing_months is ignore", () => {
    const f = facts([total("Buy", "2024-11-02", 2), total("Login", "2024-11-05", 3)], [], ["2024:10"]);
    expect(evaluate(eventAllKeyMatches, {}, f).findings).toEqual([
      expect.objectContaining({ day: "2024-11-02", expected: 5, actual: 0, message: expect.stringMatching(/no all_key document at all for 2024:11, while 2 events have data on 2 days \(2024-11-02\.\.2024-11-05\): .*merge_events_collections\.js/) }),
    ]);
    expect(evaluate(eventAllKeyMatches, { missing_months: "ignore" }, f).findings).toEqual([]);
  });

  it("leaves out internal events unless asked, and honours fields, tolerance and exclude_events", () => {
    const f = facts([total("[CLY]_star_rating", "2024-10-27", 2), total("Buy", "2024-10-27", 10, 1, 5)], [allKey("Buy", "2024-10-27", 9, 1, 4)]);
    expect(evaluate(eventAllKeyMatches, {}, f).findings.map((x) => `${x.event}:${x.field}`)).toEqual(["Buy:c", "Buy:dur"]);
    expect(evaluate(eventAllKeyMatches, { include_internal: true, fields: ["c"] }, f).findings.map((x) => x.event)).toEqual(["[CLY]_star_rating", "Buy"]);
    expect(evaluate(eventAllKeyMatches, { tolerance: 1 }, f).findings).toEqual([]);
    expect(evaluate(eventAllKeyMatches, { exclude_events: ["Buy"] }, f).skipped).toBe("no aggregated event data in the period");
  });

  it("gives the whole findings: above or below the event's totals, missing that day, and all_key without per-event data", () => {
    const out = evaluate(eventAllKeyMatches, {}, facts([total("Buy", "2024-10-27", 4, 0.1 + 0.2), total("Buy", "2024-10-28", 0, 0, 7)], [allKey("Buy", "2024-10-27", 6, 0.1), allKey("Ads", "2024-10-27", 0, 2.5)]));
    expect(out.findings).toEqual([
      { event: "Buy", day: "2024-10-27", field: "c", expected: 4, actual: 6, message: "the all-events (all_key) count (c) is 6, the event's own total 4: all_key documents not updated with the per-event data (restored from another backup, a partial repair?)" },
      {
        event: "Buy",
        day: "2024-10-27",
        field: "s",
        expected: 0.1 + 0.2,
        actual: 0.1,
        message: "the all-events (all_key) sum (s) is 0.1, the event's own total 0.3: all_key documents not updated with the per-event data (restored from another backup, a partial repair, or legacy history merged into the month of the upgrade by merge_events_collections.js, which creates no all_key counters?)",
      },
      { event: "Buy", day: "2024-10-28", field: "dur", expected: 7, actual: 0, message: "the event has duration (dur) 7 but the all_key documents of 2024:10 have nothing for it that day: all_key documents not updated or lost" },
      { event: "Ads", day: "2024-10-27", field: "s", expected: 0, actual: 2.5, message: "the all_key documents count sum (s) 2.5 for this event, but it has no per-event data that day: per-event documents lost, or all_key restored from another dataset" },
    ]);
  });

  it("a month without all_key documents: once per month in order, one event and one day in the singular", () => {
    const f = facts([total("Buy", "2024-12-02", 2), total("Buy", "2024-11-05", 3), total("Buy", "2024-11-05", 1)], [], ["2024:10"]);
    expect(evaluate(eventAllKeyMatches, {}, f).findings).toEqual([
      { day: "2024-11-05", field: "c", expected: 4, actual: 0, message: "no all_key document at all for 2024:11, while 1 event has data on 1 day (2024-11-05..2024-11-05): history merged from the legacy layout (merge_events_collections.js creates no all_key documents; set missing_months: ignore) or all_key documents lost" },
      expect.objectContaining({ day: "2024-12-02", expected: 2, message: expect.stringMatching(/^no all_key document at all for 2024:12,/) }),
    ]);
  });

  it("days with all counters 0 and no all_key row are nothing to compare; s and dur allow float rounding only", () => {
    expect(evaluate(eventAllKeyMatches, {}, facts([total("Buy", "2024-10-27", 0)], [], ["2024:10"]))).toEqual({ findings: [], skipped: undefined });
    expect(evaluate(eventAllKeyMatches, {}, facts([total("Buy", "2024-11-27", 0)], [], ["2024:10"])).findings).toEqual([]);
    expect(evaluate(eventAllKeyMatches, {}, facts([total("Buy", "2024-10-27", 1, 1_000_000.3)], [allKey("Buy", "2024-10-27", 1, 1_000_000.1 + 0.2)])).findings).toEqual([]);
    expect(evaluate(eventAllKeyMatches, {}, facts([total("Buy", "2024-10-27", 1, 1_000_000.3)], [allKey("Buy", "2024-10-27", 1, 1_000_000.31)])).findings.map((x) => x.field)).toEqual(["s"]);
    // Tolerance also covers all_key counters without per-event data; by default there is none.
    expect(evaluate(eventAllKeyMatches, { tolerance: 2 }, facts([], [allKey("Gone", "2024-10-27", 2)])).findings).toEqual([]);
    expect(evaluate(eventAllKeyMatches, {}, facts([], [allKey("Gone", "2024-10-27", 1)])).findings).toHaveLength(1);
  });

  it("months without all_key documents in month order, their days sorted, whatever order the data comes in", () => {
    const f = facts([total("Buy", "2024-11-09", 1), total("Buy", "2024-11-02", 1), total("Buy", "2024-12-05", 1)], [], ["2024:10"]);
    expect(evaluate(eventAllKeyMatches, {}, f).findings.map((x) => [x.day, /\((\S+)\)/.exec(x.message)![1]])).toEqual([
      ["2024-11-02", "2024-11-02..2024-11-09"],
      ["2024-12-05", "2024-12-05..2024-12-05"],
    ]);
  });

  it("float rounding of large sums is relative to their size", () => {
    // 50000000.7 + 0.1 is 7.45e-9 off 50000000.8 in floating point: more than 1e-9, less than 1e-9 of the value.
    const f = (allS: number) => facts([total("Buy", "2024-10-27", 1, 50_000_000.8)], [allKey("Buy", "2024-10-27", 1, allS)]);
    expect(evaluate(eventAllKeyMatches, {}, f(50_000_000.7 + 0.1)).findings).toEqual([]);
    expect(evaluate(eventAllKeyMatches, {}, f(50_000_000.9)).findings).toHaveLength(1);
  });
});
