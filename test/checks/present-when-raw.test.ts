import { describe, expect, it } from "vitest";
import { dayRange } from "../../checks/present-when-raw.ts";
import type { CheckDefinition } from "../../checks/types.ts";
import { scopeFact } from "../../runner/facts/scope.ts";
import type { FactName, FactValues, RawSessionDay } from "../../runner/facts/types.ts";
import { sourcesPresentWhenRaw } from "../../checks/sources-present-when-raw.ts";
import { viewsPresentWhenRaw } from "../../checks/views-present-when-raw.ts";
import { APP, EMPTY_FACTS, evaluate } from "../support/check-harness.ts";

const a = APP.id;

describe("views-present-when-raw", () => {
  const rawViews = [
    { app: a, view: "Home", day: "2024-10-20", events: 3, visits: 3 },
    { app: a, view: "Cart", day: "2024-10-22", events: 1, visits: 1 },
  ];
  it("passes with visits and a view list", () => {
    expect(evaluate(viewsPresentWhenRaw, {}, { rawViews, viewAggregates: { days: [{ app: a, day: "2024-10-20", visits: 3 }], metaCount: { [a]: 2 } } }).findings).toEqual([]);
  });
  it("fails when views are empty while raw views exist, saying how many and when", () => {
    const out = evaluate(viewsPresentWhenRaw, {}, { rawViews });
    expect(out.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(
        /^4 raw \[CLY\]_view events on 2 days \(2024-10-20\.\.2024-10-22\), but no aggregated view visits in the period: no app on this server has view aggregates for any day: views were never aggregated here at all .*never aggregates views \(plugins\/views\/api\/aggregator\.js \(commit 0a0731a\)/,
      ),
      "4 raw [CLY]_view events on 2 days (2024-10-20..2024-10-22), but app_viewsmeta lists no views: the Views dashboard is empty",
    ]);
  });
  it("is skipped, not passed, without raw views (also outside the period)", () => {
    expect(evaluate(viewsPresentWhenRaw, {}, {}).skipped).toMatch(/no raw \[CLY\]_view events/);
    expect(evaluate(viewsPresentWhenRaw, {}, { rawViews }, { from: "2024-11-01" }).skipped).toMatch(/no raw/);
  });
});

describe("sources-present-when-raw", () => {
  const rawSessions = [{ app: a, day: "2024-10-20", sessions: 5, begins: 0, bySource: { "Google Play": 4 }, beginsBySource: {} }];
  it("passes when countly.sources has sessions", () => {
    expect(evaluate(sourcesPresentWhenRaw, {}, { rawSessions, sourceAggregates: { days: [{ app: a, day: "2024-10-20", source: "Google Play", t: 4 }] } }).findings).toEqual([]);
  });
  it("fails when sources are empty while raw sessions carry a source", () => {
    expect(evaluate(sourcesPresentWhenRaw, {}, { rawSessions }).findings).toEqual([expect.objectContaining({ actual: 0, message: expect.stringMatching(/^4 raw sessions with a source on 1 day \(2024-10-20\)/) })]);
  });
  it("counts sources of session-begin documents too, and skips without sourced sessions", () => {
    const begins = [{ app: a, day: "2024-10-20", sessions: 0, begins: 2, bySource: {}, beginsBySource: { web: 2 } }];
    expect(evaluate(sourcesPresentWhenRaw, {}, { rawSessions: begins }).findings).toHaveLength(1);
    expect(evaluate(sourcesPresentWhenRaw, {}, { rawSessions: [{ ...rawSessions[0]!, bySource: {} }] }).skipped).toMatch(/no raw sessions with a source/);
  });
});

