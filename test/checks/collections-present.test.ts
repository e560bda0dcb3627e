import { describe, expect, it } from "vitest";
import { collectionsPresent } from "../../checks/collections-present.ts";
import type { CollectionCountsFact, RawInsertRow } from "../../runner/facts/types.ts";
import { evaluateWhole } from "../support/whole-database-harness.ts";
import { EMPTY_FACTS } from "../support/check-harness.ts";
import type { FactName } from "../../runner/facts/types.ts";

const raw = (e: string, docs: number, withSource = 0): RawInsertRow => ({ app: "a1", e, docs, withSource, tail: [] });
const RAW = { rows: [raw("[CLY]_custom", 200), raw("[CLY]_session", 40, 30), raw("[CLY]_view", 50)] };
const H = "0123456789abcdef0123456789abcdef01234567";
const APP = "65f0a1b2c3d4e5f6a7b8c9d0";

function counts(countly: Record<string, number>, drill: Record<string, number> = { drill_events: 290 }, layout: "current" | "legacy" = "current"): CollectionCountsFact {
  const rows = [
    ...Object.entries(countly).map(([name, docs]) => ({ db: "countly", name, docs })),
    ...Object.entries(drill).map(([name, docs]) => ({ db: "countly_drill", name, docs })),
  ];
  return {
    databases: { countly: "countly", drill: "countly_drill" },
    layout: { events: layout, drill: layout, views: layout },
    present: { countly: Object.keys(countly).sort(), countly_drill: Object.keys(drill).sort() },
    counts: rows,
  };
}

const CURRENT = { apps: 2, events: 2, events_data: 300, users: 80, sources: 20, plugins: 2, app_viewdata: 40, app_viewsmeta: 5 };

