// Fact drillMeta from a dump (runner/facts/dump/drill-meta.ts counts by interned ids and day
// numbers) against the same rules applied to decoded documents through DrillMetaTable, the
// string-keyed table the collector filled per document before: generated datasets whose raw
// documents are bent into every shape a restore can hold (apps out of scope, `e`/`n` not
// strings, seconds and far-off years in `ts`, odd `cd`, `sg` keys that are integer-like,
// empty, `__proto__`, `sg` no document), with and without a period.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { BSON } from "bson";
import { INTERNAL_EVENTS } from "../../../../countly/layout.ts";
import { dayOf, inPeriod, type Period } from "../../../../countly/time.ts";
import { cloneDeep } from "../../../../fixtures/clone.ts";
import { DB, type Dataset } from "../../../../fixtures/dataset.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { DrillMetaTable, drillMetaKey } from "../../../../runner/facts/drill-meta-rows.ts";
import { insertTime, rawTimestamp } from "../../../../runner/facts/numbers.ts";
import type { DrillMetaFact, FactName } from "../../../../runner/facts/types.ts";
import type { FactResults } from "../../../../runner/sources/source.ts";
import { FixtureSource } from "../../../../runner/sources/fixture-source.ts";

const seed = 20261202;

async function dumpFacts(ds: Dataset, period: Period, facts: readonly FactName[]): Promise<FactResults> {
  const source = new FixtureSource(ds);
  const basics = await source.open();
  return source.computeFacts(new Map(facts.map((f) => [f, { tailMinutes: 5 }])), { apps: basics.apps, period, layout: basics.layout, databases: basics.databases, allApps: true });
}

async function dumpDrillMeta(ds: Dataset, period: Period): Promise<{ ok: true; value: DrillMetaFact } | { ok: false; error: string }> {
  return (await dumpFacts(ds, period, ["drillMeta"])).drillMeta as { ok: true; value: DrillMetaFact } | { ok: false; error: string };
}

/** The raw facts that read drill_events beside drillMeta in the post-restore scenario (rawEvents hashes `n` first, drillMeta reuses it). */
const TOGETHER: readonly FactName[] = ["rawEvents", "rawViews", "rawSessions", "rawTail", "collectionCounts", "rawInserts", "drillMeta", "unknownApps"];

/** The aggregator's drill-meta grouping (api/aggregator/processing.js 001abe87) over decoded documents. */
function reference(ds: Dataset, period: Period): DrillMetaFact {
  const zones = new Map(ds.apps.map((a) => [a.id, a.timezone]));
  const table = new DrillMetaTable();
  for (const raw of ds.databases[DB.drill]!.drill_events!) {
    const d = BSON.deserialize(BSON.serialize(raw));
    const zone = typeof d.a === "string" ? zones.get(d.a) : undefined;
    if (zone === undefined || typeof d.e !== "string") continue;
    const ts = rawTimestamp(d.ts);
    if (ts === undefined) continue;
    const day = dayOf(zone, ts);
    if (!inPeriod(day, period)) continue;
    const key = drillMetaKey(d.e, typeof d.n === "string" ? d.n : undefined);
    const c = insertTime(d.cd);
    const cd = c !== undefined && Number.isFinite(c) ? c : undefined;
    if (cd !== undefined) table.newest(cd);
    table.add(d.a as string, key, undefined, 1, cd, day, day);
    const sg: unknown = d.sg;
    if (sg === null || typeof sg !== "object" || Object.getPrototypeOf(sg) !== Object.prototype) continue;
    for (const s of Object.keys(sg)) table.add(d.a as string, key, s, 1, cd, day, day);
  }
  return table.fact();
}

const DAY = 86400000;
/** Raw `ts` values: ms, seconds, dates, and days whose names do not sort as their numbers (years beyond 9999, before 0). */
const arbTs = fc.oneof(
  fc.integer({ min: 1_700_000_000_000, max: 1_760_000_000_000 }),
  fc.integer({ min: 1_700_000_000, max: 1_760_000_000 }),
  fc.integer({ min: 1_700_000_000_000, max: 1_760_000_000_000 }).map((n) => new Date(n)),
  // negative numbers are seconds (`ts < 1e11`): year -1 and -1200
  fc.constantFrom(253402300800000, 253402300800000 + 40 * DAY, 3e14, -62198755200, -62198755200 - 400 * 86400, -37_000_000_000, 0, -1),
  fc.constant("1700000000000"),
);
/** A `ts` that is no time: the whole fact fails, naming the document. */
const arbBadTs = fc.constantFrom(NaN, 1e20, -62198755200000);
const arbCd = fc.oneof(
  fc.integer({ min: 1_700_000_000_000, max: 1_760_000_000_000 }).map((n) => new Date(n)),
  fc.integer({ min: 1_700_000_000_000, max: 1_760_000_000_000 }),
  fc.constantFrom(NaN, Infinity, 1e20, -0, "2024-01-01", null),
);
const SEGMENT_KEYS = ["screen", "tier", "", "0", "7", "10", "01", "4294967295", "__proto__", "ключ", "a.b"];
const arbSg = fc.oneof(
  { weight: 6, arbitrary: fc.uniqueArray(fc.constantFrom(...SEGMENT_KEYS), { maxLength: 5 }).map((ks) => Object.fromEntries(ks.map((k, i) => [k, i % 2 ? i : `v${i}`]))) },
  { weight: 1, arbitrary: fc.constantFrom("not a document", [1, 2], null, 5, { nested: { deeper: 1 }, flat: "x" }) },
);
const arbBend = fc.record(
  {
    a: fc.constantFrom("keep", "unknown app", 42),
    e: fc.constantFrom("keep", INTERNAL_EVENTS.custom, INTERNAL_EVENTS.session, INTERNAL_EVENTS.view, 3),
    n: fc.constantFrom("keep", "Login", "[CLY]_session", 7),
    ts: fc.oneof({ weight: 40, arbitrary: arbTs }, { weight: 1, arbitrary: arbBadTs }),
    cd: arbCd,
    sg: arbSg,
  },
  { requiredKeys: [] },
);

