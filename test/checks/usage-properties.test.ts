// The session, view, source, aggregator and collection checks on generated datasets
// (both layouts, timezones with DST and half/quarter-hour offsets): each passes on
// consistent data and while the aggregator is merely behind, fails on the corruptions it
// targets, and with the slice's checks fails on exactly what matrix-expectations.ts says.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Layout } from "../../countly/layout.ts";
import { applyCorruptions } from "../../fixtures/corruptions.ts";
import type { Dataset } from "../../fixtures/dataset.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import type { CaseResult } from "../../runner/model.ts";
import { badCases, failingChecks, runKinds } from "../support/run-fixture.ts";
import { MATRIX_EXPECTATIONS } from "./matrix-expectations.ts";

const SEED = 20261127;
const RUNS = 6;
console.log(`session/view/source check properties: fast-check seed ${SEED}, ${RUNS} runs per property`);

const SLICE = ["events-match-raw", "event-segments-within-total", "views-present-when-raw", "sources-present-when-raw"];
const USAGE = ["sessions-match-raw", "views-match-raw", "sources-match-raw", "aggregation-cursor-fresh", "collections-present"];
const KINDS = [...SLICE, ...USAGE];

/** The corruptions each check of this part is built to catch. */
const TARGETS: Record<string, string[]> = {
  "sessions-match-raw": ["sessions-emptied", "timezone-shifted"],
  "views-match-raw": ["views-emptied", "views-meta-lost", "timezone-shifted", "post-restore-incident"],
  "sources-match-raw": ["sources-emptied", "timezone-shifted", "post-restore-incident"],
  "aggregation-cursor-fresh": ["stale-tokens"],
  "collections-present": ["restored-without-aggregates", "sessions-emptied", "views-emptied", "views-meta-lost", "sources-emptied"],
};

const run = (ds: Dataset, kinds: readonly string[] = KINDS): Promise<CaseResult[]> => runKinds(ds, kinds);

const datasetSeed = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const BOTH: readonly Layout[] = ["current", "legacy"];
const layoutOf = (layouts: readonly Layout[]) => fc.constantFrom(...layouts);

describe("session, view, source, aggregator and collection checks on generated data", () => {
  it("all pass on consistent datasets and while the aggregator is behind (recent-not-aggregated)", async () => {
    await fc.assert(
      fc.asyncProperty(datasetSeed, layoutOf(BOTH), async (seed, layout) => {
        const ds = generateDataset(seed, { layout });
        for (const d of [ds, applyCorruptions(ds, ["recent-not-aggregated"])]) {
          const cases = await run(d, USAGE);
          expect(badCases(cases), `dataset seed ${seed} (${layout}, ${d.corruptions.join(",") || "consistent"})`).toEqual([]);
          // Every check has something to check; the legacy layout has no change-stream aggregator.
          const passed = [...new Set(cases.filter((c) => c.outcome === "passed").map((c) => c.kind))].sort();
          expect(passed, `dataset seed ${seed} (${layout})`).toEqual(USAGE.filter((k) => layout === "current" || k !== "aggregation-cursor-fresh").sort());
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  for (const [kind, targets] of Object.entries(TARGETS)) {
    for (const corruption of targets) {
      it(`${kind} fails on ${corruption}`, async () => {
        await fc.assert(
          fc.asyncProperty(datasetSeed, layoutOf(BOTH), async (seed, layout) => {
            const ds = applyCorruptions(generateDataset(seed, { layout }), [corruption]);
            const cases = await run(ds, [kind]);
            expect(cases.some((c) => c.outcome === "failed"), `dataset seed ${seed} (${layout}): ${cases.map((c) => `${c.outcome} ${c.message ?? ""}`).join("; ")}`).toBe(true);
            expect(cases.filter((c) => c.outcome === "error")).toEqual([]);
          }),
          { seed: SEED, numRuns: RUNS },
        );
      });
    }
  }

  it("corruptions compose: recent-not-aggregated first, then timezone-shifted or stale-tokens", async () => {
    await fc.assert(
      fc.asyncProperty(datasetSeed, layoutOf(BOTH), async (seed, layout) => {
        const ds = generateDataset(seed, { layout });
        const shifted = applyCorruptions(ds, ["recent-not-aggregated", "timezone-shifted"]);
        expect(failingChecks(await run(shifted, USAGE)), `dataset seed ${seed} (${layout})`).toEqual(["sessions-match-raw", "sources-match-raw", "views-match-raw"]);
        const stale = applyCorruptions(ds, ["recent-not-aggregated", "stale-tokens", "sessions-emptied"]);
        expect(failingChecks(await run(stale, USAGE)), `dataset seed ${seed} (${layout})`).toEqual(["aggregation-cursor-fresh", "collections-present", "sessions-match-raw"]);
      }),
      { seed: SEED, numRuns: 3 },
    );
  });

  for (const [corruption, expectation] of Object.entries(MATRIX_EXPECTATIONS)) {
    const expected = expectation.fails.filter((k) => KINDS.includes(k)).sort();
    const loose = new Set(expectation.mayFail ?? []);
    it(`matrix: ${corruption} fails exactly ${expected.join(", ") || "nothing"} (of the slice's checks and this part's)`, async () => {
      await fc.assert(
        fc.asyncProperty(datasetSeed, layoutOf(expectation.layouts ?? BOTH), async (seed, layout) => {
          const ds = applyCorruptions(generateDataset(seed, { layout }), [corruption]);
          const failing = failingChecks(await run(ds)).filter((k) => !loose.has(k));
          expect(failing, `dataset seed ${seed} (${layout})`).toEqual(expected);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
});
