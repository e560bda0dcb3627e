// The wasm scanner and the JavaScript walk (COUNTLY_CHECK_SCANNER=js) give the same run:
// over generated dumps of both layouts with the corruptions seen in real migrations, every
// built-in scenario's JSON result (times aside) is identical, and the passes' timings say
// which scanner read each file (wasm for the plain .bson files when the module is built).
// Fixed, printed seed.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../../../checks/index.ts";
import { CORRUPTIONS } from "../../../../fixtures/corruptions.ts";
import { toJson } from "../../../../reports/json.ts";
import type { QueryTiming } from "../../../../runner/model.ts";
import { runScenarios } from "../../../../runner/run.ts";
import { DumpSource } from "../../../../runner/sources/dump/dump-source.ts";
import { SCANNER_ENV, scannerChoice } from "../../../../runner/sources/dump/bson-walk-native.ts";
import { equalRunsWorkspace, writeCorruptedDump } from "../../../support/equal-runs.ts";
import { jsonWithoutTimes } from "../../../support/json-without-times.ts";

const SEED = 1201;
const RUNS = 6;

const ws = equalRunsWorkspace("cc-scanner-");

async function runWith(scanner: "wasm" | "js", dir: string): Promise<{ json: unknown; timings: QueryTiming[] }> {
  const before = process.env[SCANNER_ENV];
  process.env[SCANNER_ENV] = scanner;
  try {
    const run = await runScenarios(ws.scenarios, new DumpSource(dir, { jobs: 1 }), { registry: CHECKS, maxFindings: 5 });
    return { json: jsonWithoutTimes(toJson(run)), timings: run.timings ?? [] };
  } finally {
    if (before === undefined) delete process.env[SCANNER_ENV];
    else process.env[SCANNER_ENV] = before;
  }
}

describe("the wasm scanner", () => {
  it(`gives the JavaScript walk's JSON result for every built-in scenario (seed ${SEED}, ${RUNS} datasets, both layouts, corruptions, .gz)`, async () => {
    console.log(`scanner equality: fast-check seed ${SEED}`);
    delete process.env[SCANNER_ENV];
    if (scannerChoice().scanner !== "wasm") return; // not built here: bson-walk-native.test.ts fails in CI for that
    const names = Object.keys(CORRUPTIONS);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 1_000_000 }),
        fc.constantFrom<"current" | "legacy">("current", "legacy"),
        fc.subarray(names, { maxLength: 3 }),
        fc.boolean(),
        async (seed, layout, corrupt, gzip) => {
          const dir = join(ws.work, `d${n++}`);
          await writeCorruptedDump(dir, seed, layout, corrupt, { gzip });
          const js = await runWith("js", dir);
          const wasm = await runWith("wasm", dir);
          expect(wasm.json).toEqual(js.json);
          const passes = (t: QueryTiming[]) => t.filter((p) => p.kind === "pass");
          expect(passes(js.timings).every((p) => p.scanner === "js")).toBe(true);
          // wasm for every plain file read from disk (small collections read earlier are framed from memory)
          expect(passes(wasm.timings).some((p) => p.scanner === "wasm")).toBe(!gzip);
          await rm(dir, { recursive: true, force: true });
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  }, 600_000);
});
