import { describe, expect, it } from "vitest";
import { eventSegmentsWithinTotal } from "../../checks/event-segments-within-total.ts";
import { APP, EMPTY_FACTS, evaluate } from "../support/check-harness.ts";

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

  const agg = (totals: ReturnType<typeof total>[], segments: ReturnType<typeof seg>[]) => ({ eventAggregates: { totals, segments, unattributed: [] } });

  it("gives the whole findings, one value in the singular, a segment without a total as above a 0 total", () => {
    const out = evaluate(eventSegmentsWithinTotal, { always_sent: ["method"] }, agg([total("Buy", "2024-10-27", 10)], [{ ...seg("Buy", "2024-10-27", "item", 12), values: 1 }, seg("Buy", "2024-10-27", "method", 9), seg("Buy", "2024-10-29", "item", 3)]));
    expect(out.findings).toEqual([
      { event: "Buy", day: "2024-10-27", segment: "item", field: "c", expected: "<= 10", actual: 12, message: "the segment's 1 value add up to more than the event total: totals zeroed or lost while segment documents survived?" },
      { event: "Buy", day: "2024-10-27", segment: "method", field: "c", expected: 10, actual: 9, message: "an always-sent segment adds up to less than the event total: segment documents lost?" },
      { event: "Buy", day: "2024-10-29", segment: "item", field: "c", expected: "<= 0", actual: 3, message: "the segment's 2 values add up to more than the event total: totals zeroed or lost while segment documents survived?" },
    ]);
    expect(evaluate(eventSegmentsWithinTotal, { always_sent: ["method"] }, agg([total("Buy", "2024-10-27", 4)], [])).findings).toEqual([
      { event: "Buy", day: "2024-10-27", segment: "method", field: "c", expected: 4, actual: 0, message: "an always-sent segment has no values on a day with 4 events: segment documents lost?" },
    ]);
  });

  it("by default compares c and s (not dur), with no tolerance; tolerance and fields apply both ways", () => {
    const facts = agg([{ ...total("Buy", "2024-10-27", 10, 5), dur: 1 }], [{ ...seg("Buy", "2024-10-27", "item", 11, 6), dur: 9 }]);
    expect(evaluate(eventSegmentsWithinTotal, {}, facts).findings.map((f) => f.field)).toEqual(["c", "s"]);
    expect(evaluate(eventSegmentsWithinTotal, { fields: ["dur"] }, facts).findings.map((f) => f.field)).toEqual(["dur"]);
    expect(evaluate(eventSegmentsWithinTotal, { tolerance: 1 }, facts).findings).toEqual([]);
    const under = agg([total("Buy", "2024-10-27", 10)], [seg("Buy", "2024-10-27", "method", 9)]);
    expect(evaluate(eventSegmentsWithinTotal, { always_sent: ["method"], tolerance: 1 }, under).findings).toEqual([]);
    expect(evaluate(eventSegmentsWithinTotal, { always_sent: { Login: ["method"] } }, under).findings).toEqual([]);
  });

  it("allows float rounding of sums relative to their size, and no missing segment on a day without events", () => {
    const r = (totalS: number, segS: number, always: string[] = []) => evaluate(eventSegmentsWithinTotal, { always_sent: always }, agg([total("Buy", "2024-10-27", 2, totalS)], [seg("Buy", "2024-10-27", "m", 2, segS)])).findings;
    expect(r(1_000_000.1 + 0.2, 1_000_000.3)).toEqual([]);
    expect(r(1_000_000.3, 1_000_000.31)).toHaveLength(1);
    expect(r(1_000_000.3, 1_000_000.1 + 0.2, ["m"])).toEqual([]);
    expect(r(1_000_000.31, 1_000_000.3, ["m"])).toHaveLength(1);
    expect(evaluate(eventSegmentsWithinTotal, { always_sent: ["m"] }, agg([total("Buy", "2024-10-27", 0)], [])).findings).toEqual([]);
  });

  it("skips, naming the build, when the data shows a build that writes no segment documents", () => {
    const streams = { drillLayout: "current" as const, present: true, tokens: [{ consumer: "event-aggregator", hasToken: true }] };
    const out = evaluate(eventSegmentsWithinTotal, {}, { ...agg([total("Buy", "2024-10-27", 1)], []), changeStreams: streams, buildSignals: { ...EMPTY_FACTS.buildSignals, totalDocs: 3 } });
    expect(out.skipped).toMatch(/^segments not checked: this Countly build writes no segment documents — 3 event total documents but no segment document/);
  });

  it("judges segment documents without any total document (totals lost), and large sums within rounding relative to their size", () => {
    expect(evaluate(eventSegmentsWithinTotal, {}, agg([], [seg("Buy", "2024-10-27", "item", 3)])).findings).toEqual([expect.objectContaining({ expected: "<= 0", actual: 3 })]);
    // 50000000.7 + 0.1 is 7.45e-9 off 50000000.8 in floating point: more than 1e-9, less than 1e-9 of the value.
    expect(evaluate(eventSegmentsWithinTotal, {}, agg([total("Buy", "2024-10-27", 2, 50_000_000.8)], [seg("Buy", "2024-10-27", "m", 2, 50_000_000.7 + 0.1)])).findings).toEqual([]);
    expect(evaluate(eventSegmentsWithinTotal, {}, agg([total("Buy", "2024-10-27", 2, 50_000_000.8)], [seg("Buy", "2024-10-27", "m", 2, 50_000_000.9)])).findings).toHaveLength(1);
  });
});
