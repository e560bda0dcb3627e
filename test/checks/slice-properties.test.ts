// Every check passes on every generated consistent dataset and fails on exactly the
// corruptions it targets (both layouts, timezones incl. half-hour offsets and DST).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyCorruptions } from "../../fixtures/corruptions.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { failingChecks, runOnDataset, sliceScenario } from "../support/run-fixture.ts";

const SEED = 20261125;
const RUNS = 12;
console.log(`slice properties: fast-check seed ${SEED}, ${RUNS} runs per property`);

const EXPECTED: Record<string, string[]> = {
  "restored-without-aggregates": ["events-match-raw"],
  "counts-zeroed": ["event-segments-within-total", "events-match-raw"],
  "segments-lost": ["event-segments-within-total"],
  "views-emptied": ["views-present-when-raw"],
  "sources-emptied": ["sources-present-when-raw"],
  "post-restore-incident": ["event-segments-within-total", "events-match-raw", "sources-present-when-raw", "views-present-when-raw"],
  "recent-not-aggregated": [],
};

const datasetSeed = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const layout = fc.constantFrom("current" as const, "legacy" as const);

describe("the slice's checks on generated data", () => {
  it("all pass on consistent datasets", async () => {
    await fc.assert(
      fc.asyncProperty(datasetSeed, layout, async (seed, l) => {
        const ds = generateDataset(seed, { layout: l });
        const cases = await runOnDataset(sliceScenario(ds), ds);
        // Apps without raw data of a kind are skipped, never failed; every check passes somewhere.
        const bad = cases.filter((c) => c.outcome === "failed" || c.outcome === "error").map((c) => `${c.name}: ${c.outcome} ${c.message ?? ""}`);
        expect(bad, `dataset seed ${seed} (${l})`).toEqual([]);
        const passedSomewhere = [...new Set(cases.filter((c) => c.outcome === "passed").map((c) => c.checkId))].sort();
        expect(passedSomewhere, `dataset seed ${seed} (${l})`).toEqual(["event-segments-within-total", "events-match-raw", "sources-present-when-raw", "views-present-when-raw"]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  for (const [corruption, expected] of Object.entries(EXPECTED)) {
    it(`${corruption}: ${expected.length ? `caught by ${expected.join(", ")} and nothing else` : "not a failure (settle window)"}`, async () => {
      await fc.assert(
        fc.asyncProperty(datasetSeed, layout, async (seed, l) => {
          const ds = applyCorruptions(generateDataset(seed, { layout: l }), [corruption]);
          const cases = await runOnDataset(sliceScenario(ds), ds);
          expect(failingChecks(cases), `dataset seed ${seed} (${l})`).toEqual([...expected].sort());
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
});
