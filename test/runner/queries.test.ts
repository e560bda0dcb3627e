import { describe, expect, it } from "vitest";
import { CHECKS } from "../../checks/index.ts";
import type { CheckDefinition } from "../../checks/types.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { runCheckQueries } from "../../runner/queries.ts";
import { runScenarios } from "../../runner/run.ts";
import { parseScenario } from "../../runner/scenario/load.ts";
import { FixtureSource } from "../../runner/sources/fixture-source.ts";
import type { PipelineRequest, Source } from "../../runner/sources/source.ts";

const ds = generateDataset(3, { apps: 2, rawEvents: 60 });

const scenario = (text: string) => parseScenario(text, "q.yaml", { registry: CHECKS });

/** A FixtureSource that records every batch of pipelines it is asked to run. */
function recording(batches: PipelineRequest[][], without = false): Source {
  const inner = new FixtureSource(ds);
  const source: Source = {
    description: inner.description,
    open: () => inner.open(),
    computeFacts: (r, s) => inner.computeFacts(r, s),
    close: () => inner.close(),
  };
  if (!without) {
    source.runPipelines = (requests) => {
      batches.push([...requests]);
      return inner.runPipelines(requests);
    };
  }
  return source;
}

const COUNT_SESSIONS = `
    check: pipeline
    collection: countly_drill.drill_events
    pipeline:
      - $match: { a: "{app_id}", e: "[CLY]_session" }
      - $count: n
    expect: { count: { op: "==", value: 1 } }`;

describe("the runner runs the pipelines checks declare", () => {
  it("once per app for per-app checks, each distinct pipeline once across checks and scenarios", async () => {
    const batches: PipelineRequest[][] = [];
    const a = scenario(`name: a\nchecks:\n  - id: one${COUNT_SESSIONS}\n  - id: two${COUNT_SESSIONS}`);
    const b = scenario(`name: b\nchecks:\n  - id: three${COUNT_SESSIONS}`);
    const run = await runScenarios([a, b], recording(batches), { registry: CHECKS });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((r) => r.pipeline[0])).toEqual(ds.apps.map((app) => ({ $match: { a: app.id, e: "[CLY]_session" } })));
    const cases = run.suites.flatMap((s) => s.cases);
    expect(cases).toHaveLength(3 * ds.apps.length);
    // `$count` returns one document: the count expectation holds.
    expect(cases.every((c) => c.outcome === "passed")).toBe(true);
  });

  it("a check without {app_…} placeholders is one case for the database", async () => {
    const s = scenario(["name: db", "checks:", "  - id: apps", "    check: pipeline", "    collection: countly.apps", "    pipeline: [ { $match: {} } ]", `    expect: { count: { op: "==", value: ${ds.apps.length} } }`].join("\n"));
    const run = await runScenarios([s], new FixtureSource(ds), { registry: CHECKS });
    expect(run.suites[0]!.cases.map((c) => [c.name, c.outcome])).toEqual([["apps", "passed"]]);
  });

  it("obeys the period: placeholders and period_field narrow the documents", async () => {
    const text = (period: string) =>
      [
        "name: p",
        period,
        "checks:",
        "  - id: sessions-in-period",
        "    check: pipeline",
        "    collection: countly_drill.drill_events",
        "    period_field: { field: ts, unit: ms }",
        "    pipeline:",
        '      - $match: { a: "{app_id}", e: "[CLY]_session", ts: { $gte: "{from_ms}", $lt: "{to_ms}" } }',
        "    expect: empty",
        "    max_findings: 1",
      ].join("\n");
    const all = await runScenarios([scenario(text(""))], new FixtureSource(ds), { registry: CHECKS });
    const none = await runScenarios([scenario(text("period: { from: 2099-01-01 }"))], new FixtureSource(ds), { registry: CHECKS });
    const total = all.suites[0]!.cases.reduce((n, c) => n + c.findingsTotal, 0);
    expect(total).toBe(ds.databases.countly_drill!.drill_events!.filter((d) => d.e === "[CLY]_session").length);
    expect(none.suites[0]!.cases.every((c) => c.outcome === "passed")).toBe(true);
    // The CLI's --from narrows it the same way.
    const cli = await runScenarios([scenario(text(""))], new FixtureSource(ds), { registry: CHECKS, period: { from: "2099-01-01" } });
    expect(cli.suites[0]!.cases.every((c) => c.outcome === "passed")).toBe(true);
  });

  it("a source that cannot run pipelines, a pipeline that fails and rows of the wrong shape are error cases with clear messages", async () => {
    const s = scenario(`name: e\nchecks:\n  - id: one${COUNT_SESSIONS}`);
    const noPipelines = await runScenarios([s], recording([], true), { registry: CHECKS });
    expect(noPipelines.suites[0]!.cases[0]).toMatchObject({ outcome: "error", message: expect.stringMatching(/cannot run aggregation pipelines$/) });

    const geo = scenario(["name: g", "checks:", "  - id: geo", "    check: pipeline", "    collection: countly.apps", "    pipeline: [ { $geoNear: { near: [0, 0], distanceField: d } } ]"].join("\n"));
    const g = await runScenarios([geo], new FixtureSource(ds), { registry: CHECKS });
    expect(g.suites[0]!.cases[0]).toMatchObject({ outcome: "error", message: expect.stringMatching(/^could not run the pipeline: countly\.apps: \$geoNear \(stage 1\) is not supported/) });

    const shape = scenario(
      ["name: c", "checks:", "  - id: cmp", "    check: compare", "    left: { collection: countly.apps, pipeline: [ { $project: { value: \"$name\" } } ] }", "    right: { collection: countly.apps, pipeline: [ { $project: { value: 1 } } ] }"].join("\n"),
    );
    const c = await runScenarios([shape], new FixtureSource(ds), { registry: CHECKS });
    expect(c.suites[0]!.cases[0]).toMatchObject({ outcome: "error", message: expect.stringMatching(/^the left pipeline \(countly\.apps\) returned a row whose value is not a number/) });
    expect(c.suites[0]!.cases[0]!.message).not.toMatch(/\n\s+at /);
  });

  it("fills in the source's database names and reports a check that cannot build its pipeline", async () => {
    const batches: PipelineRequest[][] = [];
    const s = scenario(`name: n\nchecks:\n  - id: one${COUNT_SESSIONS}\n  - id: broken${COUNT_SESSIONS}`);
    const broken: CheckDefinition = { ...CHECKS.get("pipeline")!, queries: () => { throw new Error("no way"); } };
    const registry = new Map([...CHECKS, ["pipeline", CHECKS.get("pipeline")!]]);
    const results = await runCheckQueries([{ scenario: s, apps: ds.apps.map((a) => ({ ...a })), unknownApps: [], period: {} }], registry, recording(batches), { countly: "c1", drill: "d1" });
    expect(batches[0]![0]!.db).toBe("d1");
    expect([...results.get(s.checks[0]!)!.values()][0]).toMatchObject({ ok: true });
    const withBroken = new Map([...CHECKS, ["pipeline", broken]]);
    const failed = await runCheckQueries([{ scenario: s, apps: [{ ...ds.apps[0]! }], unknownApps: [], period: {} }], withBroken, recording([]));
    expect(failed.get(s.checks[1]!)!.get(ds.apps[0]!.id)).toEqual({ ok: false, error: "could not build the pipeline: no way" });
  });
});
