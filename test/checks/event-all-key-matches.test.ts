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
});
