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
import { MATRIX_FINDINGS, type ExpectedFinding, type FindingExpectation } from "./matrix-findings.ts";
import type { CaseResult } from "../../runner/model.ts";

const SEED = 777001;
const RUNS = 15;
console.log(`mutation matrix: fast-check seed ${SEED}, ${RUNS} datasets per row (replay one with generateDataset(seed, { build }))`);

/** Built-in kinds: the generic kinds need the user's own options (pipeline, compare) or a backup folder (matches-backup, tested in test/checks/matches-backup.test.ts). */
const GENERIC = new Set(["pipeline", "compare", "matches-backup"]);
const BUILT_IN = [...CHECKS.values()].filter((d) => !GENERIC.has(d.meta.kind)).map((d) => d.meta.kind).sort();
const ENTRIES = BUILT_IN.filter((k) => k !== "event-segments-within-total").map((k) => `{ id: ${k}, check: ${k} }`);

const KEYS = ["app", "event", "day", "segment", "field", "expected", "actual"] as const;

/** Same finding: equal strings, numbers equal up to float summation order. */
function same(a: ExpectedFinding, b: ExpectedFinding): boolean {
  return KEYS.every((k) => {
    const x = a[k];
    const y = b[k];
    if (typeof x === "number" && typeof y === "number") return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
    return x === y;
  });
}

/** What a case reported, reduced to the fields a finding is asserted on. */
function reported(c: CaseResult): ExpectedFinding[] {
  return c.findings.map((f) => {
    const out: ExpectedFinding = { app: c.app?.id ?? f.app?.id ?? "" };
    for (const k of KEYS.slice(1)) if (f[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = f[k];
    return out;
  });
}

/**
 * The check's findings are exactly the expected ones: nothing it says is outside `must` and
 * `may`, and when its cases kept every finding (not capped), every `must` is among them.
 */
function findingProblems(cases: readonly CaseResult[], kind: string, e: FindingExpectation): { unexpected: ExpectedFinding[]; missing: ExpectedFinding[] } {
  const own = cases.filter((c) => c.kind === kind);
  const got = own.flatMap(reported);
  const allowed = [...e.must, ...(e.may ?? [])];
  const complete = own.every((c) => c.findings.length === c.findingsTotal);
  return {
    unexpected: got.filter((g) => !allowed.some((a) => same(g, a))).slice(0, 5),
    missing: complete ? e.must.filter((m) => !got.some((g) => same(g, m))).slice(0, 5) : [],
  };
}

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

  it("findings are asserted for every corruption", () => {
    expect(Object.keys(MATRIX_FINDINGS).sort()).toEqual(Object.keys(MATRIX_EXPECTATIONS).sort());
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
      /** Findings that had to be reported, per check kind, over all datasets of the row. */
      const asserted = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(datasetSeed, fc.constantFrom(...builds), async (seed, build) => {
          const clean = generateDataset(seed, { build });
          const ds = applyCorruptions(clean, [corruption]);
          const cases = await runOnDataset(perAppScenarios(ds, ENTRIES), ds);
          const failing = failingChecks(cases);
          const allowed = new Set([...expectation.fails, ...(expectation.mayFail ?? [])]);
          expect(
            { missing: expectation.fails.filter((k) => !failing.includes(k)), unexpected: failing.filter((k) => !allowed.has(k)) },
            `dataset ${seed} (${build}) with ${corruption}`,
          ).toEqual({ missing: [], unexpected: [] });
          const findings = MATRIX_FINDINGS[corruption]?.(clean, ds) ?? {};
          for (const [kind, e] of Object.entries(findings)) {
            // with other options than the matrix run's, "no finding" is an expectation too (nothing recent on this dataset)
            if (e.options === undefined) expect(e.must.length + (e.may?.length ?? 0), `${kind}: the expectation names no finding`).toBeGreaterThan(0);
            asserted.set(kind, (asserted.get(kind) ?? 0) + e.must.length);
            const own = e.options === undefined ? cases : await runOnDataset(perAppScenarios(ds, [`{ id: ${kind}, check: ${kind}, ${e.options} }`], false), ds);
            expect(findingProblems(own, kind, e), `${kind} findings (${e.options ?? "default options"}), dataset ${seed} (${build}) with ${corruption}`).toEqual({ unexpected: [], missing: [] });
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
      expect([...asserted].filter(([, n]) => n === 0).map(([k]) => k), "kinds whose findings no dataset of the row asserted").toEqual([]);
    });
  }
});
