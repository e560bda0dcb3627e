import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { drillMetaMatchesData } from "../../checks/drill-meta-matches-data.ts";
import { applyCorruptions } from "../../fixtures/corruptions.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import type { ChangeStreamsFact, DrillMetaDoc, DrillMetaDocsFact, DrillMetaFact, DrillMetaSeen } from "../../runner/facts/types.ts";
import { APP, EMPTY_FACTS, evaluate } from "../support/check-harness.ts";
import { runKinds } from "../support/run-fixture.ts";

const a = APP.id;
/** `<a>_meta_<sha1(key + a)>`, computed here with node's crypto (api/aggregator/processing.js 001abe87). */
const id = (key: string, app = a) => `${app}_meta_${createHash("sha1").update(key + app).digest("hex")}`;
const T = Date.parse("2024-11-09T12:00:00Z");
const seen = (key: string, segment?: string, extra: Partial<DrillMetaSeen> = {}): DrillMetaSeen => ({
  app: a,
  key,
  ...(segment === undefined ? {} : { segment }),
  docs: 4,
  firstCd: T - 3600_000,
  firstDay: "2024-11-02",
  lastDay: "2024-11-09",
  ...extra,
});
const doc = (key: string, segments: string[] = [], app = a): DrillMetaDoc => ({ app, id: id(key, app), e: key, type: "e", segments });
/** Both facts the check reads: the raw rows and the drill_meta documents. */
const fact = (rows: DrillMetaSeen[], docs: DrillMetaDoc[], present = true): { drillMeta: DrillMetaFact; drillMetaDocs: DrillMetaDocsFact } => ({ drillMeta: { seen: rows, maxCd: T }, drillMetaDocs: { present, docs } });
const streams = (...consumers: string[]): ChangeStreamsFact => ({ drillLayout: "current", present: true, tokens: consumers.map((consumer) => ({ consumer, hasToken: true })) });

