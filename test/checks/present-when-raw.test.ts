import { describe, expect, it } from "vitest";
import { sourcesPresentWhenRaw } from "../../checks/sources-present-when-raw.ts";
import { viewsPresentWhenRaw } from "../../checks/views-present-when-raw.ts";
import { APP, evaluate } from "../support/check-harness.ts";

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
