import { describe, expect, it } from "vitest";
import { sourcesMatchRaw } from "../../checks/sources-match-raw.ts";
import type { RawSessionDay, RawTailRow, SourceAggregateDay } from "../../runner/facts/types.ts";
import { APP, evaluate, evaluateSeries } from "../support/check-harness.ts";

const a = APP.id;
const raw = (day: string, bySource: Record<string, number>, beginsBySource: Record<string, number> = {}): RawSessionDay => ({
  app: a,
  day,
  sessions: Object.values(bySource).reduce((x, y) => x + y, 0) + 1,
  begins: Object.values(beginsBySource).reduce((x, y) => x + y, 0),
  bySource,
  beginsBySource,
});
const agg = (...rows: [string, string, number][]) => ({ days: rows.map(([day, source, t]): SourceAggregateDay => ({ app: a, day, source, t })) });
const meta = (...sources: string[]) => ({ values: sources.map((source) => ({ app: a, year: 2024, source })) });

describe("sources-match-raw", () => {
  it("passes when every source and day matches and every source is listed", () => {
    const out = evaluate(sourcesMatchRaw, {}, {
      rawSessions: [raw("2024-10-27", { "Google Play": 3, "com&#46;android&#46;vending": 1 }), raw("2024-10-28", { "www:google:com": 2 })],
      sourceAggregates: agg(["2024-10-27", "Google Play", 3], ["2024-10-27", "com&#46;android&#46;vending", 1], ["2024-10-28", "www:google:com", 2]),
      sourceMeta: meta("Google Play", "com&#46;android&#46;vending", "www:google:com"),
    });
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("reports sources missing for raw sessions and from meta_v2.sources (sources emptied after a restore)", () => {
    const out = evaluate(sourcesMatchRaw, {}, { rawSessions: [raw("2024-10-27", { "Google Play": 9 })] });
    expect(out.findings).toEqual([
      expect.objectContaining({ event: "[CLY]_session", day: "2024-10-27", segment: "src=Google Play", field: "t", expected: 9, actual: 0, message: expect.stringMatching(/^countly\.sources has no sessions from this source this day, but 9 raw \[CLY\]_session documents with it: sources not restored \(or emptied\)/) }),
      expect.objectContaining({ segment: "src=Google Play", field: "meta_v2.sources", expected: "listed", actual: "missing", message: expect.stringMatching(/^9 raw \[CLY\]_session documents with this source in 2024, but meta_v2\.sources of countly\.sources' 2024 year documents does not list it/) }),
    ]);
  });

  it("names a timezone shift, and reports a source aggregated on a day no raw session carries it", () => {
    const out = evaluate(sourcesMatchRaw, {}, {
      rawSessions: [raw("2024-10-27", { Direct: 2 }), raw("2024-10-28", { "App Store": 1 })],
      sourceAggregates: agg(["2024-10-27", "Direct", 1], ["2024-10-28", "Direct", 1], ["2024-10-28", "App Store", 1]),
      sourceMeta: meta("Direct", "App Store"),
    });
    expect(out.findings.map((f) => [f.day, f.segment, f.expected, f.actual])).toEqual([
      ["2024-10-27", "src=Direct", 2, 1],
      ["2024-10-28", "src=Direct", 0, 1],
    ]);
    for (const f of out.findings) expect(f.message).toMatch(/the period's totals agree but the days do not: aggregated in another timezone than the app's \(Europe\/Berlin\)/);
  });

  it("counts [CLY]_session_begin sources when the build does (count_from)", () => {
    const facts = { rawSessions: [raw("2024-10-27", {}, { web: 2 })], sourceAggregates: agg(["2024-10-27", "web", 2]), sourceMeta: meta("web") };
    expect(evaluate(sourcesMatchRaw, {}, facts).findings).toEqual([]);
    expect(evaluate(sourcesMatchRaw, { count_from: "session" }, facts).skipped).toBeUndefined();
    expect(evaluate(sourcesMatchRaw, { count_from: "session" }, facts).findings).toEqual([expect.objectContaining({ event: "[CLY]_session", segment: "src=web", expected: 0, actual: 2 })]);
  });

  it("lets sessions inserted within the settle window be missing", () => {
    const tail = (minute: number, n: number): RawTailRow => ({ app: a, e: "[CLY]_session", key: "", day: "2024-10-27", minute, docs: n, visits: 0, bySource: { Direct: n } });
    const facts = (t: number) => ({ rawSessions: [raw("2024-10-27", { Direct: 10 })], sourceAggregates: agg(["2024-10-27", "Direct", t]), sourceMeta: meta("Direct"), rawTail: { rows: [tail(70, 2), tail(73, 3)], maxCdMinute: 73 } });
    expect(evaluate(sourcesMatchRaw, {}, facts(5)).findings).toEqual([]);
    expect(evaluate(sourcesMatchRaw, { settle_minutes: 2 }, facts(6)).findings).toHaveLength(1);
    // A source seen only within the settle window need not be listed yet.
    const fresh = { rawSessions: [raw("2024-10-27", { New: 2 })], rawTail: { rows: [{ ...tail(73, 2), bySource: { New: 2 } }], maxCdMinute: 73 } };
    expect(evaluate(sourcesMatchRaw, {}, fresh).findings).toEqual([]);
  });

  it("honours require_meta, tolerance and aggregates_without_raw, and skips without sourced sessions", () => {
    const facts = { rawSessions: [raw("2024-10-27", { Direct: 10 })], sourceAggregates: agg(["2024-10-27", "Direct", 9], ["2023-05-01", "Direct", 4]) };
    expect(evaluate(sourcesMatchRaw, { require_meta: false, tolerance: 1 }, facts).findings).toEqual([]);
    expect(evaluate(sourcesMatchRaw, { require_meta: false, tolerance: 1, aggregates_without_raw: "fail" }, facts).findings).toEqual([expect.objectContaining({ day: "2023-05-01", expected: 0, actual: 4 })]);
    expect(evaluate(sourcesMatchRaw, {}, { rawSessions: [raw("2024-10-27", {})] }).skipped).toBe("no raw sessions with a source (up.src) in the period");
  });

  it("says what each kind of difference likely means, with the whole message", () => {
    const one = (bySource: Record<string, number>, rows: [string, string, number][], options: Record<string, unknown> = {}, extra = {}) =>
      evaluate(sourcesMatchRaw, { require_meta: false, ...options }, { rawSessions: [raw("2024-10-27", bySource)], sourceAggregates: agg(...rows), ...extra }).findings.map((f) => f.message);
    expect(one({ Direct: 10 }, [["2024-10-27", "Direct", 0]])).toEqual([
      "countly.sources counts 0 sessions from this source this day, but 10 raw [CLY]_session documents with it: sources not restored (or emptied), or never rebuilt after a restore, or the days are shifted (another timezone than the app's)",
    ]);
    expect(one({ Direct: 10 }, [["2024-10-27", "Direct", 6]])).toEqual([
      "4 fewer sessions than the 10 raw [CLY]_session documents with it: part of the raw sessions were never aggregated, or the days are shifted (another timezone than the app's)",
    ]);
    expect(one({ Direct: 10 }, [["2024-10-27", "Direct", 20]])).toEqual(["exactly 2x the 10 raw [CLY]_session documents with it: a restore merged over live aggregation (double counting)?"]);
    expect(one({ Direct: 10 }, [["2024-10-27", "Direct", 13]])).toEqual(["3 more sessions than the 10 raw [CLY]_session documents with it: aggregates exceed the raw data (days shifted to another timezone, or counted twice)"]);
    expect(one({ Direct: 1 }, [["2024-10-27", "Direct", 3]])).toEqual(["exactly 3x the 1 raw [CLY]_session document with it: a restore merged over live aggregation (double counting)?"]);
    const tail: RawTailRow = { app: a, e: "[CLY]_session", key: "", day: "2024-10-27", minute: 73, docs: 2, visits: 0, bySource: { Direct: 2 } };
    expect(one({ Direct: 10 }, [["2024-10-27", "Direct", 3]], {}, { rawTail: { rows: [tail], maxCdMinute: 73 } })).toEqual([
      "5 fewer sessions than the 10 raw [CLY]_session documents with it (2 of them inserted within the settle window may still be pending): part of the raw sessions were never aggregated, or the days are shifted (another timezone than the app's)",
    ]);
  });

  it("asks for the raw tail of the settle window", () => {
    expect(sourcesMatchRaw.needs({ count_from: "auto", tolerance: 0, relative_tolerance: 0, settle_minutes: 9, require_meta: true, aggregates_without_raw: "ignore" })).toContainEqual({ fact: "rawTail", params: { tailMinutes: 9 } });
  });

  it("a source aggregated on a raw day that no raw session carries: the whole finding, and nothing for a 0 count", () => {
    const out = evaluate(sourcesMatchRaw, { require_meta: false }, {
      rawSessions: [raw("2024-10-27", { Direct: 5 })],
      sourceAggregates: agg(["2024-10-27", "Direct", 5], ["2024-10-27", "Ads", 3], ["2024-10-27", "Empty", 0]),
    });
    expect(out.findings).toEqual([
      { event: "[CLY]_session", day: "2024-10-27", segment: "src=Ads", field: "t", expected: 0, actual: 3, message: "3 sessions from this source, but no raw [CLY]_session document that day carries it: days shifted (aggregated in another timezone than the app's), or aggregates restored over another dataset" },
    ]);
  });

  it("meta_v2.sources: listed per year, the whole finding, summed over the year's days", () => {
    const facts = { rawSessions: [raw("2024-10-27", { Direct: 2 }), raw("2024-10-28", { Direct: 3 })], sourceAggregates: agg(["2024-10-27", "Direct", 2], ["2024-10-28", "Direct", 3]) };
    expect(evaluate(sourcesMatchRaw, {}, { ...facts, sourceMeta: { values: [{ app: a, year: 2023, source: "Direct" }] } }).findings).toEqual([
      {
        event: "[CLY]_session",
        segment: "src=Direct",
        field: "meta_v2.sources",
        expected: "listed",
        actual: "missing",
        message: "5 raw [CLY]_session documents with this source in 2024, but meta_v2.sources of countly.sources' 2024 year documents does not list it: the Sources dashboard does not show it (year documents lost or not restored, or metric_limit reached)",
      },
    ]);
    expect(evaluate(sourcesMatchRaw, {}, { ...facts, sourceMeta: meta("Direct") }).findings).toEqual([]);
  });

  it("aggregates_without_raw: fail reports days without raw sessions (the whole finding), not days with a 0 count, and not by default", () => {
    const facts = { rawSessions: [raw("2024-10-27", { Direct: 1 })], sourceAggregates: agg(["2024-10-27", "Direct", 1], ["2023-05-01", "Direct", 4], ["2023-05-02", "Direct", 0]), sourceMeta: meta("Direct") };
    expect(evaluate(sourcesMatchRaw, {}, facts).findings).toEqual([]);
    expect(evaluate(sourcesMatchRaw, { aggregates_without_raw: "fail" }, facts).findings).toEqual([
      { event: "[CLY]_session", day: "2023-05-01", segment: "src=Direct", field: "t", expected: 0, actual: 4, message: "4 sessions from this source but no raw session documents that day (raw data deleted, or aggregates restored over another dataset)" },
    ]);
  });

  it("relative tolerance per source and day, and sources with 0 raw sessions are not cells", () => {
    const facts = { rawSessions: [raw("2024-10-27", { Direct: 100, Zero: 0 })], sourceAggregates: agg(["2024-10-27", "Direct", 95]), sourceMeta: meta("Direct") };
    expect(evaluate(sourcesMatchRaw, {}, facts).findings).toHaveLength(1);
    expect(evaluate(sourcesMatchRaw, { relative_tolerance: 0.05 }, facts).findings).toEqual([]);
    expect(evaluate(sourcesMatchRaw, { relative_tolerance: 0.04 }, facts).findings).toHaveLength(1);
  });

  it("sums the aggregates of one source and day, and the raw tail of one source over its rows", () => {
    const tail = (minute: number, n: number): RawTailRow => ({ app: a, e: "[CLY]_session", key: "", day: "2024-10-27", minute, docs: n, visits: 0, bySource: { Direct: n } });
    const facts = (t: number) => ({ rawSessions: [raw("2024-10-27", { Direct: 10 })], sourceAggregates: agg(["2024-10-27", "Direct", t - 1], ["2024-10-27", "Direct", 1]), sourceMeta: meta("Direct"), rawTail: { rows: [tail(72, 2), tail(73, 3)], maxCdMinute: 73 } });
    expect(evaluate(sourcesMatchRaw, {}, facts(5)).findings).toEqual([]);
    expect(evaluate(sourcesMatchRaw, {}, facts(4)).findings).toHaveLength(1);
  });

  it("charts raw against aggregated sessions per source: lines with findings first, an all-sources total first of all", () => {
    const series = evaluateSeries(sourcesMatchRaw, { require_meta: false }, {
      rawSessions: [raw("2024-10-27", { Direct: 2, Ads: 0 }), raw("2024-10-28", { Ads: 5 })],
      sourceAggregates: agg(["2024-10-27", "Direct", 2], ["2024-10-28", "Ads", 1], ["2024-10-29", "Mail", 3], ["2024-10-29", "Zero", 0]),
    });
    expect(series).toEqual([
      { label: "all sources · t", points: [{ day: "2024-10-28", raw: 5, aggregated: 1 }, { day: "2024-10-27", raw: 2, aggregated: 2 }, { day: "2024-10-29", raw: 0, aggregated: 3 }] },
      { label: "source Ads · t", points: [{ day: "2024-10-28", raw: 5, aggregated: 1 }] },
      { label: "source Direct · t", points: [{ day: "2024-10-27", raw: 2, aggregated: 2 }] },
      { label: "source Mail · t", points: [{ day: "2024-10-29", raw: 0, aggregated: 3 }] },
    ]);
  });

  it("equal sourced counts of both kinds are data, not nothing; a day without raw sessions is not a raw day", () => {
    const both = { rawSessions: [raw("2024-10-27", { Direct: 2 }, { Direct: 2 })], sourceAggregates: agg(["2024-10-27", "Direct", 1]), sourceMeta: meta("Direct") };
    expect(evaluate(sourcesMatchRaw, {}, both).findings).toEqual([expect.objectContaining({ expected: 2, actual: 1 })]);
    const empty: RawSessionDay = { app: a, day: "2024-10-28", sessions: 0, begins: 0, bySource: {}, beginsBySource: {} };
    const facts = { rawSessions: [raw("2024-10-27", { Direct: 1 }), empty], sourceAggregates: agg(["2024-10-27", "Direct", 1], ["2024-10-28", "Ads", 2]), sourceMeta: meta("Direct") };
    expect(evaluate(sourcesMatchRaw, {}, facts).findings).toEqual([]);
    expect(evaluate(sourcesMatchRaw, { aggregates_without_raw: "fail" }, facts).findings.map((f) => f.day)).toEqual(["2024-10-28"]);
  });

  it("the tolerance is measured from the near end of the settle window", () => {
    const tail: RawTailRow = { app: a, e: "[CLY]_session", key: "", day: "2024-10-27", minute: 73, docs: 2, visits: 0, bySource: { Direct: 2 } };
    const facts = (t: number) => ({ rawSessions: [raw("2024-10-27", { Direct: 10 })], sourceAggregates: agg(["2024-10-27", "Direct", t]), sourceMeta: meta("Direct"), rawTail: { rows: [tail], maxCdMinute: 73 } });
    expect(evaluate(sourcesMatchRaw, { tolerance: 2 }, facts(6)).findings).toEqual([]);
    expect(evaluate(sourcesMatchRaw, { tolerance: 2 }, facts(5)).findings).toHaveLength(1);
    expect(evaluate(sourcesMatchRaw, { tolerance: 2 }, facts(12)).findings).toEqual([]);
    expect(evaluate(sourcesMatchRaw, { tolerance: 2 }, facts(13)).findings).toHaveLength(1);
    expect(evaluate(sourcesMatchRaw, {}, { rawSessions: [raw("2024-10-27", { Direct: 2 })], sourceAggregates: agg(["2024-10-27", "Direct", 7]), sourceMeta: meta("Direct") }).findings[0]!.message).toMatch(/^5 more sessions than the 2 raw/);
  });

  it("count_from auto with both kinds: the kind whose sources the aggregates agree with on more days", () => {
    const facts = { rawSessions: [raw("2024-10-27", { Direct: 3 }, { Direct: 4 }), raw("2024-10-28", { Ads: 2 }, { Ads: 5 })], sourceAggregates: agg(["2024-10-27", "Direct", 3], ["2024-10-28", "Ads", 2]), sourceMeta: meta("Direct", "Ads") };
    expect(evaluate(sourcesMatchRaw, {}, facts).findings).toEqual([]);
    const begins = { ...facts, sourceAggregates: agg(["2024-10-27", "Direct", 4], ["2024-10-28", "Ads", 5]) };
    expect(evaluate(sourcesMatchRaw, {}, begins).findings).toEqual([]);
  });

  it("a shift between days: the whole message; the line with a finding charted before a bigger one without", () => {
    const out = evaluate(sourcesMatchRaw, {}, { rawSessions: [raw("2024-10-27", { Direct: 1 }), raw("2024-10-28", { Direct: 1 })], sourceAggregates: agg(["2024-10-27", "Direct", 2]), sourceMeta: meta("Direct") });
    expect(out.findings.map((f) => f.message)).toEqual([
      "2 sessions from this source, 1 raw [CLY]_session document with it: the period's totals agree but the days do not: aggregated in another timezone than the app's (Europe/Berlin)? check `timezone` in countly.apps",
      "0 sessions from this source, 1 raw [CLY]_session document with it: the period's totals agree but the days do not: aggregated in another timezone than the app's (Europe/Berlin)? check `timezone` in countly.apps",
    ]);
    const series = evaluateSeries(sourcesMatchRaw, {}, { rawSessions: [raw("2024-10-27", { Small: 2, Big: 50 })], sourceAggregates: agg(["2024-10-27", "Small", 1], ["2024-10-27", "Big", 50]), sourceMeta: meta("Small", "Big") });
    expect(series.map((x) => x.label)).toEqual(["all sources · t", "source Small · t", "source Big · t"]);
  });
});
