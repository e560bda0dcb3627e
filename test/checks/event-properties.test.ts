// The event-side checks on generated datasets (both layouts, timezones with DST and
// half-hour offsets): each passes on consistent data (and while the aggregator is merely
// behind), fails on the corruptions it targets, and with the slice's checks fails on
// exactly what test/checks/matrix-expectations.ts says for every corruption it knows.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Layout } from "../../countly/layout.ts";
import { applyCorruptions, CORRUPTIONS } from "../../fixtures/corruptions.ts";
import type { Dataset } from "../../fixtures/dataset.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import type { CaseResult } from "../../runner/model.ts";
import { badCases, failingChecks, runKinds } from "../support/run-fixture.ts";
import { MATRIX_EXPECTATIONS } from "./matrix-expectations.ts";

const SEED = 20261126;
const RUNS = 8;
console.log(`event-side check properties: fast-check seed ${SEED}, ${RUNS} runs per property`);

const SLICE = ["events-match-raw", "event-segments-within-total", "views-present-when-raw", "sources-present-when-raw"];
const EVENT_SIDE = ["event-hours-match-day", "event-all-key-matches", "event-list-matches-data", "segment-meta-matches-data", "counters-are-numbers", "no-double-counting"];
const KINDS = [...SLICE, ...EVENT_SIDE];

/** The corruptions each event-side check is built to catch. */
const TARGETS: Record<string, string[]> = {
  "event-hours-match-day": ["partial-merge", "counters-corrupted"],
  "event-all-key-matches": ["all-key-drift"],
  "event-list-matches-data": ["event-missing-from-list", "restored-without-aggregates"],
  "segment-meta-matches-data": ["meta-lost", "segments-unregistered"],
  "counters-are-numbers": ["counters-corrupted"],
  "no-double-counting": ["double-restore"],
};

/** The corruptions this file proves the matrix row of: the slice's and the event-side ones. */
const MATRIX_ROWS = [
  "restored-without-aggregates", "counts-zeroed", "segments-lost", "views-emptied", "sources-emptied", "post-restore-incident", "recent-not-aggregated",
  "meta-lost", "event-missing-from-list", "double-restore", "partial-merge", "all-key-drift", "counters-corrupted", "segments-unregistered",
];

const run = (ds: Dataset, kinds: readonly string[] = KINDS): Promise<CaseResult[]> => runKinds(ds, kinds);

const datasetSeed = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const layoutOf = (layouts: readonly Layout[]) => fc.constantFrom(...layouts);
const BOTH: readonly Layout[] = ["current", "legacy"];

describe("event-side checks on generated data", () => {
  it("all pass on consistent datasets and while the aggregator is behind (recent-not-aggregated)", async () => {
    await fc.assert(
      fc.asyncProperty(datasetSeed, layoutOf(BOTH), async (seed, layout) => {
        const ds = generateDataset(seed, { layout });
        for (const d of [ds, applyCorruptions(ds, ["recent-not-aggregated"])]) {
          const cases = await run(d, EVENT_SIDE);
          expect(badCases(cases), `dataset seed ${seed} (${layout}, ${d.corruptions.join(",") || "consistent"})`).toEqual([]);
          // Every check has something to check somewhere; all_key exists in the current layout only.
          const passed = [...new Set(cases.filter((c) => c.outcome === "passed").map((c) => c.kind))].sort();
          expect(passed, `dataset seed ${seed} (${layout})`).toEqual(EVENT_SIDE.filter((k) => layout === "current" || k !== "event-all-key-matches").sort());
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  for (const [kind, targets] of Object.entries(TARGETS)) {
    for (const corruption of targets) {
      const layouts = MATRIX_EXPECTATIONS[corruption]?.layouts ?? BOTH;
      it(`${kind} fails on ${corruption} (${layouts.join(", ")})`, async () => {
        await fc.assert(
          fc.asyncProperty(datasetSeed, layoutOf(layouts), async (seed, layout) => {
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

  it("all-key-drift refuses the legacy layout, which has no all_key documents", () => {
    expect(() => applyCorruptions(generateDataset(7, { layout: "legacy" }), ["all-key-drift"])).toThrow(/legacy layout has no all_key documents/);
  });

  it("the matrix names every corruption of this file, with the layouts the catalogue gives it", () => {
    for (const name of MATRIX_ROWS) {
      expect(CORRUPTIONS[name], name).toBeDefined();
      expect(MATRIX_EXPECTATIONS[name]?.layouts, name).toEqual(CORRUPTIONS[name]!.layouts);
    }
  });

  for (const corruption of MATRIX_ROWS) {
    const expectation = MATRIX_EXPECTATIONS[corruption];
    it(`matrix: ${corruption} fails exactly ${expectation?.fails.filter((k) => KINDS.includes(k)).join(", ") || "nothing"} (of the slice's and the event-side checks)`, async () => {
      expect(expectation, `no entry for ${corruption} in matrix-expectations.ts`).toBeDefined();
      const expected = expectation!.fails.filter((k) => KINDS.includes(k)).sort();
      await fc.assert(
        fc.asyncProperty(datasetSeed, layoutOf(expectation!.layouts ?? BOTH), async (seed, layout) => {
          const ds = applyCorruptions(generateDataset(seed, { layout }), [corruption]);
          expect(failingChecks(await run(ds)), `dataset seed ${seed} (${layout})`).toEqual(expected);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
});