describe("drill-meta-matches-data", () => {
  it("passes when every event and segment key of the raw data is registered", () => {
    const rows = [seen("Buy"), seen("Buy", "plan"), seen("[CLY]_session"), seen("[CLY]_view"), seen("[CLY]_view", "name")];
    const out = evaluate(drillMetaMatchesData, {}, { ...fact(rows, [doc("Buy", ["plan"]), doc("[CLY]_session"), doc("[CLY]_view", ["name", "visit"])]), changeStreams: streams("drill-meta", "event-aggregator") });
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("names an event whose drill_meta document is missing, with the _id Drill looks up", () => {
    const out = evaluate(drillMetaMatchesData, {}, { ...fact([seen("Buy"), seen("Buy", "plan"), seen("Login")], [doc("Login")]) });
    expect(out.findings).toEqual([
      {
        event: "Buy",
        field: "_id",
        expected: id("Buy"),
        actual: "missing",
        message: `4 raw drill events from 2024-11-02 to 2024-11-09, but countly_drill.drill_meta has no ${id("Buy")}: Drill offers no filters or breakdowns for this event (drill_meta not restored, or the drill-meta consumer stopped?)`,
      },
    ]);
  });

  it("names a segment key seen in raw sg that the event's document does not register", () => {
    const out = evaluate(drillMetaMatchesData, {}, { ...fact([seen("Buy"), seen("Buy", "plan"), seen("Buy", "country")], [doc("Buy", ["plan"])]) });
    expect(out.findings).toEqual([expect.objectContaining({ event: "Buy", segment: "country", field: "sg.country", expected: "registered", actual: "missing" })]);
    expect(evaluate(drillMetaMatchesData, { segments: false }, { ...fact([seen("Buy"), seen("Buy", "country")], [doc("Buy")]) }).findings).toEqual([]);
  });

  it("reads a dotted segment key as the nested path `$set` writes, and never requires keys `$set` cannot write", () => {
    const rows = [seen("Buy"), seen("Buy", "a.b"), seen("Buy", "$bad"), seen("Buy", "")];
    expect(evaluate(drillMetaMatchesData, {}, { ...fact(rows, [doc("Buy", ["a.b"])]) }).findings).toEqual([]);
  });

  it("does not require what was inserted within the settle window", () => {
    const rows = [seen("New", undefined, { firstCd: T - 60_000 }), seen("Buy", "fresh", { firstCd: T - 120_000 }), seen("Buy")];
    const facts = { ...fact(rows, [doc("Buy")]) };
    expect(evaluate(drillMetaMatchesData, {}, facts).findings).toEqual([]);
    expect(evaluate(drillMetaMatchesData, { settle_minutes: 1 }, facts).findings.map((f) => [f.event, f.field])).toEqual([["New", "_id"], ["Buy", "sg.fresh"]]);
  });

  it("accepts a key filed under its alias (processing.ts 0a732d3) and never requires [CLY]_property_update", () => {
    const rows = [seen("[CLY]_session_begin"), seen("[CLY]_view_update"), seen("[CLY]_property_update")];
    expect(evaluate(drillMetaMatchesData, {}, { ...fact(rows, [doc("[CLY]_session"), doc("[CLY]_view")]) }).findings).toEqual([]);
    expect(evaluate(drillMetaMatchesData, {}, { ...fact(rows, []) }).findings.map((f) => f.event)).toEqual(["[CLY]_session_begin", "[CLY]_view_update"]);
  });

  it("judges only raw data in the period, and ignores other apps' documents", () => {
    const rows = [seen("Old", undefined, { firstDay: "2024-01-01", lastDay: "2024-01-31" }), seen("Buy")];
    const facts = { ...fact(rows, [doc("Buy", [], "someone-else")]) };
    expect(evaluate(drillMetaMatchesData, {}, facts, { from: "2024-11-01" }).findings.map((f) => f.event)).toEqual(["Buy"]);
    expect(evaluate(drillMetaMatchesData, {}, facts).findings.map((f) => f.event)).toEqual(["Old", "Buy"]);
  });

  it("says the collection does not exist when it does not", () => {
    const out = evaluate(drillMetaMatchesData, {}, { ...fact([seen("Buy")], [], false) });
    expect(out.findings[0]!.message).toContain("countly_drill.drill_meta (the collection does not exist) has no");
  });

  it("skips, with the reason, the legacy layout, a build without the drill-meta consumer and an app without raw data", () => {
    const legacy = { ...EMPTY_FACTS.buildSignals, layout: { events: "legacy", drill: "legacy", views: "legacy" } as const };
    expect(evaluate(drillMetaMatchesData, {}, { buildSignals: legacy, ...fact([seen("Buy")], []) }).skipped).toMatch(/legacy layout .*enterprise drill plugin/);
    expect(evaluate(drillMetaMatchesData, {}, { changeStreams: streams("event-aggregator"), ...fact([seen("Buy")], []) }).skipped).toMatch(/lists no drill-meta consumer \(event-aggregator\)/);
    expect(evaluate(drillMetaMatchesData, {}, { ...fact([{ ...seen("Buy"), app: "other" }], []) }).skipped).toBe("no raw drill data for this app in the period");
  });

  it("the skip lists the consumers the build does have, sorted", () => {
    const out = evaluate(drillMetaMatchesData, {}, { changeStreams: streams("session-ingestion", "event-aggregator"), ...fact([seen("Buy")], []) });
    expect(out.skipped).toBe("drill_meta not checked: countly.plugins _changeStreams lists no drill-meta consumer (event-aggregator, session-ingestion), so this build does not write drill_meta from change streams");
  });

  it("the period includes raw data that ends on its first day or starts on its last day, not data after it", () => {
    const rows = [seen("Ends", undefined, { firstDay: "2024-11-01", lastDay: "2024-11-05" }), seen("Starts", undefined, { firstDay: "2024-11-07", lastDay: "2024-11-09" }), seen("After", undefined, { firstDay: "2024-11-08", lastDay: "2024-11-09" })];
    expect(evaluate(drillMetaMatchesData, {}, fact(rows, []), { from: "2024-11-05", to: "2024-11-07" }).findings.map((f) => f.event)).toEqual(["Ends", "Starts"]);
  });

  it("raw events without an insert time (cd) are never still settling", () => {
    const rows = [seen("NoCd", undefined, { firstCd: undefined }), seen("NoCd", "plan", { firstCd: undefined })];
    expect(evaluate(drillMetaMatchesData, {}, fact(rows, [])).findings.map((f) => [f.event, f.field])).toEqual([["NoCd", "_id"]]);
    expect(evaluate(drillMetaMatchesData, {}, fact(rows, [doc("NoCd")])).findings.map((f) => [f.event, f.field])).toEqual([["NoCd", "sg.plan"]]);
  });

  it("a key filed under its own and its alias's document: a segment registered in either will do", () => {
    const rows = [seen("[CLY]_session_begin"), seen("[CLY]_session_begin", "x")];
    expect(evaluate(drillMetaMatchesData, {}, fact(rows, [doc("[CLY]_session_begin"), doc("[CLY]_session", ["x"])])).findings).toEqual([]);
  });

  it("whole findings, one raw event in the singular", () => {
    const rows = [seen("Buy", undefined, { docs: 1 }), seen("Login", undefined, { docs: 1 }), seen("Login", "plan", { docs: 1 }), seen("Login", "tier")];
    expect(evaluate(drillMetaMatchesData, {}, fact(rows, [doc("Login")])).findings).toEqual([
      { event: "Buy", field: "_id", expected: id("Buy"), actual: "missing", message: `1 raw drill event from 2024-11-02 to 2024-11-09, but countly_drill.drill_meta has no ${id("Buy")}: Drill offers no filters or breakdowns for this event (drill_meta not restored, or the drill-meta consumer stopped?)` },
      { event: "Login", segment: "plan", field: "sg.plan", expected: "registered", actual: "missing", message: `segment plan is in the sg of 1 raw drill event from 2024-11-02 to 2024-11-09, but ${id("Login")} in countly_drill.drill_meta does not register it (no sg.plan.type): Drill cannot filter or break down by it` },
      { event: "Login", segment: "tier", field: "sg.tier", expected: "registered", actual: "missing", message: `segment tier is in the sg of 4 raw drill events from 2024-11-02 to 2024-11-09, but ${id("Login")} in countly_drill.drill_meta does not register it (no sg.tier.type): Drill cannot filter or break down by it` },
    ]);
  });

  it("on generated data: passes on every healthy build, fails with drill-meta-lost naming every event", async () => {
    for (const build of ["25.x-aggregator", "25.x-totals-only", "24.x-api"] as const) {
      const ds = generateDataset(4242, { build });
      const cases = await runKinds(ds, ["drill-meta-matches-data"]);
      expect(cases.map((c) => c.outcome).filter((o) => o === "failed" || o === "error"), build).toEqual([]);
      expect(cases.some((c) => c.outcome === "passed"), build).toBe(build !== "24.x-api");
    }
    const lost = applyCorruptions(generateDataset(4242, { build: "25.x-aggregator" }), ["drill-meta-lost"]);
    const cases = await runKinds(lost, ["drill-meta-matches-data"]);
    expect(cases.filter((c) => c.outcome === "failed").length).toBeGreaterThan(0);
    for (const c of cases.filter((c) => c.outcome === "failed")) expect(c.findings.every((f) => f.field === "_id" && f.expected === id(f.event!, c.app!.id))).toBe(true);
  });
});
