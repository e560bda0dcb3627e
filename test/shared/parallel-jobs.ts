// `--jobs 2` on both runtimes (Node: compiled or through tsx; Deno: the TypeScript sources):
// the worker threads start, build the raw-data facts, and the CLI's JSON result equals the
// one of `--jobs 1` (timings aside), for both raw data layouts.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHECKS } from "../../checks/index.ts";
import { applyCorruptions } from "../../fixtures/corruptions.ts";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { runScenarios } from "../../runner/run.ts";
import { loadScenarioFile } from "../../runner/scenario/load.ts";
import { DumpSource } from "../../runner/sources/dump/dump-source.ts";
import type { ParallelReport } from "../../runner/sources/dump/parallel/parallel-facts.ts";
import { cli } from "../support/cli.ts";
import { REPO_ROOT, type SharedTests } from "./harness.ts";
import { jsonWithoutTimes } from "../support/json-without-times.ts";

const SCENARIO = join(REPO_ROOT, "scenarios", "post-restore.yaml");

async function sameWithTwoWorkers(layout: "current" | "legacy"): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "cc-jobs-rt-"));
  try {
    await writeDump(applyCorruptions(generateDataset(31, { layout, apps: 3 }), ["post-restore-incident"]), dir);
    const results: unknown[] = [];
    for (const jobs of [1, 2]) {
      const json = join(dir, `r${jobs}.json`);
      const r = await cli(["run", SCENARIO, "--source", dir, "--jobs", String(jobs), "--json", json, "--junit", join(dir, `r${jobs}.xml`), "--quiet"]);
      assert.equal(r.code, 1, r.stderr);
      results.push(jsonWithoutTimes(await readFile(json, "utf8")));
    }
    assert.deepEqual(results[1], results[0]);
    // and the workers did the grouping
    const reports: ParallelReport[] = [];
    const scenario = await loadScenarioFile(SCENARIO, { registry: CHECKS, env: {} });
    await runScenarios([scenario], new DumpSource(dir, { jobs: 2, onParallel: (r) => reports.push(r) }), { registry: CHECKS });
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.workers, 2, JSON.stringify(reports[0]));
    assert.ok("facts" in reports[0]! && reports[0].facts.includes("rawEvents"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const parallelJobsTests: SharedTests = {
  "--jobs 2 starts worker threads and gives --jobs 1's JSON result (merged drill_events)": () => sameWithTwoWorkers("current"),
  "--jobs 2 starts worker threads and gives --jobs 1's JSON result (legacy per-event collections)": () => sameWithTwoWorkers("legacy"),
};
