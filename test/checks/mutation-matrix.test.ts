// The mutation matrix: every built-in check passes on every generated consistent
// dataset (every build profile: 24.x API, 25.x aggregator, 25.x totals-only; random timezones incl. half-hour offsets and DST changes) and,
// for each named corruption, exactly the checks meant to catch it fail. A check that
// catches nothing, or a corruption that nothing catches, fails the build.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../checks/index.ts";
import { applyCorruptions, CORRUPTIONS } from "../../fixtures/corruptions.ts";
import { BUILDS, layoutOfBuild, type Build } from "../../fixtures/dataset.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { failingChecks, perAppScenarios, runOnDataset } from "../support/run-fixture.ts";
import { MATRIX_EXPECTATIONS } from "./matrix-expectations.ts";

const SEED = 777001;
const RUNS = 15;
console.log(`mutation matrix: fast-check seed ${SEED}, ${RUNS} datasets per row (replay one with generateDataset(seed, { build }))`);

/** Built-in kinds: the generic kinds need the user's own options (pipeline, compare) or a backup folder (matches-backup, tested in test/checks/matches-backup.test.ts). */
const GENERIC = new Set(["pipeline", "compare", "matches-backup"]);
const BUILT_IN = [...CHECKS.values()].filter((d) => !GENERIC.has(d.meta.kind)).map((d) => d.meta.kind).sort();
const ENTRIES = BUILT_IN.filter((k) => k !== "event-segments-within-total").map((k) => `{ id: ${k}, check: ${k} }`);

const datasetSeed = fc.integer({ min: 1, max: 2 ** 31 - 1 });
/** Every healthy build profile (fixtures/dataset.ts): the consistent data of each must pass. */
const buildArb = fc.constantFrom(...BUILDS);
/** Corruptions are applied to the builds that write what they break: a totals-only build has no segments to lose. */
const CORRUPTED_BUILDS: readonly Build[] = ["25.x-aggregator", "24.x-api"];

describe("mutation matrix", () => {
  it("covers every corruption in the catalogue and every built-in check", () => {
    expect(Object.keys(MATRIX_EXPECTATIONS).sort()).toEqual(Object.keys(CORRUPTIONS).sort());
    const caught = new Set(Object.values(MATRIX_EXPECTATIONS).flatMap((e) => e.fails));
    expect(BUILT_IN.filter((k) => !caught.has(k)), "checks that no corruption proves").toEqual([]);
    const uncaught = Object.entries(MATRIX_EXPECTATIONS).filter(([name, e]) => e.fails.length === 0 && name !== "recent-not-aggregated");
    expect(uncaught.map(([n]) => n), "corruptions nothing catches").toEqual([]);
  });

  it("consistent datasets of every build profile: no built-in check fails", async () => {
    await fc.assert(
      fc.asyncProperty(datasetSeed, buildArb, async (seed, build) => {
        const ds = generateDataset(seed, { build });
        const cases = await runOnDataset(perAppScenarios(ds, ENTRIES), ds);
        const bad = cases.filter((c) => c.outcome === "failed" || c.outcome === "error").map((c) => `${c.name}: ${c.message}`);
        expect(bad, `dataset ${seed} (${build})`).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  }, 240_000);

  for (const [corruption, expectation] of Object.entries(MATRIX_EXPECTATIONS)) {
    const layouts = expectation.layouts ?? ["current", "legacy"];
    const builds = CORRUPTED_BUILDS.filter((b) => layouts.includes(layoutOfBuild(b)));
    it(`${corruption} → ${expectation.fails.length ? expectation.fails.join(", ") : "nothing (not a failure)"}`, async () => {
      await fc.assert(
        fc.asyncProperty(datasetSeed, fc.constantFrom(...builds), async (seed, build) => {
          const ds = applyCorruptions(generateDataset(seed, { build }), [corruption]);
          const failing = failingChecks(await runOnDataset(perAppScenarios(ds, ENTRIES), ds));
          const allowed = new Set([...expectation.fails, ...(expectation.mayFail ?? [])]);
          expect(
            { missing: expectation.fails.filter((k) => !failing.includes(k)), unexpected: failing.filter((k) => !allowed.has(k)) },
            `dataset ${seed} (${build}) with ${corruption}`,
          ).toEqual({ missing: [], unexpected: [] });
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
});