/** Bends the first raw documents; `undefined` in a field (absent from the record) leaves it, "keep" too, a missing-marker deletes. */
function bend(ds: Dataset, bends: readonly (Record<string, unknown> & { drop?: string[] })[]): Dataset {
  const out = cloneDeep(ds);
  const raw = out.databases[DB.drill]!.drill_events!;
  bends.forEach((b, i) => {
    const doc = raw[i % raw.length]!;
    for (const [k, v] of Object.entries(b)) {
      if (k === "drop") continue;
      if (v !== "keep") doc[k] = v;
    }
    for (const k of b.drop ?? []) delete doc[k];
  });
  return out;
}

describe(`drillMeta from a dump (fast-check seed ${seed})`, () => {
  it(`equals the decoded documents grouped through DrillMetaTable, on bent raw documents (seed ${seed})`, async () => {
    console.log(`drill-meta property seed: ${seed}`);
    const base = generateDataset(31, { build: "25.x-aggregator", rawEvents: 80, apps: 2 });
    expect(base.layout).toBe("current");
    const arbDrops = fc.subarray(["n", "cd", "sg", "ts", "a", "e"], { maxLength: 2 });
    const samples = fc.sample(fc.array(fc.tuple(arbBend, arbDrops).map(([b, drop]) => ({ ...b, drop })), { minLength: 1, maxLength: 60 }), { seed, numRuns: 40 });
    let segmentRows = 0;
    let failed = 0;
    for (const [i, bends] of samples.entries()) {
      const ds = bend(base, bends);
      for (const period of [{}, { from: "2025-01-01", to: "2025-06-30" }, { to: "1970-01-01" }] as Period[]) {
        const got = await dumpDrillMeta(ds, period);
        // read together with the other raw facts (one pass, ids shared per document), each fact is what it is alone
        const together = await dumpFacts(ds, period, TOGETHER);
        expect(JSON.stringify(together.drillMeta), `sample ${i} together`).toBe(JSON.stringify(got));
        if (i % 4 === 0) for (const f of TOGETHER) expect(JSON.stringify(together[f]), `sample ${i} ${f} together`).toBe(JSON.stringify((await dumpFacts(ds, period, [f]))[f]));
        let want: DrillMetaFact | undefined;
        let error: string | undefined;
        try {
          want = reference(ds, period);
        } catch (e) {
          error = (e as Error).message;
        }
        if (error !== undefined) {
          expect(got.ok, `sample ${i}`).toBe(false);
          expect((got as { error: string }).error, `sample ${i}`).toContain(error);
          failed++;
          continue;
        }
        expect(got, `sample ${i} ${JSON.stringify(period)}`).toEqual({ ok: true, value: want });
        // the same rows in the same order with the same fields (reports serialise them)
        expect(JSON.stringify((got as { value: DrillMetaFact }).value)).toBe(JSON.stringify(want));
        segmentRows += want!.seen.filter((r) => r.segment !== undefined).length;
      }
    }
    // not vacuous: segment rows, integer-like and empty segment keys, far-off days
    expect(segmentRows).toBeGreaterThan(500);
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(samples.length);
  });

  it("keeps a day beyond 9999 and one before year 0 as the day names compare (first/last day)", async () => {
    const base = generateDataset(32, { build: "25.x-aggregator", rawEvents: 20, apps: 1 });
    const app = base.apps[0]!.id;
    const ds = cloneDeep(base);
    const raw = ds.databases[DB.drill]!.drill_events!;
    raw.length = 0;
    for (const ts of [1_735_689_600_000, 253402300800000 + DAY, -62198755200 - 2 * 86400]) raw.push({ _id: `r${ts}`, a: app, e: "Buy", ts, sg: { "1": "x" } });
    const got = await dumpDrillMeta(ds, {});
    expect(got).toEqual({ ok: true, value: reference(ds, {}) });
    const row = (got as { value: DrillMetaFact }).value.seen.find((r) => r.segment === undefined)!;
    // by name ("+010000-01" < "-000001-12" < "2025-01-01": dayName keeps 10 characters), not by number
    expect([row.firstDay, row.lastDay]).toEqual(["+010000-01", "2025-01-01"]);
  });
});
