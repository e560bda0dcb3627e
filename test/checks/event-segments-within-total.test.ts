import { describe, expect, it } from "vitest";
import { eventSegmentsWithinTotal } from "../../checks/event-segments-within-total.ts";
import { APP, evaluate } from "../support/check-harness.ts";

const a = APP.id;
const total = (key: string, day: string, c: number, s = 0) => ({ app: a, key, day, c, s, dur: 0 });
const seg = (key: string, day: string, segment: string, c: number, s = 0) => ({ app: a, key, day, segment, c, s, dur: 0, values: 2 });

describe("event-segments-within-total", () => {
  it("passes when segment sums stay within totals", () => {
    const out = evaluate(eventSegmentsWithinTotal, {}, { eventAggregates: { totals: [total("Buy", "2024-10-27", 10, 5)], segments: [seg("Buy", "2024-10-27", "method", 10, 5), seg("Buy", "2024-10-27", "item", 4, 1)], unattributed: [] } });
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("fails when the values add up to more than the total (totals zeroed while segments survived)", () => {
    const out = evaluate(eventSegmentsWithinTotal, {}, { eventAggregates: { totals: [total("Buy", "2024-10-27", 0)], segments: [seg("Buy", "2024-10-27", "method", 10)], unattributed: [] } });
    expect(out.findings).toEqual([expect.objectContaining({ event: "Buy", day: "2024-10-27", segment: "method", field: "c", expected: "<= 0", actual: 10 })]);
  });

  it("requires equality for always-sent segments, per event or for all events, and notices lost segment documents", () => {
    const facts = { eventAggregates: { totals: [total("Buy", "2024-10-27", 10), total("Buy", "2024-10-28", 3)], segments: [seg("Buy", "2024-10-27", "method", 8)], unattributed: [] } };
    expect(evaluate(eventSegmentsWithinTotal, {}, facts).findings).toEqual([]);
    const strict = evaluate(eventSegmentsWithinTotal, { always_sent: { Buy: ["method"] } }, facts).findings;
    expect(strict.map((f) => [f.day, f.expected, f.actual])).toEqual([
      ["2024-10-27", 10, 8],
      ["2024-10-28", 3, 0],
    ]);
    expect(evaluate(eventSegmentsWithinTotal, { always_sent: ["method"] }, facts).findings).toHaveLength(2);
    expect(evaluate(eventSegmentsWithinTotal, { always_sent: ["other"] }, { eventAggregates: { ...facts.eventAggregates, segments: [] } }).findings).toHaveLength(2);
  });

  it("skips when there is no aggregated event data", () => {
    expect(evaluate(eventSegmentsWithinTotal, {}, {}).skipped).toBe("no aggregated event data in the period");
  });
});
