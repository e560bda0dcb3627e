// The property behind the live source: for any generated Countly dataset, every fact
// read from a live MongoDB (through the driver; the wire double or MONGODB_URI) equals
// the fact read from a dump of the same data (written by the fixtures' dump writer,
// read by the DumpSource): deep equality after sorting, float sums (s, dur) within
// 1e-9 relative. Periods (open, half-open, closed, around the data), settle tails and
// the apps' timezones (whole, half and quarter hour offsets, DST) vary per run.
import fc from "fast-check";
import process from "node:process";
import { describe, expect, it } from "vitest";
import type { Period } from "../../../../countly/time.ts";
import type { Dataset } from "../../../../fixtures/dataset.ts";
import { DB } from "../../../../fixtures/dataset.ts";
import { applyCorruptions } from "../../../../fixtures/corruptions.ts";
import { datasetArbitrary, TIMEZONES } from "../../../../fixtures/generate.ts";
import { factDifferences, liveFacts, referenceFacts } from "./support.ts";

const SEED = Number(process.env.COUNTLY_CHECK_SEED ?? 20_251_125);
const RUNS = Number(process.env.COUNTLY_CHECK_RUNS ?? 30);
const WINDOW_START = Date.parse("2024-10-20T00:00:00Z");
const WINDOW_DAYS = 21;

console.log(`MongoSource equivalence property: fast-check seed ${SEED}, ${RUNS} runs per layout (COUNTLY_CHECK_SEED / COUNTLY_CHECK_RUNS to change)`);

const dayArb = fc.integer({ min: -2, max: WINDOW_DAYS + 2 }).map((i) => new Date(WINDOW_START + i * 86_400_000).toISOString().slice(0, 10));

const periodArb: fc.Arbitrary<Period> = fc
  .record({ from: fc.option(dayArb, { nil: undefined }), to: fc.option(dayArb, { nil: undefined }) })
  .map(({ from, to }) => (from && to && from > to ? { from: to, to: from } : { from, to }))
  .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Period);

const tailArb = fc.constantFrom(undefined, 0, 2, 5, 30, 24 * 60);

/** Datasets printed by what reproduces them (a counterexample's full documents would be megabytes). */
function datasets(layout: "current" | "legacy"): fc.Arbitrary<Dataset> {
  return datasetArbitrary({ layout, rawEvents: 80, apps: { min: 1, max: 3 }, timezones: [...TIMEZONES] }).map((ds) =>
    Object.assign(ds, {
      [fc.toStringMethod]: () => `Dataset(prng ${ds.seed}, ${ds.layout}, apps ${ds.apps.map((a) => `${a.id} ${a.timezone}`).join(", ")}; ${Object.values(ds.databases[DB.drill] ?? {}).reduce((n, d) => n + d.length, 0)} raw docs)`,
    }),
  );
}

describe(`live MongoDB facts equal the dump's (fast-check seed ${SEED})`, () => {
  for (const layout of ["current", "legacy"] as const) {
    it(`${layout} layout: ${RUNS} generated datasets with varied timezones, periods and settle tails`, { timeout: 600_000 }, async () => {
      let compared = 0;
      await fc.assert(
        fc.asyncProperty(datasets(layout), periodArb, tailArb, async (ds, period, tailMinutes) => {
          const params = tailMinutes === undefined ? {} : { tailMinutes };
          // rawInserts is scoped to the run's period: compared with the dump's fact over the documents in scope.
          const dump = await referenceFacts(ds, period, params);
          const live = await liveFacts(ds, period, params);
          expect(live.basics.apps).toEqual(dump.basics.apps);
          expect(live.basics.layout).toEqual(dump.basics.layout);
          for (const [name, outcome] of Object.entries(live.facts)) expect(outcome?.ok, `${name}: ${JSON.stringify(outcome)}`).toBe(true);
          expect(factDifferences(dump.facts, live.facts)).toEqual([]);
          compared++;
        }),
        { seed: SEED, numRuns: RUNS },
      );
      expect(compared).toBeGreaterThanOrEqual(RUNS);
    });
  }

  // Data no countly.apps document names (issue 13): an app re-created under a new id, raw documents without a string `a`.
  for (const layout of ["current", "legacy"] as const) {
    it(`${layout} layout: unknownApps on datasets whose data names apps countly.apps does not have`, { timeout: 600_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(datasets(layout), fc.nat(5), async (clean, stripped) => {
          const ds = applyCorruptions(clean, ["app-recreated"]);
          const raw = Object.values(ds.databases[DB.drill] ?? {})[0] ?? [];
          for (const doc of raw.slice(0, stripped)) if (stripped % 2) delete doc.a;
          else doc.a = stripped;
          const dump = await referenceFacts(ds, {});
          const live = await liveFacts(ds, {});
          expect(live.facts.unknownApps?.ok, JSON.stringify(live.facts.unknownApps)).toBe(true);
          expect(factDifferences({ unknownApps: dump.facts.unknownApps }, { unknownApps: live.facts.unknownApps })).toEqual([]);
          if (dump.facts.unknownApps?.ok) expect(dump.facts.unknownApps.value.rows.some((r) => r.app === clean.apps[0]!.id)).toBe(true);
        }),
        { seed: SEED, numRuns: Math.max(3, Math.ceil(RUNS / 5)) },
      );
    });
  }
});
