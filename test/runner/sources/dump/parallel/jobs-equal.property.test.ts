// `--jobs N` gives the single-threaded result exactly: over generated datasets of both
// layouts, with the corruptions seen in real migrations, every fact (values and row order,
// for a tail window of the newest inserts) and every built-in scenario's JSON result
// (timings aside) are the same with 1, 2 and 3 worker threads, and the workers did build
// the raw-data facts (the parallel path ran, it did not fall back to one thread). Tiny read
// chunks cut documents across chunk boundaries. Fixed, printed seed.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../../../../checks/index.ts";
import { CORRUPTIONS } from "../../../../../fixtures/corruptions.ts";
import { toJson } from "../../../../../reports/json.ts";
import { runScenarios } from "../../../../../runner/run.ts";
import { DumpSource } from "../../../../../runner/sources/dump/dump-source.ts";
import type { ParallelReport } from "../../../../../runner/sources/dump/parallel/parallel-facts.ts";
import { DUMP_COLLECTORS } from "../../../../../runner/facts/dump/index.ts";
import { MemoryBudget } from "../../../../../runner/facts/memory-budget.ts";
import type { FactName, FactParams } from "../../../../../runner/facts/types.ts";
import { equalRunsWorkspace, writeCorruptedDump } from "../../../../support/equal-runs.ts";
import { jsonWithoutTimes } from "../../../../support/json-without-times.ts";

const SEED = 1212;
const RUNS = 6;

const ws = equalRunsWorkspace("cc-jobs-", ["post-restore.yaml", "post-upgrade.yaml", "nightly-health.yaml", "before-restore.yaml"]);

/** Every fact, computed over all the dump's apps and days. */
async function factsWith(dir: string, jobs: number, chunkSize: number, tailMinutes: number, reports: ParallelReport[]): Promise<unknown> {
  const source = new DumpSource(dir, { jobs, parallelChunkSize: chunkSize, onParallel: (r) => reports.push(r) });
  const basics = await source.open();
  const requests = new Map<FactName, FactParams>(Object.keys(DUMP_COLLECTORS).map((f) => [f as FactName, { tailMinutes }]));
  const apps = basics.apps.filter((a) => !a.problem);
  return source.computeFacts(requests, { apps, period: {}, layout: basics.layout, databases: basics.databases, allApps: true, budget: new MemoryBudget() });
}

async function runWith(dir: string, jobs: number, chunkSize: number, reports: ParallelReport[]): Promise<unknown> {
  const source = new DumpSource(dir, { jobs, parallelChunkSize: chunkSize, onParallel: (r) => reports.push(r) });
  return jsonWithoutTimes(toJson(await runScenarios(ws.scenarios, source, { registry: CHECKS, maxFindings: 5 })));
}

describe("--jobs", () => {
  it(`gives the single-threaded JSON result with 2 and 3 workers (seed ${SEED}, ${RUNS} datasets, both layouts, corruptions)`, async () => {
    console.log(`--jobs equality: fast-check seed ${SEED}`);
    const names = Object.keys(CORRUPTIONS);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 1_000_000 }),
        fc.constantFrom<"current" | "legacy">("current", "legacy"),
        fc.subarray(names, { maxLength: 3 }),
        fc.constantFrom(2, 3),
        fc.constantFrom(97, 1024, 64 * 1024),
        fc.constantFrom(0, 2, 30, 100_000),
        async (seed, layout, corrupt, jobs, chunkSize, tailMinutes) => {
          const dir = join(ws.work, `d${n++}`);
          const apps = (await writeCorruptedDump(dir, seed, layout, corrupt)).apps.length;
          const single: ParallelReport[] = [];
          const parallel: ParallelReport[] = [];
          const factsOne = await factsWith(dir, 1, chunkSize, tailMinutes, single);
          const factsMany = await factsWith(dir, jobs, chunkSize, tailMinutes, parallel);
          // strict: order of rows and keys too
          expect(JSON.stringify(factsMany)).toBe(JSON.stringify(factsOne));
          const one = await runWith(dir, 1, chunkSize, single);
          const many = await runWith(dir, jobs, chunkSize, parallel);
          expect(single).toEqual([]); // --jobs 1: no worker machinery at all
          // no more workers than apps (documents are split by app)
          const workers = Math.min(jobs, apps);
          if (workers < 2) expect(parallel).toEqual([{ workers: 0, why: "fewer than 2 apps to split the raw data by" }, { workers: 0, why: "fewer than 2 apps to split the raw data by" }]);
          else {
            expect(parallel).toEqual([expect.objectContaining({ workers }), expect.objectContaining({ workers })]);
            expect((parallel[0] as { facts: string[] }).facts).toEqual(expect.arrayContaining(["rawEvents", "rawSessions", "rawViews", "rawTail", "rawInserts", "collectionCounts"]));
          }
          expect(many).toEqual(one);
          await rm(dir, { recursive: true, force: true });
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  }, 600_000);
});
