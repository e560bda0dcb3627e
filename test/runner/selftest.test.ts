import { describe, expect, it } from "vitest";
import { CHECKS } from "../../checks/index.ts";
import { applyCorruptions, CORRUPTIONS } from "../../fixtures/corruptions.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { exitCodeOf } from "../../runner/model.ts";
import { discoverScenarios } from "../../runner/scenario/discover.ts";
import { loadScenarioFile, parseScenario } from "../../runner/scenario/load.ts";
import { buildOfSeed, layoutOfSeed, sameData, selftestScenarios } from "../../runner/selftest.ts";

const load = (text: string) => parseScenario(text, "mine.yaml", { registry: CHECKS, corruptions: Object.keys(CORRUPTIONS) });
const small = { rawEvents: 40, apps: { min: 1, max: 2 } };

const ZERO_DAYS = `
name: zero-days
checks:
  - id: event-days-not-zero
    check: pipeline
    collection: countly.events_data
    pipeline:
      - $match: { a: "{app_id}", s: "no-segment", m: { $not: { $regex: ":0$" } } }
      - $project: { e: 1, days: { $objectToArray: "$d" } }
      - $unwind: "$days"
      - $match: { "days.v.c": 0 }
selftest:
  layouts: [current]
  must_catch:
    event-days-not-zero: [counts-zeroed]
`;

describe("selftest", () => {
  it("proves a good check: passes on consistent data, catches what it must", async () => {
    const run = await selftestScenarios([load(ZERO_DAYS)], { registry: CHECKS, runs: 4, generate: small });
    expect(run.suites[0]!.cases.map((c) => [c.name, c.outcome, c.message])).toEqual([
      ["event-days-not-zero passes on consistent data", "passed", "passed on 4 consistent datasets"],
      ["event-days-not-zero catches counts-zeroed", "passed", "caught counts-zeroed on all 4 datasets it changed"],
    ]);
    expect(run.suites[0]!.name).toBe("zero-days (selftest)");
    expect(run.source).toBe("selftest: 4 generated datasets per scenario (seeds 1..4; current layout; Countly builds 25.x-aggregator, 25.x-totals-only)");
    expect(exitCodeOf(run)).toBe(0);
  });

  it("a severity: warn check is proven the same way: its warnings count as catching (and as flagging consistent data)", async () => {
    const warn = ZERO_DAYS.replace("    check: pipeline\n", "    check: pipeline\n    severity: warn\n");
    expect(warn).toContain("severity: warn");
    const run = await selftestScenarios([load(warn)], { registry: CHECKS, runs: 4, generate: small });
    expect(run.suites[0]!.cases.map((c) => [c.name, c.outcome])).toEqual([
      ["event-days-not-zero passes on consistent data", "passed"],
      ["event-days-not-zero catches counts-zeroed", "passed"],
    ]);
    const always = warn.replace('- $match: { "days.v.c": 0 }', '- $match: { "days.v.c": { $gte: 0 } }');
    const flagged = await selftestScenarios([load(always)], { registry: CHECKS, runs: 2, generate: small });
    expect(flagged.suites[0]!.cases[0]).toMatchObject({ name: "event-days-not-zero passes on consistent data", outcome: "failed" });
  });

  it("a check that flags consistent data fails with the seed that shows it, and that seed replays it", async () => {
    // Days with any count are not violations; this pipeline says they are.
    const wrong = load(ZERO_DAYS.replace('{ "days.v.c": 0 }', '{ "days.v.c": { $gte: 1 } }'));
    const run = await selftestScenarios([wrong], { registry: CHECKS, runs: 3, seed: 10, generate: small });
    const [consistent, catches] = run.suites[0]!.cases;
    expect(consistent!.outcome).toBe("failed");
    expect(consistent!.message).toMatch(/^fails on 3 of 3 consistent datasets; first: seed 10: \d+ findings? on consistent data, e\.g\. .* — replay: countly-check selftest mine\.yaml --seed 10 --runs 1$/);
    expect(consistent!.findings[0]!.message).toMatch(/^seed 10 \(25\.x-aggregator build, current layout\): /);
    // Zeroed counts are exactly what it does not flag.
    expect(catches!.outcome).toBe("failed");
    expect(exitCodeOf(run)).toBe(1);
    const replay = await selftestScenarios([wrong], { registry: CHECKS, runs: 1, seed: 10, generate: small });
    expect(replay.suites[0]!.cases[0]!.findings[0]!.message).toBe(consistent!.findings[0]!.message);
  });

  it("a corruption the check does not see fails its case, naming the seed", async () => {
    const blind = load(ZERO_DAYS.replace("[counts-zeroed]", "[counts-zeroed, sources-emptied]"));
    const run = await selftestScenarios([blind], { registry: CHECKS, runs: 2, generate: small });
    const missed = run.suites[0]!.cases.find((c) => c.name === "event-days-not-zero catches sources-emptied")!;
    expect(missed.outcome).toBe("failed");
    expect(missed.message).toMatch(/^missed sources-emptied on 2 of 2 datasets it changed; first: seed 1 — replay: /);
    expect(missed.findings[0]!.message).toMatch(/^seed 1 \(25\.x-totals-only build, current layout\): sources-emptied changed the data but the check passed/);
    expect(missed.remediation).toMatch(/--list-corruptions/);
  });

  it("a check that cannot run on generated data is an error case (exit code 3)", async () => {
    const geo = load(["name: geo", "checks:", "  - id: near", "    check: pipeline", "    collection: countly.apps", "    pipeline: [ { $geoNear: { near: [0, 0], distanceField: d } } ]"].join("\n"));
    const run = await selftestScenarios([geo], { registry: CHECKS, runs: 1, generate: small });
    expect(run.suites[0]!.cases[0]).toMatchObject({ outcome: "error", message: expect.stringMatching(/\$geoNear \(stage 1\) is not supported/) });
    expect(exitCodeOf(run)).toBe(3);
  });

  it("alternates layouts by seed, so one seed always means one dataset", () => {
    expect([1, 2, 3].map((s) => layoutOfSeed(s, ["current", "legacy"]))).toEqual(["legacy", "current", "legacy"]);
    expect(layoutOfSeed(7, ["current"])).toBe("current");
    // Every healthy build profile is generated in turn: the 25.x builds alternate on the current layout.
    expect([1, 2, 3, 4].map((s) => buildOfSeed(s, ["current", "legacy"]))).toEqual(["24.x-api", "25.x-totals-only", "24.x-api", "25.x-aggregator"]);
    expect([1, 2].map((s) => buildOfSeed(s, ["current"]))).toEqual(["25.x-totals-only", "25.x-aggregator"]);
  });

  it("knows when a corruption changed nothing", () => {
    const ds = generateDataset(2, small);
    expect(sameData(ds, applyCorruptions(ds, []))).toBe(true);
    expect(sameData(ds, applyCorruptions(ds, ["counts-zeroed"]))).toBe(false);
  });

  it("the built-in scenarios prove their own must_catch", async () => {
    const scenarios = await Promise.all((await discoverScenarios([])).map((f) => loadScenarioFile(f.path, { registry: CHECKS, displayName: f.display, corruptions: Object.keys(CORRUPTIONS) })));
    expect(scenarios.every((s) => Object.keys(s.mustCatch ?? {}).length > 0)).toBe(true);
    const run = await selftestScenarios(scenarios, { registry: CHECKS, runs: 4 });
    const bad = run.suites.flatMap((s) => s.cases).filter((c) => c.outcome !== "passed").map((c) => `${c.classname} ${c.name}: ${c.message}`);
    expect(bad).toEqual([]);
  });
});
