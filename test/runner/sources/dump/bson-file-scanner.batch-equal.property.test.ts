// The batch pass (each wasm-walked batch handed to a read's visitors in one call, rawEvents'
// batch reader over its kernel's rows) gives the run of the per-document pass and of the
// JavaScript scanner (COUNTLY_CHECK_SCANNER=js): over generated dumps of both layouts with the
// corruptions seen in real migrations, every built-in scenario's JSON result (times aside),
// events-match-raw's alone (rawEvents the only reader of the raw events: its batch reader over
// whole batches), and a scenario whose pipelines and backup comparison share the facts'
// passes, are identical.
// Fixed, printed seed.
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../../../checks/index.ts";
import { CORRUPTIONS } from "../../../../fixtures/corruptions.ts";
import { writeDump } from "../../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { toJson } from "../../../../reports/json.ts";
import { runScenarios } from "../../../../runner/run.ts";
import { parseScenario } from "../../../../runner/scenario/load.ts";
import { batchPass } from "../../../../runner/sources/dump/bson-file-scanner.ts";
import { SCANNER_ENV, scannerChoice } from "../../../../runner/sources/dump/bson-walk-native.ts";
import { DumpSource } from "../../../../runner/sources/dump/dump-source.ts";
import { kernelCounts } from "../../../../runner/facts/dump/raw-events-kernel.ts";
import { equalRunsWorkspace, writeCorruptedDump } from "../../../support/equal-runs.ts";
import { jsonWithoutTimes } from "../../../support/json-without-times.ts";

const SEED = 20261207;
const RUNS = 5;

const ws = equalRunsWorkspace("cc-batch-equal-");

/** Pipelines and a backup comparison: consumers of the facts' passes that take raw frames and whole documents. */
const SHARING = (backup: string) => `name: sharing
checks:
  - id: raw-per-app
    check: pipeline
    collection: countly_drill.drill_events
    pipeline:
      - $match: { a: "{app_id}" }
      - $group: { _id: "$e", n: { $sum: 1 } }
      - $match: { n: { $lt: 0 } }
  - id: matches-backup
    check: matches-backup
    backup: ${JSON.stringify(backup)}
`;

/** events-match-raw alone: rawEvents is the only reader of the raw events (its batch reader runs over whole batches). */
const ALONE = `name: alone
checks:
  - id: events-match-raw
    check: events-match-raw
`;

type Mode = "batch" | "per-document" | "js";

async function runIn(mode: Mode, dir: string, backup: string): Promise<{ json: unknown; alone: unknown; batched: number }> {
  const before = process.env[SCANNER_ENV];
  process.env[SCANNER_ENV] = mode === "js" ? "js" : "wasm";
  batchPass.enabled = mode === "batch";
  const batchedBefore = batchPass.documents;
  try {
    const scenarios = [...ws.scenarios, parseScenario(SHARING(backup), "sharing.yaml", { registry: CHECKS })];
    const run = await runScenarios(scenarios, new DumpSource(dir, { jobs: 1 }), { registry: CHECKS, maxFindings: 5 });
    const alone = await runScenarios([parseScenario(ALONE, "alone.yaml", { registry: CHECKS })], new DumpSource(dir, { jobs: 1 }), { registry: CHECKS, maxFindings: 5 });
    return { json: jsonWithoutTimes(toJson(run)), alone: jsonWithoutTimes(toJson(alone)), batched: batchPass.documents - batchedBefore };
  } finally {
    batchPass.enabled = true;
    if (before === undefined) delete process.env[SCANNER_ENV];
    else process.env[SCANNER_ENV] = before;
  }
}

describe("the batch pass", () => {
  it(`gives the per-document pass's and the JavaScript scanner's JSON result for every built-in scenario (seed ${SEED}, ${RUNS} datasets, both layouts, corruptions, shared passes)`, async () => {
    console.log(`batch pass equality: fast-check seed ${SEED}`);
    delete process.env[SCANNER_ENV];
    if (scannerChoice().scanner !== "wasm") return; // not built here: bson-walk-native.test.ts fails in CI for that
    const names = Object.keys(CORRUPTIONS);
    let n = 0;
    let batched = 0;
    const kernelRows = kernelCounts.rows;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1_000_000 }), fc.constantFrom<"current" | "legacy">("current", "legacy"), fc.subarray(names, { maxLength: 3 }), async (seed, layout, corrupt) => {
        const dir = join(ws.work, `d${n}`);
        const backup = join(ws.work, `b${n++}`);
        await writeCorruptedDump(dir, seed, layout, corrupt);
        await writeDump(generateDataset(seed, { layout, apps: { min: 1, max: 4 } }), backup);
        const batch = await runIn("batch", dir, backup);
        const perDocument = await runIn("per-document", dir, backup);
        const js = await runIn("js", dir, backup);
        expect(batch.json).toEqual(perDocument.json);
        expect(js.json).toEqual(perDocument.json);
        expect(batch.alone).toEqual(perDocument.alone);
        expect(js.alone).toEqual(perDocument.alone);
        expect(perDocument.batched).toBe(0);
        batched += batch.batched;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // the batch pass did run, and rawEvents' kernel computed rows
    expect(batched).toBeGreaterThan(100);
    expect(kernelCounts.rows - kernelRows).toBeGreaterThan(100);
  }, 600_000);
});
