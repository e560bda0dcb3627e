// DrillMetaCounts (the dump's counting of drillMeta's raw groups by ids) gives the fact that a
// DrillMetaTable fed every document gives: the same rows, in the same order, with the same
// fields in the same order (reports serialise them), over many apps, keys and segments
// interned in any order, texts that sort apart from their ids (empty, integer-like, non-ASCII,
// U+0000, which DrillMetaTable's key joins app and key with), `cd` absent or not, and days
// whose names do not sort as their numbers. Fixed, printed seed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayName } from "../../../countly/time.ts";
import { DrillMetaCounts, DrillMetaTable } from "../../../runner/facts/drill-meta-rows.ts";

const SEED = 20261206;
const TEXTS = ["", "a", "B", "b", "c", "10", "9", "ключ", "a\u0000b", "b\u0000c", "[CLY]_custom", "z".repeat(40), "é", "e\u0301"];
const DAYS = [20000, 20001, 20400, -719529, 2932897 + 10, 100];

interface Doc {
  app: number;
  key: number;
  segments: number[];
  cd: number | undefined;
  day: number;
}

function texts(pool: readonly string[], nul: boolean): fc.Arbitrary<string[]> {
  return fc.uniqueArray(fc.oneof(fc.constantFrom(...pool.filter((t) => nul || !t.includes("\u0000"))), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 12 });
}

const caseArb = fc.boolean().chain((nul) =>
  fc.tuple(texts(TEXTS, nul), texts(TEXTS, nul), texts(TEXTS, false)).chain(([apps, keys, segments]) =>
    fc.tuple(
      fc.constant({ apps, keys, segments }),
      fc.array(
        fc.record({
          app: fc.nat({ max: apps.length - 1 }),
          key: fc.nat({ max: keys.length - 1 }),
          segments: fc.uniqueArray(fc.nat({ max: segments.length - 1 }), { maxLength: 4 }),
          cd: fc.option(fc.integer({ min: 1_700_000_000_000, max: 1_700_000_900_000 }), { nil: undefined }),
          day: fc.constantFrom(...DAYS),
        }),
        { maxLength: 200 },
      ),
    ),
  ),
);

describe(`DrillMetaCounts.fact (fast-check seed ${SEED})`, () => {
  it("equals a DrillMetaTable fed every document, serialised byte for byte", () => {
    console.log(`drill-meta-rows property: fast-check seed ${SEED}`);
    let rows = 0;
    fc.assert(
      fc.property(caseArb, fc.option(fc.integer({ min: 0, max: 2e12 }), { nil: undefined }), ([{ apps, keys, segments }, docs], maxCd) => {
        const counts = new DrillMetaCounts();
        const table = new DrillMetaTable();
        for (const d of docs) {
          const cd = d.cd ?? NaN;
          const row = counts.keyRow(d.app, d.key, d.day);
          counts.count(row, cd, d.day);
          for (const s of d.segments) counts.count(counts.segmentRow(row, s, d.day), cd, d.day);
          const day = dayName(d.day);
          table.add(apps[d.app]!, keys[d.key]!, undefined, 1, d.cd, day, day);
          for (const s of d.segments) table.add(apps[d.app]!, keys[d.key]!, segments[s]!, 1, d.cd, day, day);
        }
        if (maxCd !== undefined) table.newest(maxCd);
        const got = counts.fact(apps, keys, segments, maxCd);
        const want = JSON.stringify(table.fact());
        expect(JSON.stringify(got)).toBe(want);
        // sorted by comparing the ranks (where one number per row would pass 2^53)
        expect(JSON.stringify(counts.fact(apps, keys, segments, maxCd, 0))).toBe(want);
        rows += got.seen.length;
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(rows).toBeGreaterThan(2000);
  });

  it("joins (app, key) as DrillMetaTable does where a text holds U+0000 (app a\\0b with key c is app a with key b\\0c there)", () => {
    const apps = ["a\u0000b", "a"];
    const keys = ["c", "b\u0000c"];
    const counts = new DrillMetaCounts();
    const table = new DrillMetaTable();
    for (const [app, key, day] of [[0, 0, 20000], [1, 1, 20005]] as const) {
      counts.count(counts.keyRow(app, key, day), NaN, day);
      table.add(apps[app]!, keys[key]!, undefined, 1, undefined, dayName(day), dayName(day));
    }
    const got = counts.fact(apps, keys, [], undefined);
    expect(got.seen).toHaveLength(1);
    expect(JSON.stringify(got)).toBe(JSON.stringify(table.fact()));
  });
});