describe("present-when-raw wording", () => {
  it("names the days as a count and a range, each day once", () => {
    expect(dayRange([])).toBe("no days");
    expect(dayRange(["2024-10-20", "2024-10-20"])).toBe("1 day (2024-10-20)");
    expect(dayRange(["2024-11-09", "2024-10-20", "2024-10-21", "2024-10-20"])).toBe("3 days (2024-10-20..2024-11-09)");
  });

  it("sources: the whole finding, counting a day's sources by the larger of [CLY]_session and [CLY]_session_begin", () => {
    const rawSessions: RawSessionDay[] = [
      { app: a, day: "2024-10-21", sessions: 5, begins: 5, bySource: { "Google Play": 4, web: 1 }, beginsBySource: { web: 2 } },
      { app: a, day: "2024-10-20", sessions: 0, begins: 3, bySource: {}, beginsBySource: { web: 3 } },
    ];
    expect(evaluate(sourcesPresentWhenRaw, {}, { rawSessions }).findings).toEqual([
      { expected: "> 0 sessions by source", actual: 0, message: "8 raw sessions with a source on 2 days (2024-10-20..2024-10-21), but countly.sources has no data for them: sources not rebuilt after restore?" },
    ]);
  });

  it("views: the whole findings; a view list alone does not make the views present, visits alone do not make the list", () => {
    const rawViews = [{ app: a, view: "Home", day: "2024-10-20", events: 3, visits: 3 }];
    const listOnly = evaluate(viewsPresentWhenRaw, {}, { rawViews, viewAggregates: { days: [], metaCount: { [a]: 1 } } });
    expect(listOnly.findings).toEqual([{ expected: "> 0 visits", actual: 0, message: expect.stringMatching(/^3 raw \[CLY\]_view events on 1 day \(2024-10-20\), but no aggregated view visits in the period: /) }]);
    const visitsOnly = evaluate(viewsPresentWhenRaw, {}, { rawViews, viewAggregates: { days: [{ app: a, day: "2024-10-20", visits: 3 }], metaCount: {} } });
    expect(visitsOnly.findings).toEqual([{ expected: "> 0 views listed", actual: 0, message: "3 raw [CLY]_view events on 1 day (2024-10-20), but app_viewsmeta lists no views: the Views dashboard is empty" }]);
  });

  it("views: explains missing visits by the app's view aggregates over all time, from the first raw day", () => {
    const rawViews = [
      { app: a, view: "Home", day: "2024-10-22", events: 1, visits: 1 },
      { app: a, view: "Home", day: "2024-10-20", events: 1, visits: 1 },
    ];
    const signals = (first: string, last: string) => ({ buildSignals: { ...EMPTY_FACTS.buildSignals, viewsFirstDay: { [a]: first }, viewsLastDay: { [a]: last } }, viewAggregates: { days: [], metaCount: { [a]: 1 } } });
    const messages = (first: string, last: string) => evaluate(viewsPresentWhenRaw, {}, { rawViews, ...signals(first, last) }).findings.map((f) => f.message);
    expect(messages("2024-10-21", "2024-12-01")).toEqual([expect.stringMatching(/in the period: this app's view aggregates start on 2024-10-21: views are missing only up to then/)]);
    expect(messages("2024-01-01", "2024-10-19")).toEqual([expect.stringMatching(/in the period: this app's view aggregates stop on 2024-10-19:/)]);
    // Aggregates exist around the raw days but none in the period: no history-based cause.
    expect(messages("2024-01-01", "2024-12-01")).toEqual(["2 raw [CLY]_view events on 2 days (2024-10-20..2024-10-22), but no aggregated view visits in the period: views not rebuilt after restore?"]);
  });
});

describe("present-when-raw facts", () => {
  /** Evaluates with facts the check did not declare in needs() missing, as the runner leaves them. */
  function readFacts(def: CheckDefinition<any>, facts: Partial<FactValues>): string[] {
    const declared = new Set(def.needs({}).map((r) => r.fact));
    const all = { ...EMPTY_FACTS, ...facts };
    const read = new Set<string>();
    def.evaluate({
      options: {},
      app: APP,
      period: {},
      severity: "error",
      facts: {
        get: <K extends FactName>(n: K) => {
          if (!declared.has(n)) throw new Error(`undeclared fact ${n}`);
          read.add(n);
          return scopeFact(all[n], APP.id, {});
        },
        inPeriod: () => true,
      },
      report: () => {},
    });
    return [...read].sort();
  }

  it("views and sources declare every fact they read", () => {
    expect(readFacts(viewsPresentWhenRaw, { rawViews: [{ app: a, view: "Home", day: "2024-10-20", events: 1, visits: 1 }] })).toEqual(["buildSignals", "changeStreams", "rawViews", "viewAggregates"]);
    expect(readFacts(sourcesPresentWhenRaw, { rawSessions: [{ app: a, day: "2024-10-20", sessions: 1, begins: 0, bySource: { web: 1 }, beginsBySource: {} }] })).toEqual(["rawSessions", "sourceAggregates"]);
  });

  it("sources: days without a sourced session are not named, and a source day with 0 sessions is no data", () => {
    const rawSessions: RawSessionDay[] = [
      { app: a, day: "2024-10-25", sessions: 3, begins: 0, bySource: {}, beginsBySource: {} },
      { app: a, day: "2024-10-20", sessions: 2, begins: 0, bySource: { web: 2 }, beginsBySource: {} },
    ];
    expect(evaluate(sourcesPresentWhenRaw, {}, { rawSessions, sourceAggregates: { days: [{ app: a, day: "2024-10-20", source: "web", t: 0 }] } }).findings.map((f) => f.message)).toEqual([
      "2 raw sessions with a source on 1 day (2024-10-20), but countly.sources has no data for them: sources not rebuilt after restore?",
    ]);
  });

  it("views: a day with 0 visits is no visits", () => {
    const rawViews = [{ app: a, view: "Home", day: "2024-10-20", events: 1, visits: 1 }];
    expect(evaluate(viewsPresentWhenRaw, {}, { rawViews, viewAggregates: { days: [{ app: a, day: "2024-10-20", visits: 0 }], metaCount: { [a]: 1 } } }).findings.map((f) => f.expected)).toEqual(["> 0 visits"]);
  });
});
