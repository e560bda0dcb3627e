import { describe, expect, it } from "vitest";
import { sessionsMatchRaw } from "../../checks/sessions-match-raw.ts";
import type { RawSessionDay, RawTailRow } from "../../runner/facts/types.ts";
import { APP, evaluate, evaluateSeries } from "../support/check-harness.ts";

const a = APP.id;
const raw = (day: string, sessions: number, begins = 0): RawSessionDay => ({ app: a, day, sessions, begins, bySource: {}, beginsBySource: {} });
const agg = (...days: [string, number][]) => ({ days: days.map(([day, t]) => ({ app: a, day, t, docs: 1 })) });
const tail = (e: string, day: string, minute: number, docs: number): RawTailRow => ({ app: a, e, key: "", day, minute, docs, visits: 0, bySource: {} });

describe("sessions-match-raw", () => {
  it("passes when every day's t equals the raw sessions, and ignores other apps", () => {
    const out = evaluate(sessionsMatchRaw, {}, {
      rawSessions: [raw("2024-10-27", 3), raw("2024-10-28", 1), { ...raw("2024-10-27", 9), app: "other" }],
      sessionAggregates: { days: [...agg(["2024-10-27", 3], ["2024-10-28", 1]).days, { app: "other", day: "2024-10-27", t: 0, docs: 1 }] },
    });
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("calls 0 sessions with raw sessions present the restore failure", () => {
    const out = evaluate(sessionsMatchRaw, {}, { rawSessions: [raw("2024-10-27", 42), raw("2024-10-28", 5)], sessionAggregates: agg(["2024-10-28", 0]) });
    expect(out.findings).toEqual([
      expect.objectContaining({ event: "[CLY]_session", day: "2024-10-27", field: "t", expected: 42, actual: 0, message: expect.stringMatching(/^countly\.users has no sessions this day, but 42 raw \[CLY\]_session documents: session aggregates not restored \(or emptied\), or the raw sessions were never aggregated after a restore$/) }),
      expect.objectContaining({ day: "2024-10-28", expected: 5, actual: 0, message: expect.stringMatching(/^countly\.users counts 0 sessions this day/) }),
    ]);
  });

  it("names a timezone shift when the period's totals agree but the days do not", () => {
    const out = evaluate(sessionsMatchRaw, {}, { rawSessions: [raw("2024-10-27", 4), raw("2024-10-28", 4)], sessionAggregates: agg(["2024-10-27", 3], ["2024-10-28", 5]) });
    expect(out.findings.map((f) => f.message)).toEqual([
      "3 sessions, 4 raw [CLY]_session documents: the period's totals agree but the days do not: aggregated in another timezone than the app's (Europe/Berlin)? check `timezone` in countly.apps",
      "5 sessions, 4 raw [CLY]_session documents: the period's totals agree but the days do not: aggregated in another timezone than the app's (Europe/Berlin)? check `timezone` in countly.apps",
    ]);
  });

  it("says double counting for an exact multiple, and part-missing for less", () => {
    const doubled = evaluate(sessionsMatchRaw, {}, { rawSessions: [raw("2024-10-27", 4)], sessionAggregates: agg(["2024-10-27", 8]) });
    expect(doubled.findings[0]!.message).toMatch(/exactly 2x the 4 raw \[CLY\]_session documents: a restore merged over live aggregation/);
    const fewer = evaluate(sessionsMatchRaw, {}, { rawSessions: [raw("2024-10-27", 10), raw("2024-10-28", 10)], sessionAggregates: agg(["2024-10-27", 7], ["2024-10-28", 10]) });
    expect(fewer.findings).toEqual([expect.objectContaining({ day: "2024-10-27", expected: 10, actual: 7, message: expect.stringMatching(/^3 fewer sessions than the 10 raw \[CLY\]_session documents: part of the raw sessions were never aggregated/) })]);
  });

  it("counts [CLY]_session_begin when that is what exists, or what the aggregates agree with (count_from: auto)", () => {
    const beginsOnly = { rawSessions: [raw("2024-10-27", 0, 6)], sessionAggregates: agg(["2024-10-27", 6]) };
    expect(evaluate(sessionsMatchRaw, {}, beginsOnly).findings).toEqual([]);
    // Both kinds: 5 closed sessions, 6 begins (one still open); this build counts begins.
    const both = { rawSessions: [raw("2024-10-27", 5, 6), raw("2024-10-28", 3, 3)], sessionAggregates: agg(["2024-10-27", 6], ["2024-10-28", 3]) };
    expect(evaluate(sessionsMatchRaw, {}, both).findings).toEqual([]);
    expect(evaluate(sessionsMatchRaw, { count_from: "session" }, both).findings).toEqual([expect.objectContaining({ event: "[CLY]_session", day: "2024-10-27", expected: 5, actual: 6 })]);
    const lost = evaluate(sessionsMatchRaw, {}, { rawSessions: both.rawSessions, sessionAggregates: agg() });
    expect(lost.findings.map((f) => f.event)).toEqual(["[CLY]_session_begin", "[CLY]_session_begin"]);
    expect(lost.findings[0]!.message).toMatch(/\(counting \[CLY\]_session_begin; set count_from if your Countly build counts \[CLY\]_session\)$/);
    expect(evaluate(sessionsMatchRaw, { count_from: "session_begin" }, beginsOnly).findings).toEqual([]);
  });

  it("lets sessions inserted within the settle window be missing, but not older ones", () => {
    const facts = (t: number) => ({
      rawSessions: [raw("2024-10-27", 10)],
      sessionAggregates: agg(["2024-10-27", t]),
      rawTail: { rows: [tail("[CLY]_session", "2024-10-27", 1000, 2), tail("[CLY]_session", "2024-10-27", 1003, 3), tail("[CLY]_view", "2024-10-27", 1003, 9)], maxCdMinute: 1003 },
    });
    expect(evaluate(sessionsMatchRaw, { settle_minutes: 5 }, facts(5)).findings).toEqual([]);
    expect(evaluate(sessionsMatchRaw, { settle_minutes: 2 }, facts(7)).findings).toEqual([]);
    expect(evaluate(sessionsMatchRaw, { settle_minutes: 2 }, facts(6)).findings).toEqual([expect.objectContaining({ expected: 10, actual: 6, message: expect.stringMatching(/\(3 of them inserted within the settle window may still be pending\)/) })]);
    expect(evaluate(sessionsMatchRaw, { settle_minutes: 0 }, facts(9)).findings).toHaveLength(1);
  });

  it("applies absolute and relative tolerance", () => {
    const facts = { rawSessions: [raw("2024-10-27", 100)], sessionAggregates: agg(["2024-10-27", 97]) };
    expect(evaluate(sessionsMatchRaw, {}, facts).findings).toHaveLength(1);
    expect(evaluate(sessionsMatchRaw, { tolerance: 3 }, facts).findings).toEqual([]);
    expect(evaluate(sessionsMatchRaw, { relative_tolerance: 0.05 }, facts).findings).toEqual([]);
  });

  it("reports aggregated days without raw sessions only when asked, honours the period, and skips without raw sessions", () => {
    const facts = { rawSessions: [raw("2024-10-27", 3)], sessionAggregates: agg(["2024-10-27", 3], ["2023-01-01", 9]) };
    expect(evaluate(sessionsMatchRaw, {}, facts).findings).toEqual([]);
    expect(evaluate(sessionsMatchRaw, { aggregates_without_raw: "fail" }, facts).findings).toEqual([expect.objectContaining({ day: "2023-01-01", expected: 0, actual: 9 })]);
    expect(evaluate(sessionsMatchRaw, {}, { rawSessions: [raw("2024-10-27", 3)] }, { from: "2024-11-01" }).skipped).toBe("no raw session documents in the period");
    expect(evaluate(sessionsMatchRaw, {}, { sessionAggregates: agg(["2024-10-27", 3]) }).skipped).toBe("no raw session documents in the period");
  });

  it("says what each kind of difference likely means, with the whole message", () => {
    const msg = (sessions: number, t: number, extra = {}, options = {}) => evaluate(sessionsMatchRaw, options, { rawSessions: [raw("2024-10-27", sessions)], sessionAggregates: agg(["2024-10-27", t]), ...extra }).findings.map((f) => f.message);
    expect(msg(10, 13)).toEqual(["3 more sessions than the 10 raw [CLY]_session documents: aggregates exceed the raw data (days shifted to another timezone, or counted twice)"]);
    expect(msg(1, 3)).toEqual(["exactly 3x the 1 raw [CLY]_session document: a restore merged over live aggregation (double counting)?"]);
    expect(msg(10, 7)).toEqual(["3 fewer sessions than the 10 raw [CLY]_session documents: part of the raw sessions were never aggregated, or the aggregates' days are shifted (another timezone than the app's)"]);
    const pending = { rawTail: { rows: [tail("[CLY]_session", "2024-10-27", 1003, 2)], maxCdMinute: 1003 } };
    expect(msg(10, 0, pending)).toEqual(["countly.users counts 0 sessions this day, but 10 raw [CLY]_session documents (2 of them inserted within the settle window may still be pending): session aggregates not restored (or emptied), or the raw sessions were never aggregated after a restore"]);
    expect(msg(10, 5, pending)).toEqual(["3 fewer sessions than the 10 raw [CLY]_session documents (2 of them inserted within the settle window may still be pending): part of the raw sessions were never aggregated, or the aggregates' days are shifted (another timezone than the app's)"]);
  });

  it("with both kinds in the data and count_from auto, every kind of message names the kind counted", () => {
    const facts = (t: number) => ({ rawSessions: [raw("2024-10-27", 10, 10)], sessionAggregates: agg(["2024-10-27", t]) });
    const hint = " (counting [CLY]_session_begin; set count_from if your Countly build counts [CLY]_session)";
    for (const t of [7, 13, 20]) expect(evaluate(sessionsMatchRaw, {}, facts(t)).findings[0]!.message.endsWith(hint)).toBe(true);
    expect(evaluate(sessionsMatchRaw, { count_from: "session_begin" }, facts(7)).findings[0]!.message).not.toContain("set count_from");
    // One kind only: nothing to choose, no hint.
    expect(evaluate(sessionsMatchRaw, {}, { rawSessions: [raw("2024-10-27", 10)], sessionAggregates: agg(["2024-10-27", 7]) }).findings[0]!.message).not.toContain("set count_from");
  });

  it("aggregates_without_raw: fail gives the whole finding and leaves out days with 0 sessions", () => {
    const facts = { rawSessions: [raw("2024-10-27", 3)], sessionAggregates: agg(["2024-10-27", 3], ["2023-01-01", 9], ["2023-01-02", 0], ["2023-01-03", 1]) };
    expect(evaluate(sessionsMatchRaw, { aggregates_without_raw: "fail" }, facts).findings).toEqual([
      { event: "[CLY]_session", day: "2023-01-01", field: "t", expected: 0, actual: 9, message: "countly.users has 9 sessions this day but there are no raw session documents (raw data deleted, or aggregates restored over another dataset)" },
      { event: "[CLY]_session", day: "2023-01-03", field: "t", expected: 0, actual: 1, message: "countly.users has 1 session this day but there are no raw session documents (raw data deleted, or aggregates restored over another dataset)" },
    ]);
  });

  it("sums the aggregates of a day over its documents, and counts days with aggregates but 0 raw sessions of the kind", () => {
    const two = { rawSessions: [raw("2024-10-27", 5)], sessionAggregates: { days: [{ app: a, day: "2024-10-27", t: 2, docs: 1 }, { app: a, day: "2024-10-27", t: 3, docs: 1 }] } };
    expect(evaluate(sessionsMatchRaw, {}, two).findings).toEqual([]);
    // A day with begins only, counted as [CLY]_session (count_from): its aggregated sessions are more than 0 raw sessions.
    const out = evaluate(sessionsMatchRaw, { count_from: "session" }, { rawSessions: [raw("2024-10-27", 5), raw("2024-10-28", 0, 4)], sessionAggregates: agg(["2024-10-27", 5], ["2024-10-28", 4]) });
    expect(out.findings).toEqual([expect.objectContaining({ day: "2024-10-28", expected: 0, actual: 4 })]);
  });

  it("names a shift also when the moved sessions landed on a day without raw sessions", () => {
    const out = evaluate(sessionsMatchRaw, {}, { rawSessions: [raw("2024-10-27", 4)], sessionAggregates: agg(["2024-10-27", 1], ["2024-10-26", 3]) });
    expect(out.findings).toEqual([expect.objectContaining({ day: "2024-10-27", expected: 4, actual: 1, message: expect.stringMatching(/^1 session, 4 raw \[CLY\]_session documents: the period's totals agree but the days do not/) })]);
  });

  it("relative tolerance includes its limit, measured from the raw count", () => {
    const facts = { rawSessions: [raw("2024-10-27", 200)], sessionAggregates: agg(["2024-10-27", 190]) };
    expect(evaluate(sessionsMatchRaw, { relative_tolerance: 0.05 }, facts).findings).toEqual([]);
    expect(evaluate(sessionsMatchRaw, { relative_tolerance: 0.049 }, facts).findings).toHaveLength(1);
    expect(evaluate(sessionsMatchRaw, { tolerance: 10 }, facts).findings).toEqual([]);
    expect(evaluate(sessionsMatchRaw, { tolerance: 9 }, facts).findings).toHaveLength(1);
    expect(sessionsMatchRaw.needs({ count_from: "auto", tolerance: 0, relative_tolerance: 0, settle_minutes: 4, aggregates_without_raw: "ignore" })).toContainEqual({ fact: "rawTail", params: { tailMinutes: 4 } });
  });

  it("charts raw against aggregated sessions per day, days with aggregates only included, days with neither left out", () => {
    const series = evaluateSeries(sessionsMatchRaw, {}, { rawSessions: [raw("2024-10-27", 3), raw("2024-10-28", 0), raw("2024-10-29", 1)], sessionAggregates: agg(["2024-10-27", 2], ["2024-10-29", 1], ["2024-10-30", 4]) }, {}, APP);
    expect(series).toEqual([
      { label: "sessions · t", points: [{ day: "2024-10-27", raw: 3, aggregated: 2 }, { day: "2024-10-29", raw: 1, aggregated: 1 }, { day: "2024-10-30", raw: 0, aggregated: 4 }] },
    ]);
  });

  it("measures a tolerance from the near end of the settle window: below it from the settled count, above it from all raw sessions", () => {
    // 10 raw sessions, 2 of them inserted within the settle window: 8..10 are fine as they are.
    const facts = (t: number) => ({ rawSessions: [raw("2024-10-27", 10)], sessionAggregates: agg(["2024-10-27", t]), rawTail: { rows: [tail("[CLY]_session", "2024-10-27", 1003, 2)], maxCdMinute: 1003 } });
    expect(evaluate(sessionsMatchRaw, { tolerance: 2 }, facts(6)).findings).toEqual([]);
    expect(evaluate(sessionsMatchRaw, { tolerance: 2 }, facts(5)).findings).toHaveLength(1);
    expect(evaluate(sessionsMatchRaw, { tolerance: 2 }, facts(12)).findings).toEqual([]);
    expect(evaluate(sessionsMatchRaw, { tolerance: 2 }, facts(13)).findings).toHaveLength(1);
  });

  it("counts as pending only the kind counted and the day's own raw documents", () => {
    const facts = { rawSessions: [raw("2024-10-27", 10)], sessionAggregates: agg(["2024-10-27", 7]), rawTail: { rows: [tail("[CLY]_session", "2024-10-28", 1003, 3), tail("[CLY]_session_begin", "2024-10-27", 1003, 3)], maxCdMinute: 1003 } };
    expect(evaluate(sessionsMatchRaw, {}, facts).findings).toEqual([expect.objectContaining({ expected: 10, actual: 7 })]);
  });

  it("count_from auto with both kinds: the kind the aggregates agree with on more days, [CLY]_session too", () => {
    const both = { rawSessions: [raw("2024-10-27", 5, 6), raw("2024-10-28", 3, 4)], sessionAggregates: agg(["2024-10-27", 5], ["2024-10-28", 3]) };
    expect(evaluate(sessionsMatchRaw, {}, both).findings).toEqual([]);
    expect(evaluate(sessionsMatchRaw, { count_from: "session_begin" }, both).findings.map((f) => f.event)).toEqual(["[CLY]_session_begin", "[CLY]_session_begin"]);
  });

  it("more sessions than raw, not a whole multiple: the difference, not a multiple", () => {
    expect(evaluate(sessionsMatchRaw, {}, { rawSessions: [raw("2024-10-27", 2)], sessionAggregates: agg(["2024-10-27", 7]) }).findings[0]!.message).toBe(
      "5 more sessions than the 2 raw [CLY]_session documents: aggregates exceed the raw data (days shifted to another timezone, or counted twice)",
    );
  });
});
