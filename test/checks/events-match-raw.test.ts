import { describe, expect, it } from "vitest";
import { eventsMatchRaw } from "../../checks/events-match-raw.ts";
import type { RawEventDay } from "../../runner/facts/types.ts";
import { APP, EMPTY_FACTS, evaluate, evaluateSeries } from "../support/check-harness.ts";
import { withDefaults } from "../../checks/types.ts";

const a = APP.id;
const raw = (key: string, day: string, c: number, extra: Partial<RawEventDay> = {}): RawEventDay => ({ app: a, key, day, c, s: 0, dur: 0, docs: c, tail: [], ...extra });
const agg = (key: string, day: string, c: number, s = 0, dur = 0) => ({ app: a, key, day, c, s, dur });

describe("events-match-raw", () => {
  it("passes when every event and day matches, and ignores other apps", () => {
    const out = evaluate(eventsMatchRaw, {}, {
      rawEvents: { rows: [raw("Buy", "2024-10-27", 3, { s: 9.99 }), { ...raw("Buy", "2024-10-27", 5), app: "other" }] },
      eventAggregates: { totals: [agg("Buy", "2024-10-27", 3, 9.99)], segments: [], unattributed: [] },
    });
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("names event, day, expected and actual when aggregates are missing or zeroed (the #6073 incident)", () => {
    const out = evaluate(eventsMatchRaw, { fields: ["c"] }, {
      rawEvents: { rows: [raw("Buy", "2024-10-27", 42), raw("Login", "2024-10-28", 7)] },
      eventAggregates: { totals: [agg("Login", "2024-10-28", 0)], segments: [], unattributed: [] },
    });
    expect(out.findings).toEqual([
      expect.objectContaining({ event: "Buy", day: "2024-10-27", field: "c", expected: 42, actual: 0, message: expect.stringMatching(/no aggregated data for this day, 42 raw drill events: aggregates not rebuilt after restore/) }),
      expect.objectContaining({ event: "Login", day: "2024-10-28", field: "c", expected: 7, actual: 0, message: expect.stringMatching(/counters zeroed, or the data was never aggregated/) }),
    ]);
  });

  it("calls an exact multiple of the raw count a likely double restore", () => {
    const out = evaluate(eventsMatchRaw, { fields: ["c"] }, { rawEvents: { rows: [raw("Buy", "2024-10-27", 4)] }, eventAggregates: { totals: [agg("Buy", "2024-10-27", 8)], segments: [], unattributed: [] } });
    expect(out.findings[0]!.message).toMatch(/exactly 2x: a restore merged over live aggregation/);
  });

  it("lets events inserted within the settle window be missing, but not older ones", () => {
    const rows = [raw("Buy", "2024-10-27", 10, { tail: [{ minute: 1000, c: 2, s: 0, dur: 0 }, { minute: 1003, c: 3, s: 0, dur: 0 }] })];
    const facts = (c: number) => ({ rawEvents: { rows, maxCdMinute: 1003 }, eventAggregates: { totals: [agg("Buy", "2024-10-27", c)], segments: [], unattributed: [] } });
    expect(evaluate(eventsMatchRaw, { fields: ["c"], settle_minutes: 5 }, facts(5)).findings).toEqual([]); // 5 recent may be missing
    expect(evaluate(eventsMatchRaw, { fields: ["c"], settle_minutes: 2 }, facts(7)).findings).toEqual([]); // only minute 1003 is recent
    expect(evaluate(eventsMatchRaw, { fields: ["c"], settle_minutes: 2 }, facts(6)).findings).toHaveLength(1);
    expect(evaluate(eventsMatchRaw, { fields: ["c"], settle_minutes: 0 }, facts(7)).findings).toHaveLength(1);
  });

  it("the settle window excuses pending s and dur as well as counts", () => {
    const rows = [raw("Buy", "2024-10-27", 4, { s: 40, dur: 400, tail: [{ minute: 1003, c: 1, s: 10, dur: 100 }] })];
    const facts = (c: number, s: number, dur: number) => ({ rawEvents: { rows, maxCdMinute: 1003 }, eventAggregates: { totals: [agg("Buy", "2024-10-27", c, s, dur)], segments: [], unattributed: [] } });
    expect(evaluate(eventsMatchRaw, {}, facts(3, 30, 300)).findings).toEqual([]);
    expect(evaluate(eventsMatchRaw, {}, facts(3, 29, 299)).findings.map((f) => [f.field, f.expected, f.actual])).toEqual([["s", 40, 29], ["dur", 400, 299]]);
  });

  it("applies absolute and relative tolerance", () => {
    const facts = { rawEvents: { rows: [raw("Buy", "2024-10-27", 100)] }, eventAggregates: { totals: [agg("Buy", "2024-10-27", 97)], segments: [], unattributed: [] } };
    expect(evaluate(eventsMatchRaw, { fields: ["c"] }, facts).findings).toHaveLength(1);
    expect(evaluate(eventsMatchRaw, { fields: ["c"], tolerance: 3 }, facts).findings).toHaveLength(0);
    expect(evaluate(eventsMatchRaw, { fields: ["c"], relative_tolerance: 0.05 }, facts).findings).toHaveLength(0);
  });

  it("compares s and dur, allowing float rounding only", () => {
    const facts = (s: number) => ({ rawEvents: { rows: [raw("Buy", "2024-10-27", 3, { s: 0.1 + 0.2 })] }, eventAggregates: { totals: [agg("Buy", "2024-10-27", 3, s)], segments: [], unattributed: [] } });
    expect(evaluate(eventsMatchRaw, {}, facts(0.3)).findings).toEqual([]);
    expect(evaluate(eventsMatchRaw, {}, facts(0.31)).findings).toEqual([expect.objectContaining({ field: "s", actual: 0.31 })]);
  });

  it("honours events/exclude_events and the period, and skips without raw events", () => {
    const facts = { rawEvents: { rows: [raw("Buy", "2024-10-27", 3), raw("Login", "2024-11-02", 1)] } };
    expect(evaluate(eventsMatchRaw, { exclude_events: ["Buy"], fields: ["c"] }, facts).findings.map((f) => f.event)).toEqual(["Login"]);
    expect(evaluate(eventsMatchRaw, { events: ["Buy"], fields: ["c"] }, facts).findings.map((f) => f.event)).toEqual(["Buy"]);
    expect(evaluate(eventsMatchRaw, {}, facts, { from: "2024-11-01" }).findings.map((f) => f.event)).toEqual(["Login"]);
    expect(evaluate(eventsMatchRaw, {}, facts, { from: "2024-12-01" }).skipped).toBe("no raw custom events in the period");
  });

  it("reports aggregates without raw data only when asked (drill retention deletes old raw data)", () => {
    const facts = { rawEvents: { rows: [raw("Buy", "2024-10-27", 3)] }, eventAggregates: { totals: [agg("Buy", "2024-10-27", 3), agg("Buy", "2023-01-01", 9)], segments: [], unattributed: [] } };
    expect(evaluate(eventsMatchRaw, { fields: ["c"] }, facts).findings).toEqual([]);
    expect(evaluate(eventsMatchRaw, { fields: ["c"], aggregates_without_raw: "fail" }, facts).findings).toEqual([expect.objectContaining({ day: "2023-01-01", expected: 0, actual: 9 })]);
  });

  it("measures the tolerance from the near end of the settle window: lo below it, hi above it", () => {
    // 10 raw, 4 of them inserted within the window: anything in [6, 10] is fine
    const rows = [raw("Buy", "2024-10-27", 10, { tail: [{ minute: 1003, c: 4, s: 0, dur: 0 }] })];
    const facts = (c: number) => ({ rawEvents: { rows, maxCdMinute: 1003 }, eventAggregates: { totals: [agg("Buy", "2024-10-27", c)], segments: [], unattributed: [] } });
    const o = { fields: ["c"], settle_minutes: 5, tolerance: 1 };
    expect(evaluate(eventsMatchRaw, o, facts(5)).findings).toEqual([]); // 1 below lo = 6
    expect(evaluate(eventsMatchRaw, o, facts(4)).findings).toEqual([expect.objectContaining({ expected: 10, actual: 4 })]);
    expect(evaluate(eventsMatchRaw, o, facts(11)).findings).toEqual([]); // 1 above hi = 10
    expect(evaluate(eventsMatchRaw, o, facts(12)).findings).toEqual([expect.objectContaining({ expected: 10, actual: 12, message: expect.stringMatching(/2 more than the 10 raw drill events add up to/) })]);
    expect(evaluate(eventsMatchRaw, o, facts(3)).findings[0]!.message).toMatch(/3 less than the 10 raw drill events add up to \(4 of it inserted within the settle window may still be pending\)/);
  });

  it("relative_tolerance includes its limit", () => {
    const facts = (c: number) => ({ rawEvents: { rows: [raw("Buy", "2024-10-27", 100)] }, eventAggregates: { totals: [agg("Buy", "2024-10-27", c)], segments: [], unattributed: [] } });
    expect(evaluate(eventsMatchRaw, { fields: ["c"], relative_tolerance: 0.1 }, facts(90)).findings).toEqual([]);
    expect(evaluate(eventsMatchRaw, { fields: ["c"], relative_tolerance: 0.1 }, facts(110)).findings).toEqual([]);
    expect(evaluate(eventsMatchRaw, { fields: ["c"], relative_tolerance: 0.1 }, facts(89)).findings).toHaveLength(1);
    expect(evaluate(eventsMatchRaw, { fields: ["c"], tolerance: 10 }, facts(90)).findings).toEqual([]);
    expect(evaluate(eventsMatchRaw, { fields: ["c"], tolerance: 10 }, facts(89)).findings).toHaveLength(1);
  });

  it("with aggregates_without_raw: fail reports aggregated days without raw data, except zero days and excluded events", () => {
    const facts = {
      rawEvents: { rows: [raw("Buy", "2024-10-27", 2)] },
      eventAggregates: { totals: [agg("Buy", "2024-10-27", 2), agg("Buy", "2024-10-20", 5), agg("Buy", "2024-10-21", 0), agg("Old", "2024-10-20", 3)], segments: [], unattributed: [] },
    };
    expect(evaluate(eventsMatchRaw, {}, facts).findings).toEqual([]);
    expect(evaluate(eventsMatchRaw, { aggregates_without_raw: "fail", exclude_events: ["Old"] }, facts).findings).toEqual([
      expect.objectContaining({ event: "Buy", day: "2024-10-20", field: "c", expected: 0, actual: 5, message: expect.stringMatching(/aggregated count 5 but no raw drill events that day/) }),
    ]);
    expect(evaluate(eventsMatchRaw, { aggregates_without_raw: "fail", events: ["Buy"] }, facts).findings.map((f) => f.event)).toEqual(["Buy"]);
    expect(evaluate(eventsMatchRaw, { aggregates_without_raw: "fail" }, facts).findings.map((f) => `${f.event} ${f.day}`)).toEqual(["Buy 2024-10-20", "Old 2024-10-20"]);
  });

  it("allows float rounding of s and dur relative to their size, also above 1, but not more", () => {
    const facts = (s: number) => ({ rawEvents: { rows: [raw("Buy", "2024-10-27", 1, { s: 1_000_000.3 })] }, eventAggregates: { totals: [agg("Buy", "2024-10-27", 1, s)], segments: [], unattributed: [] } });
    expect(evaluate(eventsMatchRaw, {}, facts(1_000_000.1 + 0.2)).findings).toEqual([]);
    expect(evaluate(eventsMatchRaw, {}, facts(1_000_000.3 + 1e-4)).findings).toEqual([]);
    expect(evaluate(eventsMatchRaw, {}, facts(1_000_000.31)).findings).toEqual([expect.objectContaining({ field: "s", expected: 1_000_000.3, actual: 1_000_000.31 })]);
    expect(evaluate(eventsMatchRaw, {}, facts(1_000_000.29)).findings).toEqual([expect.objectContaining({ field: "s", expected: 1_000_000.3, actual: 1_000_000.29 })]);
  });

  // api/aggregator/usage.js (commit 63d5a9b9) processEventTotalsFromStream: with the list at
  // event_limit + 1 keys a new key is not aggregated ("do not record this event in aggregated data").
  describe("Countly's event limit", () => {
    const list = (keys: string[]) => ({ apps: [{ app: a, list: keys, segments: {}, omitted: {} }], data: [], drill: [], unresolved: [] });
    const listed = ["Buy", "Login", "Share"];
    const facts = (signals: object) => ({
      rawEvents: { rows: [raw("Buy", "2024-10-27", 3), raw("Late", "2024-10-27", 7)] },
      eventAggregates: { totals: [agg("Buy", "2024-10-27", 3)], segments: [], unattributed: [] },
      eventCatalog: list(listed),
      buildSignals: { ...EMPTY_FACTS.buildSignals, ...signals },
    });

    it("does not expect aggregates for a key left out of a full list (limit from countly.plugins api.event_limit)", () => {
      // 3 keys listed, limit 2: the change-stream aggregator stopped adding keys at 3 (= limit + 1).
      expect(evaluate(eventsMatchRaw, { fields: ["c"] }, facts({ eventLimit: 2 })).findings).toEqual([]);
    });

    it("still expects them while the list can grow: 25.x adds a key while the list holds <= event_limit keys", () => {
      expect(evaluate(eventsMatchRaw, { fields: ["c"] }, facts({ eventLimit: 3 })).findings.map((f) => f.event)).toEqual(["Late"]);
      expect(evaluate(eventsMatchRaw, { fields: ["c"] }, facts({})).findings.map((f) => f.event)).toEqual(["Late"]); // default 500
    });

    it("uses the app's own plugins.api.event_limit over the server's", () => {
      expect(evaluate(eventsMatchRaw, { fields: ["c"] }, facts({ eventLimit: 500, appEventLimits: { [a]: 2 } })).findings).toEqual([]);
      expect(evaluate(eventsMatchRaw, { fields: ["c"] }, facts({ eventLimit: 2, appEventLimits: { [a]: 500 } })).findings.map((f) => f.event)).toEqual(["Late"]);
    });

    it("legacy API (api/parts/data/events.js 051870e): full once the list holds event_limit keys", () => {
      const legacy = { layout: { events: "legacy" as const, drill: "legacy" as const, views: "legacy" as const } };
      expect(evaluate(eventsMatchRaw, { fields: ["c"] }, facts({ ...legacy, eventLimit: 3 })).findings).toEqual([]);
      expect(evaluate(eventsMatchRaw, { fields: ["c"] }, facts({ ...legacy, eventLimit: 4 })).findings.map((f) => f.event)).toEqual(["Late"]);
    });

    it("a listed key over the limit is still compared, and a case with only unaggregated keys skips with the reason", () => {
      const f = facts({ eventLimit: 2 });
      f.eventAggregates.totals = [];
      expect(evaluate(eventsMatchRaw, { fields: ["c"] }, f).findings.map((x) => x.event)).toEqual(["Buy"]);
      const onlyLate = { ...f, rawEvents: { rows: [raw("Late", "2024-10-27", 7)] } };
      expect(evaluate(eventsMatchRaw, { fields: ["c"] }, onlyLate).skipped).toMatch(/not in the full event list \(event_limit 2 from countly\.plugins api\.event_limit\): Countly does not aggregate it/);
    });
  });

  describe("messages, whole", () => {
    const one = (r: RawEventDay, totals: ReturnType<typeof agg>[], options = {}, extra = {}) =>
      evaluate(eventsMatchRaw, options, { rawEvents: { rows: [r] }, eventAggregates: { totals, segments: [], unattributed: [] }, ...extra }).findings;

    it("says what each kind of difference likely means, naming the field", () => {
      expect(one(raw("Buy", "2024-10-27", 5, { docs: 1 }), [])).toEqual([
        { event: "Buy", day: "2024-10-27", field: "c", expected: 5, actual: 0, message: "no aggregated data for this day, 1 raw drill event: aggregates not rebuilt after restore?" },
      ]);
      expect(one(raw("Buy", "2024-10-27", 5, { s: 2.5 }), [agg("Buy", "2024-10-27", 5, 0)]).map((f) => [f.field, f.message])).toEqual([["s", "aggregated sum (s) is 0, 5 raw drill events: counters zeroed, or the data was never aggregated"]]);
      expect(one(raw("Buy", "2024-10-27", 5, { dur: 9 }), [agg("Buy", "2024-10-27", 5, 0, 0)]).map((f) => f.message)).toEqual(["aggregated duration (dur) is 0, 5 raw drill events: counters zeroed, or the data was never aggregated"]);
      expect(one(raw("Buy", "2024-10-27", 5), [agg("Buy", "2024-10-27", 0)]).map((f) => f.message)).toEqual(["aggregated count (c) is 0, 5 raw drill events: counters zeroed, or the data was never aggregated"]);
      expect(one(raw("Buy", "2024-10-27", 5), [agg("Buy", "2024-10-27", 3)]).map((f) => f.message)).toEqual(["2 less than the 5 raw drill events add up to: part of the raw data was never aggregated"]);
      expect(one(raw("Buy", "2024-10-27", 5), [agg("Buy", "2024-10-27", 15)]).map((f) => f.message)).toEqual(["10 more than the 5 raw drill events add up to, exactly 3x: a restore merged over live aggregation?"]);
      expect(one(raw("Buy", "2024-10-27", 5), [agg("Buy", "2024-10-27", 7)]).map((f) => f.message)).toEqual(["2 more than the 5 raw drill events add up to: aggregates exceed the raw data"]);
      // Nothing raw to be a multiple of.
      expect(one(raw("Buy", "2024-10-27", 1), [agg("Buy", "2024-10-27", 1, 0, 4)]).map((f) => f.message)).toEqual(["4 more than the 1 raw drill event add up to: aggregates exceed the raw data"]);
      expect(one(raw("Buy", "2024-10-27", 1, { dur: 2 }), [agg("Buy", "2024-10-27", 1, 0, 4)]).map((f) => f.message)).toEqual(["2 more than the 1 raw drill event add up to, exactly 2x: a restore merged over live aggregation?"]);
    });

    it("names what may still be pending, rounded", () => {
      const r = raw("Buy", "2024-10-27", 10, { s: 1, tail: [{ minute: 100, c: 4, s: 0.1 + 0.2, dur: 0 }] });
      const out = evaluate(eventsMatchRaw, {}, { rawEvents: { rows: [r], maxCdMinute: 100 }, eventAggregates: { totals: [agg("Buy", "2024-10-27", 5, 0.5)], segments: [], unattributed: [] } });
      expect(out.findings.map((f) => f.message)).toEqual([
        "1 less than the 10 raw drill events add up to (4 of it inserted within the settle window may still be pending): part of the raw data was never aggregated",
        "0.2 less than the 10 raw drill events add up to (0.3 of it inserted within the settle window may still be pending): part of the raw data was never aggregated",
      ]);
    });

    it("aggregates without raw data: the whole finding, not for a 0 count, not for events left out", () => {
      const facts = { rawEvents: { rows: [raw("Buy", "2024-10-27", 1)] }, eventAggregates: { totals: [agg("Buy", "2024-10-27", 1), agg("Buy", "2023-01-01", 4), agg("Buy", "2023-01-02", 0, 5), agg("Old", "2023-01-01", 2)], segments: [], unattributed: [] } };
      expect(evaluate(eventsMatchRaw, { aggregates_without_raw: "fail", exclude_events: ["Old"] }, facts).findings).toEqual([
        { event: "Buy", day: "2023-01-01", field: "c", expected: 0, actual: 4, message: "aggregated count 4 but no raw drill events that day (raw data deleted, or aggregates restored over another dataset)" },
      ]);
      expect(evaluate(eventsMatchRaw, { aggregates_without_raw: "fail", events: ["Buy"] }, facts).findings.map((f) => f.day)).toEqual(["2023-01-01"]);
    });

    it("several unaggregated keys skip in the plural; the settle window is asked for as a tail", () => {
      const full = { eventCatalog: { apps: [{ app: a, list: ["Listed"], segments: {}, omitted: {} }], data: [], drill: [], unresolved: [] }, buildSignals: { ...EMPTY_FACTS.buildSignals, eventLimit: 0 } };
      const out = evaluate(eventsMatchRaw, {}, { rawEvents: { rows: [raw("A", "2024-10-27", 1), raw("B", "2024-10-27", 1), raw("A", "2024-10-28", 1)] }, ...full });
      expect(out.skipped).toBe("the 2 event keys with raw events in the period are not in the full event list (event_limit 0 from countly.plugins api.event_limit): Countly does not aggregate them");
      expect(eventsMatchRaw.needs(withDefaults(eventsMatchRaw.meta, { settle_minutes: 6 }))).toContainEqual({ fact: "rawEvents", params: { tailMinutes: 6 } });
    });

    it("by default compares c, s and dur with no tolerance", () => {
      const out = one(raw("Buy", "2024-10-27", 5, { s: 2, dur: 3 }), [agg("Buy", "2024-10-27", 6, 3, 4)]);
      expect(out.map((f) => f.field)).toEqual(["c", "s", "dur"]);
    });
  });

  describe("the chart and the skip, whole", () => {
    it("charts raw against aggregated per event and day of the first field: the total first, then events with findings, aggregated-only days included", () => {
      const facts = {
        rawEvents: { rows: [raw("Buy", "2024-10-27", 3, { dur: 30 }), raw("Login", "2024-10-27", 2, { dur: 4 })] },
        eventAggregates: { totals: [agg("Buy", "2024-10-27", 3, 0, 30), agg("Login", "2024-10-27", 1, 0, 4), agg("Buy", "2024-10-28", 4, 0, 8), agg("Gone", "2024-10-28", 5, 0, 1)], segments: [], unattributed: [] },
      };
      expect(evaluateSeries(eventsMatchRaw, { exclude_events: ["Gone"] }, facts)).toEqual([
        { label: "all events · c", points: [{ day: "2024-10-27", raw: 5, aggregated: 4 }, { day: "2024-10-28", raw: 0, aggregated: 4 }] },
        { label: "event Login · c", points: [{ day: "2024-10-27", raw: 2, aggregated: 1 }] },
        { label: "event Buy · c", points: [{ day: "2024-10-27", raw: 3, aggregated: 3 }, { day: "2024-10-28", raw: 0, aggregated: 4 }] },
      ]);
      // the first field compared is the one charted; Login has a finding (in c), so it comes first
      expect(evaluateSeries(eventsMatchRaw, { fields: ["dur", "c"], exclude_events: ["Gone"] }, facts).map((l) => [l.label, l.points.map((p) => p.raw)])).toEqual([
        ["all events · dur", [34, 0]],
        ["event Login · dur", [4]],
        ["event Buy · dur", [30, 0]],
      ]);
    });

    it("one unaggregated key skips in the singular", () => {
      const full = { eventCatalog: { apps: [{ app: a, list: ["Listed"], segments: {}, omitted: {} }], data: [], drill: [], unresolved: [] }, buildSignals: { ...EMPTY_FACTS.buildSignals, eventLimit: 0 } };
      const out = evaluate(eventsMatchRaw, {}, { rawEvents: { rows: [raw("A", "2024-10-27", 1), raw("A", "2024-10-28", 1)] }, ...full });
      expect(out.skipped).toBe("the 1 event key with raw events in the period is not in the full event list (event_limit 0 from countly.plugins api.event_limit): Countly does not aggregate it");
    });
  });
});
