// Issue 13, "data read wrong" on the live side: counters stored as Decimal128 are read
// as their numbers everywhere (aggregated month documents streamed to the collectors'
// visitors, raw `c`/`s`/`dur` summed on the server with $toDouble), a NaN Decimal128 is
// the counters-are-numbers finding it is, and raw `ts`/`cd` values out of the Date range
// never error a run with a bare "Invalid time value". Through the wire double (which
// replies with the stored Decimal128 values) or MONGODB_URI.
import { Decimal128 } from "bson";
import { describe, expect, it } from "vitest";
import type { Dataset, Doc } from "../../../../fixtures/dataset.ts";
import { applyCorruptions } from "../../../../fixtures/corruptions.ts";
import { DB } from "../../../../fixtures/dataset.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { cloneDeep } from "../../../../fixtures/clone.ts";
import { assertSameFacts, dumpFacts, liveFacts, referenceFacts } from "./support.ts";

const decimal = (n: number) => Decimal128.fromString(String(n));

/** Every number under `d` of the aggregated documents, and raw `c`/`s`/`dur`, as Decimal128 (the same values). */
function asDecimals(ds: Dataset): { ds: Dataset; replaced: number } {
  let replaced = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === "number") {
      replaced++;
      return decimal(v);
    }
    if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const databases: Dataset["databases"] = {};
  for (const [db, colls] of Object.entries(ds.databases)) {
    databases[db] = {};
    for (const [name, docs] of Object.entries(colls)) {
      databases[db]![name] = docs.map((doc): Doc => {
        if (db === DB.drill) return { ...doc, ...Object.fromEntries(["c", "s", "dur"].filter((k) => typeof doc[k] === "number").map((k) => [k, walk(doc[k])])) };
        return doc.d && typeof doc.d === "object" ? { ...doc, d: walk(doc.d) } : doc;
      });
    }
  }
  return { ds: { ...ds, databases }, replaced };
}

describe("Decimal128 counters read live", () => {
  for (const layout of ["current", "legacy"] as const) {
    it(`give the same facts as the same data stored as plain numbers (${layout})`, { timeout: 120_000 }, async () => {
      const plain = generateDataset(6, { layout, rawEvents: 80, apps: 2 });
      const { ds, replaced } = asDecimals(plain);
      expect(replaced).toBeGreaterThan(100);
      const period = { from: "2024-10-22", to: "2024-11-05" };
      const reference = await referenceFacts(plain, period, { tailMinutes: 5 });
      const live = await liveFacts(ds, period, { tailMinutes: 5 });
      // allKeyTotals included: a Decimal128 `c` of an all_key day is a counter (it was skipped before).
      assertSameFacts(reference.facts, live.facts, `${layout} Decimal128`);
      // Not vacuous: the aggregates hold counts.
      const events = live.facts.eventAggregates;
      expect(events?.ok && events.value.totals.some((r) => r.c > 0)).toBe(true);
    });
  }

  it("all_key counters stored as Decimal128 are read on a dump and live (event-all-key-matches' fact)", { timeout: 120_000 }, async () => {
    const plain = generateDataset(8, { layout: "current", rawEvents: 80, apps: 2 });
    const { ds } = asDecimals(plain);
    const expected = (await dumpFacts(plain, {})).facts.allKeyTotals;
    expect(expected?.ok && expected.value.rows.some((r) => r.c > 0)).toBe(true);
    for (const [engine, facts] of [["dump", await dumpFacts(ds, {})], ["live", await liveFacts(ds, {})]] as const) {
      assertSameFacts({ allKeyTotals: expected }, { allKeyTotals: facts.facts.allKeyTotals }, `${engine}: allKeyTotals of Decimal128 counters`);
    }
  });

  it("report a NaN Decimal128 counter as the counters-are-numbers finding, like a NaN double", { timeout: 60_000 }, async () => {
    // counters-corrupted writes NaN (a double) into hour buckets; here it is stored as Decimal128("NaN").
    const withNaN = applyCorruptions(generateDataset(6, { rawEvents: 40, apps: 1 }), ["counters-corrupted"]);
    let decimals = 0;
    const toDecimal = (v: unknown): unknown => {
      if (typeof v === "number" && Number.isNaN(v)) {
        decimals++;
        return Decimal128.fromString("NaN");
      }
      if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toDecimal(x)]));
      return v;
    };
    const ds: Dataset = { ...withNaN, databases: { ...withNaN.databases, [DB.countly]: Object.fromEntries(Object.entries(withNaN.databases[DB.countly]!).map(([n, docs]) => [n, docs.map((d) => toDecimal(d) as Doc)])) } };
    expect(decimals).toBeGreaterThan(0);
    const expected = (await dumpFacts(withNaN, {})).facts.counterProblems;
    const live = (await liveFacts(ds, {})).facts.counterProblems;
    expect(expected?.ok && live?.ok).toBe(true);
    if (!expected?.ok || !live?.ok) return;
    const nan = (rows: typeof live.value.rows) => rows.filter((r) => r.problem === "NaN").map((r) => `${r.collection} ${r.id} ${r.path}`);
    expect(nan(expected.value.rows).length).toBe(decimals);
    expect(nan(live.value.rows)).toEqual(nan(expected.value.rows));
  });

  it("skip raw cd values out of the Date range; a raw ts that is no time is an error of the raw facts naming the collection and _id, as on a dump", async () => {
    // cloneDeep, not structuredClone: that turns the apps' ObjectIds into plain objects (no app would match).
    const ds = cloneDeep(generateDataset(8, { rawEvents: 40, apps: 1 }));
    const raw = ds.databases[DB.drill]!.drill_events!;
    const base = raw[0]!;
    raw.push({ ...base, _id: "bad-cd", cd: 1e20 }, { ...base, _id: "bad-cd-2", cd: -1e20 });
    const live = await liveFacts(ds, {}, { tailMinutes: 5 });
    for (const [name, outcome] of Object.entries(live.facts)) expect(outcome?.ok, `${name}: ${JSON.stringify(outcome)}`).toBe(true);
    const inserts = live.facts.rawInserts;
    if (inserts?.ok) for (const r of inserts.value.rows) if (r.maxCd !== undefined) expect(Math.abs(r.maxCd)).toBeLessThanOrEqual(8.64e15);
    expect(inserts?.ok && inserts.value.rows.reduce((n, r) => n + r.docs, 0)).toBe(raw.length);

    for (const ts of [1e20, Number.NaN, -1e13]) {
      const bad = cloneDeep(ds);
      bad.databases[DB.drill]!.drill_events!.push({ ...base, _id: "bad-ts", ts });
      const [dump, server] = [await dumpFacts(bad, {}, { tailMinutes: 5 }), await liveFacts(bad, {}, { tailMinutes: 5 })];
      for (const fact of ["rawEvents", "rawSessions", "rawViews", "rawTail"] as const) {
        for (const [engine, outcome] of [["dump", dump.facts[fact]], ["live", server.facts[fact]]] as const) {
          expect(outcome?.ok, `${engine} ${fact} ts ${ts}`).toBe(false);
          if (outcome && !outcome.ok) expect(outcome.error, `${engine} ${fact}`).toMatch(new RegExp(`drill_events.* document "bad-ts".*: raw event ts ${String(ts)} is not a time`));
        }
      }
      // What does not read ts is computed as usual.
      expect(server.facts.rawInserts?.ok && server.facts.eventAggregates?.ok).toBe(true);
    }
  });
});
