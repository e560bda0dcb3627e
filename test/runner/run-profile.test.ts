// runScenarios: the detected Countly build profile, `last_days` on snapshots, and checks
// that checked nothing, as the reports show them.
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../checks/index.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { toConsole } from "../../reports/console.ts";
import { toJson } from "../../reports/json.ts";
import { toJUnit } from "../../reports/junit.ts";
import { notChecked } from "../../runner/model.ts";
import { runScenarios } from "../../runner/run.ts";
import { parseScenario } from "../../runner/scenario/load.ts";
import { FixtureSource } from "../../runner/sources/fixture-source.ts";

const TODAY = "2026-12-01";
const scenario = (yaml: string) => parseScenario(yaml, "s.yaml", { registry: CHECKS, today: TODAY });

describe("runScenarios", () => {
  it("puts the build profile detected from the data into the result, the console header, JUnit properties and JSON", async () => {
    const ds = generateDataset(11, { rawEvents: 60, build: "25.x-totals-only" });
    const run = await runScenarios([scenario("name: s\nchecks:\n  - { id: seg, check: event-segments-within-total }\n")], new FixtureSource(ds), { registry: CHECKS });
    expect(run.profile?.detected.aggregation.value).toBe("change-streams");
    expect(run.profile?.detected.segments.value).toBe("not-written");
    const text = toConsole(run, { color: false });
    expect(text).toMatch(/Countly build profile \(detected from the data; checks judge by it\):\n  aggregation: change-stream aggregator \(25\.x\) — countly\.plugins _changeStreams has \d consumers/);
    expect(text).toMatch(/  segments: no segment documents \(totals-only aggregator\): segment checks skip — /);
    expect(text).toMatch(/  event-limit: \d+ \(/);
    expect(toJUnit(run)).toMatch(/<property name="profile\.segments" value="no segment documents/);
    expect(JSON.parse(toJson(run)).profile.detected.segments.value).toBe("not-written");
  });

  it("last_days on a snapshot counts back from its newest raw data, and says so", async () => {
    const ds = generateDataset(12, { rawEvents: 60 }); // raw data of 2024-10-20 .. 2024-11-09
    const s = scenario("name: s\nperiod: { last_days: 7 }\nchecks:\n  - { id: events, check: events-match-raw }\n");
    expect(s.period).toEqual({ from: "2026-11-25", to: TODAY });
    const run = await runScenarios([s], new FixtureSource(ds), { registry: CHECKS });
    const cases = run.suites[0]!.cases;
    expect(cases.some((c) => c.outcome === "passed")).toBe(true);
    expect(run.suites[0]!.periodNote).toMatch(/^last_days 7: 2024-11-0\d \.\. 2024-11-(09|10), counted back from the newest raw data of this snapshot \(newest drill insert 2024-11-.*\), not from today$/);
    expect(toConsole(run, { color: false })).toContain(`  period: ${run.suites[0]!.periodNote}`);
    expect(toJUnit(run)).toContain('<property name="period" value="last_days 7: 2024-11-');
  });

  it("a live source (not a snapshot) keeps counting back from today", async () => {
    const ds = generateDataset(12, { rawEvents: 60 });
    const live = Object.assign(new FixtureSource(ds), { snapshot: false });
    const run = await runScenarios([scenario("name: s\nperiod: { last_days: 7 }\nchecks:\n  - { id: events, check: events-match-raw }\n")], live, { registry: CHECKS });
    expect(run.suites[0]!.periodNote).toBeUndefined();
    expect(run.suites[0]!.cases.every((c) => c.outcome === "skipped")).toBe(true);
  });

  it("a check whose every case skipped is reported loudly: console, JUnit property, JSON", async () => {
    const ds = generateDataset(12, { rawEvents: 60 });
    const s = scenario("name: s\nperiod: { from: '2020-01-01', to: '2020-01-31' }\nchecks:\n  - { id: events, check: events-match-raw }\n  - { id: lists, check: event-list-matches-data }\n");
    const run = await runScenarios([s], new FixtureSource(ds), { registry: CHECKS });
    const unchecked = notChecked(run).map((u) => u.checkId);
    expect(unchecked).toContain("events");
    const text = toConsole(run, { color: false });
    expect(text).toMatch(/NOT CHECKED: \d checks? skipped on every case and checked nothing:\n  - s › events: no raw custom events in the period/);
    expect(toJUnit(run)).toContain('<property name="not-checked.events" value="every case skipped: no raw custom events in the period"/>');
    expect(JSON.parse(toJson(run)).notChecked).toEqual(expect.arrayContaining([expect.objectContaining({ suite: "s", checkId: "events", reason: "no raw custom events in the period" })]));
  });

  it("a run in which every case skipped is CHECKED NOTHING, not PASSED", async () => {
    const ds = generateDataset(12, { rawEvents: 60 });
    const s = scenario("name: s\nperiod: { from: '2020-01-01', to: '2020-01-31' }\nchecks:\n  - { id: events, check: events-match-raw }\n");
    const text = toConsole(await runScenarios([s], new FixtureSource(ds), { registry: CHECKS }), { color: false });
    expect(text).toMatch(/^CHECKED NOTHING: \d+ checks: /m);
    expect(text).not.toMatch(/^PASSED/m);
  });
});
