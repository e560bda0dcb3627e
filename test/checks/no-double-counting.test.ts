import { describe, expect, it } from "vitest";
import { noDoubleCounting } from "../../checks/no-double-counting.ts";
import type { RawEventDay } from "../../runner/facts/types.ts";
import { APP, evaluate, evaluateSeries } from "../support/check-harness.ts";

const a = APP.id;
const raw = (key: string, day: string, c: number, extra: Partial<RawEventDay> = {}): RawEventDay => ({ app: a, key, day, c, s: 0, dur: 0, docs: c, tail: [], ...extra });
const agg = (key: string, day: string, c: number, s = 0, dur = 0) => ({ app: a, key, day, c, s, dur });
const facts = (rows: RawEventDay[], totals: ReturnType<typeof agg>[]) => ({ rawEvents: { rows }, eventAggregates: { totals, segments: [], unattributed: [] } });
const days = (n: number) => Array.from({ length: n }, (_, i) => `2024-10-${String(20 + i).padStart(2, "0")}`);

describe("no-double-counting", () => {
  it("passes when aggregates equal raw counts, fall short of them, or exceed them by a non-multiple", () => {
    const out = evaluate(noDoubleCounting, {}, facts([raw("Buy", "2024-10-27", 4), raw("Buy", "2024-10-28", 4), raw("Buy", "2024-10-29", 4), raw("Buy", "2024-10-30", 4)], [agg("Buy", "2024-10-27", 4), agg("Buy", "2024-10-28", 0), agg("Buy", "2024-10-29", 7)]));
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("flags the days of an event whose days are mostly the same exact multiple, naming the factor, the spread and s/dur as evidence", () => {
    const out = evaluate(noDoubleCounting, {}, facts(
      [raw("Buy", "2024-10-27", 40, { s: 10, dur: 7, docs: 38 }), raw("Buy", "2024-10-28", 1), raw("Buy", "2024-10-29", 2), raw("Login", "2024-10-27", 3)],
      [agg("Buy", "2024-10-27", 80, 20, 14), agg("Buy", "2024-10-28", 2), agg("Buy", "2024-10-29", 2), agg("Login", "2024-10-27", 9)],
    ));
    expect(out.findings).toEqual([
      {
        event: "Buy",
        day: "2024-10-27",
        field: "c",
        expected: 40,
        actual: 80,
        message: "the aggregated count 80 is exactly 2x the raw count 40 (38 drill documents; 2 of the event's 3 days with raw events are exactly 2x, sum and duration too): a restore merged over live aggregation, or raw data aggregated twice?",
      },
      expect.objectContaining({ event: "Buy", day: "2024-10-28", expected: 1, actual: 2 }),
      expect.objectContaining({ event: "Login", expected: 3, actual: 9, message: expect.stringMatching(/exactly 3x the raw count 3 .*1 of the event's 1 day with raw events.*aggregated 3 times\?/) }),
    ]);
  });

  it("leaves a stray small exact multiple alone (data aggregated in another timezone produces those by chance)", () => {
    const rows = days(10).map((d) => raw("Buy", d, 3));
    const totals = days(10).map((d, i) => agg("Buy", d, i === 4 ? 6 : i === 5 ? 0 : 3));
    expect(evaluate(noDoubleCounting, {}, facts(rows, totals)).findings).toEqual([]);
    expect(evaluate(noDoubleCounting, { min_share: 0.1 }, facts(rows, totals)).findings.map((f) => f.day)).toEqual(["2024-10-24"]);
  });

  it("reports a lone large multiple on its own, when its sum and duration (where sent) agree", () => {
    const rows = days(10).map((d, i) => raw("Buy", d, i === 0 ? 25 : 3, i === 0 ? { s: 5 } : {}));
    const totals = (s: number) => days(10).map((d, i) => (i === 0 ? agg("Buy", d, 50, s) : agg("Buy", d, 3)));
    expect(evaluate(noDoubleCounting, {}, facts(rows, totals(10))).findings.map((f) => f.day)).toEqual(["2024-10-20"]);
    expect(evaluate(noDoubleCounting, {}, facts(rows, totals(7))).findings).toEqual([]);
    expect(evaluate(noDoubleCounting, { strong_raw_count: 30 }, facts(rows, totals(10))).findings).toEqual([]);
  });

  it("honours min_ratio and exclude_events, and skips without raw events", () => {
    const f = facts([raw("Buy", "2024-10-27", 1), raw("Login", "2024-10-27", 5)], [agg("Buy", "2024-10-27", 2), agg("Login", "2024-10-27", 10)]);
    expect(evaluate(noDoubleCounting, {}, f).findings.map((x) => x.event)).toEqual(["Buy", "Login"]);
    expect(evaluate(noDoubleCounting, { min_ratio: 3 }, f).findings).toEqual([]);
    expect(evaluate(noDoubleCounting, { exclude_events: ["Buy", "Login"] }, f).skipped).toBe("no raw custom events in the period");
  });

  it("names the sum or the duration alone as evidence, and one drill document in the singular", () => {
    const one = (extra: Partial<RawEventDay>, s: number, dur: number) =>
      evaluate(noDoubleCounting, {}, facts([raw("Buy", "2024-10-27", 4, { docs: 1, ...extra })], [agg("Buy", "2024-10-27", 8, s, dur)])).findings[0]!.message;
    expect(one({ s: 3, dur: 5 }, 6, 9)).toBe(
      "the aggregated count 8 is exactly 2x the raw count 4 (1 drill document; 1 of the event's 1 day with raw events are exactly 2x, sum too): a restore merged over live aggregation, or raw data aggregated twice?",
    );
    expect(one({ s: 3, dur: 5 }, 5, 10)).toMatch(/exactly 2x, duration too\): /);
    expect(one({ s: 3, dur: 5 }, 5, 9)).toMatch(/exactly 2x\): /);
    // Float sums: equal within rounding, relative to their size.
    expect(one({ s: 0.1 + 0.2, dur: 1e6 + 0.1 }, 0.6, 2e6 + 0.2)).toMatch(/sum and duration too/);
    expect(one({ s: 0.3, dur: 5 }, 0.6 + 1e-6, 10)).toMatch(/exactly 2x, duration too\): /);
  });

  it("by default reports an event's multiple days from half of its days on, and a lone day from a raw count of 20", () => {
    const rows = days(4).map((d) => raw("Buy", d, 3));
    const half = days(4).map((d, i) => agg("Buy", d, i < 2 ? 6 : 3));
    expect(evaluate(noDoubleCounting, {}, facts(rows, half)).findings.map((f) => f.day)).toEqual(["2024-10-20", "2024-10-21"]);
    const quarter = days(4).map((d, i) => agg("Buy", d, i < 1 ? 6 : 3));
    expect(evaluate(noDoubleCounting, {}, facts(rows, quarter)).findings).toEqual([]);
    const lone = (c: number) => facts(days(10).map((d, i) => raw("Buy", d, i === 0 ? c : 3)), days(10).map((d, i) => agg("Buy", d, i === 0 ? 2 * c : 3)));
    expect(evaluate(noDoubleCounting, {}, lone(20)).findings.map((f) => f.day)).toEqual(["2024-10-20"]);
    expect(evaluate(noDoubleCounting, {}, lone(19)).findings).toEqual([]);
  });

  it("by default counts from 2x up, groups days by their multiple, and says \"k times\" above 2", () => {
    const rows = days(4).map((d) => raw("Buy", d, 2));
    const out = evaluate(noDoubleCounting, {}, facts(rows, [agg("Buy", days(4)[0]!, 8), agg("Buy", days(4)[1]!, 8), agg("Buy", days(4)[2]!, 4), agg("Buy", days(4)[3]!, 3)]));
    expect(out.findings.map((f) => [f.day, f.actual])).toEqual([["2024-10-20", 8], ["2024-10-21", 8]]);
    expect(out.findings[0]!.message).toMatch(/2 of the event's 4 days with raw events are exactly 4x\): a restore merged over live aggregation, or raw data aggregated 4 times\?$/);
  });

  it("leaves out raw days with no count and keys Countly never aggregates (left out of a full event list)", () => {
    const full = { eventCatalog: { apps: [{ app: a, list: ["Buy"], segments: {}, omitted: {} }], data: [], drill: [], unresolved: [] } };
    const f = facts([raw("Buy", "2024-10-27", 2), raw("New", "2024-10-27", 2), raw("Zero", "2024-10-27", 0)], [agg("Buy", "2024-10-27", 4), agg("New", "2024-10-27", 4), agg("Zero", "2024-10-27", 4)]);
    expect(evaluate(noDoubleCounting, {}, f).findings.map((x) => x.event)).toEqual(["Buy", "New"]);
    const limited = { ...f, ...full, buildSignals: { layout: { events: "current" as const, drill: "current" as const, views: "current" as const }, eventLimit: 0, appEventLimits: {}, segmentDocs: 0, totalDocs: 0, segmentRegistries: 0, viewsLastDay: {}, viewsFirstDay: {} } };
    expect(evaluate(noDoubleCounting, {}, limited).findings.map((x) => x.event)).toEqual(["Buy"]);
    expect(evaluate(noDoubleCounting, {}, facts([raw("Zero", "2024-10-27", 0)], [])).skipped).toBe("no raw custom events in the period");
  });

  it("charts raw against aggregated counts per event, the doubled event first, an all-events total first of all", () => {
    const series = evaluateSeries(noDoubleCounting, {}, facts([raw("Buy", "2024-10-27", 4), raw("Login", "2024-10-27", 9), raw("Login", "2024-10-28", 1)], [agg("Buy", "2024-10-27", 8), agg("Login", "2024-10-27", 9)]));
    expect(series).toEqual([
      { label: "all events · c", points: [{ day: "2024-10-27", raw: 13, aggregated: 17 }, { day: "2024-10-28", raw: 1, aggregated: 0 }] },
      { label: "event Buy · c", points: [{ day: "2024-10-27", raw: 4, aggregated: 8 }] },
      { label: "event Login · c", points: [{ day: "2024-10-27", raw: 9, aggregated: 9 }, { day: "2024-10-28", raw: 1, aggregated: 0 }] },
    ]);
  });

  it("a sum is the same multiple within float rounding relative to its size, and not beyond", () => {
    const one = (s: number, aggS: number) => evaluate(noDoubleCounting, {}, facts([raw("Buy", "2024-10-27", 4, { s })], [agg("Buy", "2024-10-27", 8, aggS)])).findings[0]!.message;
    expect(one(1e6 + 0.1, 2e6 + 0.2 + 1e-4)).toMatch(/, sum too\)/);
    expect(one(1e6 + 0.1, 2e6 + 0.2 + 1e-2)).not.toMatch(/sum too/);
    expect(one(0.5, 1 + 5e-10)).toMatch(/, sum too\)/);
    expect(one(0.5, 1 + 2e-9)).not.toMatch(/sum too/);
  });
});
