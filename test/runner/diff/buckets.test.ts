import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BucketTable, compareBuckets, differingBuckets, hashCollection, planRounds } from "../../../runner/diff/buckets.ts";
import { idKeyOf } from "../../../runner/diff/canonical.ts";
import { MemorySide } from "./memory-side.ts";

type Doc = { _id: string | number; v: number; w?: string };

async function diff(before: Doc[], after: Doc[], bits: number, roundBudget: number, maxIds = 1000) {
  const b = new MemorySide("b", { db: { c: before } });
  const a = new MemorySide("a", { db: { c: after } });
  const tb = await hashCollection(b, "before", "db", "c", { bits });
  const ta = await hashCollection(a, "after", "db", "c", { bits });
  const buckets = differingBuckets(tb, ta);
  const d = await compareBuckets(b, a, "db", "c", { before: tb, after: ta }, buckets, { maxIds, roundBudget });
  return { d, tb, ta, buckets, scans: { before: b.scans.length, after: a.scans.length } };
}


const BUCKETS_SEED = 20261125;
console.log(`bucket scheme property: fast-check seed ${BUCKETS_SEED}`);

describe("bucket tables", () => {
  it("are equal for the same documents in any order, and count documents", async () => {
    const docs: Doc[] = Array.from({ length: 500 }, (_, i) => ({ _id: `d${i}`, v: i }));
    const { tb, ta, buckets, d } = await diff(docs, [...docs].reverse(), 6, 10);
    expect(tb.documents).toBe(500);
    expect(ta.documents).toBe(500);
    expect(buckets).toEqual([]);
    expect(d.rounds).toBe(0);
  });

  it("do not cancel out equal documents (sums, not XOR)", async () => {
    const t = new BucketTable(0);
    const d = Uint32Array.of(1, 2, 3, 4);
    t.add(0, d);
    t.add(0, d);
    const empty = new BucketTable(0);
    expect(differingBuckets(t, empty)).toEqual([0]);
    expect([...t.sums]).toEqual([2, 4, 6, 8]);
  });

  it("bucket a document by its _id alone, so both sides agree without seeing each other", async () => {
    const t = new BucketTable(8);
    const a = new MemorySide("a", { db: { c: [{ _id: "same", v: 1 }] } });
    const b = new MemorySide("b", { db: { c: [{ v: 2, _id: "same" }] } });
    const ta = await hashCollection(a, "before", "db", "c", { bits: 8 });
    const tb = await hashCollection(b, "after", "db", "c", { bits: 8 });
    const diffs = differingBuckets(ta, tb);
    expect(diffs).toHaveLength(1);
    expect(ta.counts[diffs[0]!]).toBe(1);
    expect(tb.counts[diffs[0]!]).toBe(1);
    expect(t.bucketOf(0xffffffff)).toBe(255);
    expect(new BucketTable(0).bucketOf(0xffffffff)).toBe(0);
  });

  it("plan rounds within the budget of the smaller side", () => {
    const b = new BucketTable(2);
    const a = new BucketTable(2);
    b.counts.set([5, 5, 5, 50]);
    a.counts.set([1, 9, 0, 2]);
    expect(planRounds([0, 1, 2, 3], b, a, 10).map((r) => r.buckets)).toEqual([[0, 1, 2], [3]]);
    expect(planRounds([0, 1, 2, 3], b, a, 1).map((r) => r.buckets)).toEqual([[0], [1], [2], [3]]);
    expect(planRounds([], b, a, 1)).toEqual([]);
  });

  it("name exactly the documents only before, only after and different, in one round or many", async () => {
    const before: Doc[] = Array.from({ length: 300 }, (_, i) => ({ _id: `d${i}`, v: i }));
    const after: Doc[] = before.filter((d) => d.v % 50 !== 7).map((d) => (d.v % 60 === 3 ? { ...d, v: -1 } : d));
    after.push({ _id: "new1", v: 1 }, { _id: 5, v: 5 });
    for (const [bits, budget] of [
      [0, 1_000_000],
      [4, 3],
      [16, 1_000_000],
    ] as const) {
      const { d, scans } = await diff(before, after, bits, budget);
      expect(d.onlyBefore.count).toBe(6);
      expect(new Set(d.onlyBefore.ids)).toEqual(new Set([7, 57, 107, 157, 207, 257].map((i) => idKeyOf(`d${i}`))));
      expect(new Set(d.onlyAfter.ids)).toEqual(new Set([idKeyOf("new1"), idKeyOf(5)]));
      expect(new Set(d.different.ids)).toEqual(new Set([3, 63, 123, 183, 243].map((i) => idKeyOf(`d${i}`))));
      expect(scans.before).toBe(1 + d.rounds);
      if (budget === 3) expect(d.rounds).toBeGreaterThan(1);
      else expect(d.rounds).toBe(1);
    }
  });

  it("caps the ids it keeps and still counts them all", async () => {
    const before: Doc[] = Array.from({ length: 100 }, (_, i) => ({ _id: i, v: i }));
    const { d } = await diff(before, [], 4, 1_000_000, 7);
    expect(d.onlyBefore.count).toBe(100);
    expect(d.onlyBefore.ids).toHaveLength(7);
  });

  it("property: agrees with a naive comparison for any documents, changes, bucket sizes and budgets", async () => {
    const doc = fc.record({ _id: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.string({ maxLength: 3 })), v: fc.integer({ min: 0, max: 3 }) });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(doc, { selector: (d) => JSON.stringify(d._id), maxLength: 40 }), fc.uniqueArray(doc, { selector: (d) => JSON.stringify(d._id), maxLength: 40 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 50 }), async (before, after, bits, budget) => {
        const { d } = await diff(before, after, bits, budget);
        const bm = new Map(before.map((x) => [idKeyOf(x._id), x.v]));
        const am = new Map(after.map((x) => [idKeyOf(x._id), x.v]));
        const onlyBefore = [...bm.keys()].filter((k) => !am.has(k));
        const onlyAfter = [...am.keys()].filter((k) => !bm.has(k));
        const different = [...bm.keys()].filter((k) => am.has(k) && am.get(k) !== bm.get(k));
        expect(new Set(d.onlyBefore.ids)).toEqual(new Set(onlyBefore));
        expect(new Set(d.onlyAfter.ids)).toEqual(new Set(onlyAfter));
        expect(new Set(d.different.ids)).toEqual(new Set(different));
        expect([d.onlyBefore.count, d.onlyAfter.count, d.different.count]).toEqual([onlyBefore.length, onlyAfter.length, different.length]);
      }),
      { numRuns: 150, seed: BUCKETS_SEED },
    );
  });
});