describe("collections-present", () => {
  it("passes when every collection the raw data requires holds documents (both layouts)", () => {
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: counts(CURRENT), rawInserts: RAW })).toEqual({ findings: [], skipped: undefined });
    const legacy = counts({ apps: 2, events: 2, [`events${H}`]: 30, users: 80, sources: 20, plugins: 1, [`app_viewdata${H}`]: 40, [`app_viewsmeta${APP}`]: 5 }, { [`drill_events${H}`]: 290 }, "legacy");
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: legacy, rawInserts: RAW }).findings).toEqual([]);
  });

  it("names each missing or empty collection and what the dashboard then shows", () => {
    const { events_data: _e, users: _u, ...rest } = CURRENT;
    const out = evaluateWhole(collectionsPresent, {}, { collectionCounts: counts({ ...rest, app_viewdata: 0, sources: 0 }), rawInserts: RAW });
    expect(out.findings).toEqual([
      { field: "countly.events_data", expected: "> 0 documents", actual: "missing", message: "200 raw custom events in countly_drill, but countly.events_data does not exist: event counts are 0 on the dashboard (aggregated events not restored, or never rebuilt after a restore)" },
      expect.objectContaining({ field: "countly.users", actual: "missing", message: expect.stringMatching(/^40 raw session documents in countly_drill, but countly\.users does not exist/) }),
      { field: "countly.app_viewdata", expected: "> 0 documents", actual: 0, message: "50 raw [CLY]_view events in countly_drill, but countly.app_viewdata is empty: the Views dashboard shows no data" },
      expect.objectContaining({ field: "countly.sources", actual: 0, message: expect.stringMatching(/^30 raw sessions with a source \(up\.src\) in countly_drill, but countly\.sources is empty/) }),
    ]);
  });

  it("reads the legacy families as a whole: events<hash>, app_viewdata<hash>, app_viewsmeta<appId>", () => {
    const legacy = counts({ apps: 2, events: 2, [`events${H}`]: 0, users: 80, sources: 20, [`app_viewdata${H}`]: 3 }, { [`drill_events${H}`]: 290 }, "legacy");
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: legacy, rawInserts: RAW }).findings.map((f) => [f.field, f.actual])).toEqual([
      ["countly.events<hash>", 0],
      ["countly.app_viewsmeta<appId>", "missing"],
    ]);
  });

  it("fails without a countly_drill database unless told it is an old Community Edition", () => {
    const noDrill = counts(CURRENT, {});
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: noDrill, rawInserts: { rows: [] } }).findings).toEqual([
      expect.objectContaining({ field: "countly_drill", actual: "missing", message: expect.stringMatching(/^the countly_drill database has no collections: the raw data is missing/) }),
    ]);
    expect(evaluateWhole(collectionsPresent, { require_drill: false }, { collectionCounts: noDrill, rawInserts: { rows: [] } }).skipped).toBe("no countly_drill database: nothing requires the aggregated collections");
  });

  it("requires only what the raw data needs, honours ignore, and skips without raw data", () => {
    const customOnly = { rows: [raw("[CLY]_custom", 5)] };
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: counts({ apps: 1, events: 1, events_data: 3 }), rawInserts: customOnly }).findings).toEqual([]);
    const { events: _e, ...noList } = CURRENT;
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: counts(noList), rawInserts: RAW }).findings.map((f) => f.field)).toEqual(["countly.events"]);
    expect(evaluateWhole(collectionsPresent, { ignore: ["event-list"] }, { collectionCounts: counts(noList), rawInserts: RAW }).findings).toEqual([]);
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: counts(CURRENT), rawInserts: { rows: [raw("[CLY]_crash", 3)] } }).skipped).toBe("no raw custom events, sessions or views in countly_drill");
  });

  it("says for each rule what the dashboard then shows", () => {
    const rawAll = { rows: [raw("[CLY]_custom", 2), raw("[CLY]_session_begin", 3, 1), raw("[CLY]_view", 1)] };
    const out = evaluateWhole(collectionsPresent, {}, { collectionCounts: counts({ apps: 1 }), rawInserts: rawAll });
    expect(out.findings).toEqual([
      { field: "countly.events_data", expected: "> 0 documents", actual: "missing", message: "2 raw custom events in countly_drill, but countly.events_data does not exist: event counts are 0 on the dashboard (aggregated events not restored, or never rebuilt after a restore)" },
      { field: "countly.events", expected: "> 0 documents", actual: "missing", message: "2 raw custom events in countly_drill, but countly.events does not exist: the dashboard lists no events (the events document was not restored)" },
      { field: "countly.users", expected: "> 0 documents", actual: "missing", message: "3 raw session documents in countly_drill, but countly.users does not exist: sessions and users are 0 on the dashboard (countly.users not restored, or never rebuilt after a restore)" },
      { field: "countly.app_viewdata", expected: "> 0 documents", actual: "missing", message: "1 raw [CLY]_view event in countly_drill, but countly.app_viewdata does not exist: the Views dashboard shows no data" },
      { field: "countly.app_viewsmeta", expected: "> 0 documents", actual: "missing", message: "1 raw [CLY]_view event in countly_drill, but countly.app_viewsmeta does not exist: the Views dashboard lists no views" },
      { field: "countly.sources", expected: "> 0 documents", actual: "missing", message: "1 raw session with a source (up.src) in countly_drill, but countly.sources does not exist: the Sources dashboard is empty" },
    ]);
  });

  it("requires countly.users for [CLY]_session_begin too, and judges when any one kind of raw data exists", () => {
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: counts({ apps: 1 }), rawInserts: { rows: [raw("[CLY]_session_begin", 4)] } }).findings.map((f) => f.field)).toEqual(["countly.users"]);
    // Kinds whose counts could cancel out in a wrong sum.
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: counts({ apps: 1 }), rawInserts: { rows: [raw("[CLY]_custom", 5), raw("[CLY]_view", 5)] } }).findings).toHaveLength(4);
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: counts({ apps: 1 }), rawInserts: { rows: [raw("[CLY]_custom", 5), raw("[CLY]_session", 5)] } }).findings).toHaveLength(3);
  });

  it("the missing countly_drill database: the whole finding, also when the fact does not list it; ignore drill skips", () => {
    const noDrill = { ...counts(CURRENT, {}), present: { countly: Object.keys(CURRENT) } };
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: noDrill, rawInserts: { rows: [] } }).findings).toEqual([
      { field: "countly_drill", expected: "a database with collections", actual: "missing", message: "the countly_drill database has no collections: the raw data is missing (dumped without `--db countly_drill`?), so the aggregates cannot be checked against it" },
    ]);
    expect(evaluateWhole(collectionsPresent, { ignore: ["drill"] }, { collectionCounts: noDrill, rawInserts: { rows: [] } }).skipped).toBe("no countly_drill database: nothing requires the aggregated collections");
  });

  it("counts only collections of the countly database, and of the legacy families only the names Countly gives them", () => {
    // A collection of the same name in countly_drill is not the aggregate.
    const elsewhere = counts({ apps: 1, events: 1 }, { drill_events: 10, events_data: 50 });
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: elsewhere, rawInserts: { rows: [raw("[CLY]_custom", 5)] } }).findings.map((f) => [f.field, f.actual])).toEqual([["countly.events_data", "missing"]]);
    const legacy = counts({ apps: 1, events: 1, [`events${H}`]: 3, users: 1, sources: 1, [`old_app_viewsmeta${APP}`]: 2, [`app_viewsmeta${APP}_bak`]: 2, app_viewdata_x: 4 }, { [`drill_events${H}`]: 290 }, "legacy");
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: legacy, rawInserts: RAW }).findings.map((f) => [f.field, f.actual])).toEqual([
      ["countly.app_viewdata<hash>", "missing"],
      ["countly.app_viewsmeta<appId>", "missing"],
    ]);
  });

  it("declares every fact it reads (the runner gathers only those)", () => {
    const declared = new Set(collectionsPresent.needs({ require_drill: true, ignore: [] }).map((r) => r.fact));
    const all = { ...EMPTY_FACTS, collectionCounts: counts(CURRENT), rawInserts: RAW };
    const read: string[] = [];
    collectionsPresent.evaluate({
      options: { require_drill: true, ignore: [] },
      app: { id: "", name: "", timezone: "UTC" },
      period: {},
      severity: "error",
      facts: { get: <K extends FactName>(n: K) => (read.push(n), all[n]), inPeriod: () => true },
      report: () => {},
    });
    expect(read.sort()).toEqual(["collectionCounts", "rawInserts"]);
    expect([...declared].sort()).toEqual(read);
  });

  it("a countly database the fact does not list at all: every required collection is missing", () => {
    const noCountly = { ...counts({}), present: { countly_drill: ["drill_events"] } };
    expect(evaluateWhole(collectionsPresent, {}, { collectionCounts: noCountly, rawInserts: { rows: [raw("[CLY]_custom", 1)] } }).findings.map((f) => [f.field, f.actual])).toEqual([
      ["countly.events_data", "missing"],
      ["countly.events", "missing"],
    ]);
  });
});
