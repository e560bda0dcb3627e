// Runs a scenario (YAML text) against a generated dataset in memory and returns the cases.
import { CHECKS } from "../../checks/index.ts";
import type { Dataset } from "../../fixtures/dataset.ts";
import type { CaseResult } from "../../runner/model.ts";
import { runScenarios } from "../../runner/run.ts";
import { parseScenario } from "../../runner/scenario/load.ts";
import { FixtureSource } from "../../runner/sources/fixture-source.ts";

export async function runOnDataset(yaml: string, dataset: Dataset): Promise<CaseResult[]> {
  const scenario = parseScenario(yaml, "test.yaml", { registry: CHECKS });
  const run = await runScenarios([scenario], new FixtureSource(dataset), { registry: CHECKS });
  return run.suites.flatMap((s) => s.cases);
}

/** The slice's four checks, with always-sent segments taken from what the generator knows. */
export function sliceScenario(dataset: Dataset): string {
  // `always_sent` is per event key for every app of the scenario: keep what holds in all apps having the event.
  const alwaysSent: Record<string, string[]> = {};
  for (const perEvent of Object.values(dataset.truth?.alwaysSent ?? {})) {
    for (const [key, segs] of Object.entries(perEvent)) alwaysSent[key] = key in alwaysSent ? alwaysSent[key]!.filter((s) => segs.includes(s)) : [...segs];
  }
  return [
    "name: slice",
    "checks:",
    "  - { id: events-match-raw, check: events-match-raw }",
    `  - { id: event-segments-within-total, check: event-segments-within-total, always_sent: ${JSON.stringify(alwaysSent)} }`,
    "  - { id: views-present-when-raw, check: views-present-when-raw }",
    "  - { id: sources-present-when-raw, check: sources-present-when-raw }",
  ].join("\n");
}

/** Check ids with at least one failed case. */
export function failingChecks(cases: readonly CaseResult[]): string[] {
  return [...new Set(cases.filter((c) => c.outcome === "failed" || c.outcome === "error").map((c) => c.checkId))].sort();
}
