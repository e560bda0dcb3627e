// Runs scenarios (YAML text) against a generated dataset in memory and returns the cases.
import { CHECKS } from "../../checks/index.ts";
import type { Dataset } from "../../fixtures/dataset.ts";
import type { CaseResult } from "../../runner/model.ts";
import { runScenarios } from "../../runner/run.ts";
import { parseScenario } from "../../runner/scenario/load.ts";
import { FixtureSource } from "../../runner/sources/fixture-source.ts";

export async function runOnDataset(yaml: string | readonly string[], dataset: Dataset): Promise<CaseResult[]> {
  const texts = typeof yaml === "string" ? [yaml] : yaml;
  const scenarios = texts.map((t, i) => parseScenario(t, `test-${i}.yaml`, { registry: CHECKS }));
  const run = await runScenarios(scenarios, new FixtureSource(dataset), { registry: CHECKS });
  return run.suites.flatMap((s) => s.cases);
}

/**
 * One scenario per app (`always_sent` differs between apps: it is what the generator
 * knows each app's SDK always sends), each with the given check entries plus
 * event-segments-within-total configured from the dataset's truth (unless `withSegments` is false).
 */
export function perAppScenarios(dataset: Dataset, checks: readonly string[], withSegments = true): string[] {
  return dataset.apps.map((app) => {
    const alwaysSent = dataset.truth?.alwaysSent[app.id] ?? {};
    return [
      `name: app-${app.id}`,
      `apps: [ "${app.id}" ]`,
      "checks:",
      ...checks.map((c) => `  - ${c}`),
      ...(withSegments ? [`  - { id: event-segments-within-total, check: event-segments-within-total, always_sent: ${JSON.stringify(alwaysSent)} }`] : []),
    ].join("\n");
  });
}

/** Runs these check kinds (default options; event-segments-within-total with each app's always-sent segments) once per app. */
export function runKinds(dataset: Dataset, kinds: readonly string[]): Promise<CaseResult[]> {
  const entries = kinds.filter((k) => k !== "event-segments-within-total").map((k) => `{ id: ${k}, check: ${k} }`);
  return runOnDataset(perAppScenarios(dataset, entries, kinds.includes("event-segments-within-total")), dataset);
}

/** Failed and errored cases, described for an assertion message. */
export function badCases(cases: readonly CaseResult[]): string[] {
  return cases.filter((c) => c.outcome === "failed" || c.outcome === "error").map((c) => `${c.name}: ${c.outcome} ${c.message ?? ""}`);
}

/** The slice's four checks. */
export function sliceScenario(dataset: Dataset): string[] {
  return perAppScenarios(dataset, [
    "{ id: events-match-raw, check: events-match-raw }",
    "{ id: views-present-when-raw, check: views-present-when-raw }",
    "{ id: sources-present-when-raw, check: sources-present-when-raw }",
  ]);
}

/** Check ids with at least one failed (or errored) case. */
export function failingChecks(cases: readonly CaseResult[]): string[] {
  return [...new Set(cases.filter((c) => c.outcome === "failed" || c.outcome === "error").map((c) => c.checkId))].sort();
}
