import { describe, expect, it } from "vitest";
import { noDoubleCounting } from "../../checks/no-double-counting.ts";
import type { RawEventDay } from "../../runner/facts/types.ts";
import { APP, evaluate } from "../support/check-harness.ts";

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
});
