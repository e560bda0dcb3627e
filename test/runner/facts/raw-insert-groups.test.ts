// InsertTimes (the dump's rawInserts tail: a few minutes per group in arrays, settled as the
// cutoff passes them) against the rule as the collector applied it before, with a map per
// group and a compaction every so many documents: the same rows for any order of inserts,
// any tail, NaN (a date beyond any time), minutes exactly at the cutoff and far-off times.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { InsertTimes, insertRows, timedGroup, type InsertGroup } from "../../../runner/facts/raw-insert-groups.ts";

const seed = 20261203;

/** The rule over a map per group, compacting every `every` inserts and at the end. */
function reference(inserts: readonly [number, number][], groups: number, tailMinutes: number, every: number) {
  const gs: InsertGroup[] = Array.from({ length: groups }, (_, i) => ({ app: `a${i}`, e: "[CLY]_session", docs: 0, withSource: 0, tail: new Map() }));
  let maxMinute: number | undefined;
  const settle = (g: InsertGroup, cd: number) => {
    if (g.settledMaxCd === undefined || cd > g.settledMaxCd) g.settledMaxCd = cd;
  };
  const compact = () => {
    if (maxMinute === undefined) return;
    for (const g of gs) {
      for (const [m, cd] of g.tail) {
        if (m > maxMinute - tailMinutes) continue;
        settle(g, cd);
        g.tail.delete(m);
      }
    }
  };
  inserts.forEach(([i, cd], n) => {
    const g = gs[i]!;
    if (g.maxCd === undefined || cd > g.maxCd) g.maxCd = cd;
    const minute = Math.floor(cd / 60000);
    if (maxMinute === undefined || minute > maxMinute) maxMinute = minute;
    if (minute <= maxMinute - tailMinutes) settle(g, cd);
    else if ((g.tail.get(minute) ?? -Infinity) < cd) g.tail.set(minute, cd);
    if ((n + 1) % every === 0) compact();
  });
  compact();
  return { rows: insertRows(gs), maxMinute };
}

const T0 = 1_735_689_600_000;
const MINUTE = 60000;
/** Insert times: mostly a few minutes around a moving point, some late, NaN, at minute edges, 0 and -0, far off. */
const arbCd = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: 40 * MINUTE }).map((d) => T0 + d) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 40 }).map((m) => T0 + m * MINUTE - 1) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, 0, -0, -1, 8.64e15, -8.64e15, T0 - 365 * 86400000) },
);

describe(`InsertTimes (fast-check seed ${seed})`, () => {
  it("gives the rows the per-group map with periodic compaction gave, for any insert order and tail", () => {
    console.log(`raw-insert-groups property seed: ${seed}`);
    let tails = 0;
    let settled = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((groups) =>
          fc.tuple(fc.constant(groups), fc.array(fc.tuple(fc.integer({ min: 0, max: groups - 1 }), arbCd), { maxLength: 300 }), fc.constantFrom(0, 1, 5, 30), fc.integer({ min: 1, max: 64 })),
        ),
        ([groups, inserts, tailMinutes, every]) => {
          const gs = Array.from({ length: groups }, (_, i) => timedGroup(`a${i}`, "[CLY]_session"));
          const times = new InsertTimes(tailMinutes);
          for (const [i, cd] of inserts) times.add(gs[i]!, cd);
          times.finish(gs);
          const want = reference(inserts, groups, tailMinutes, every);
          const got = { rows: insertRows(gs), maxMinute: times.maxMinute };
          expect(got).toEqual(want);
          expect(JSON.stringify(got)).toBe(JSON.stringify(want));
          for (const r of want.rows) {
            tails += r.tail.length;
            if (r.settledMaxCd !== undefined) settled++;
          }
        },
      ),
      { seed, numRuns: 400 },
    );
    // not vacuous: rows with tails and with settled inserts
    expect(tails).toBeGreaterThan(200);
    expect(settled).toBeGreaterThan(200);
  });

  it("settles a minute exactly at the cutoff and keeps the one after it", () => {
    const g = timedGroup("a", "[CLY]_session");
    const times = new InsertTimes(5);
    for (const m of [10, 11, 15, 16]) times.add(g, T0 + m * MINUTE);
    times.finish([g]);
    // newest minute T0/60000 + 16, cutoff + 11: minutes 10 and 11 settled, 15 and 16 in the tail
    expect(g.settledMaxCd).toBe(T0 + 11 * MINUTE);
    expect([...g.tail.keys()].map((m) => m - T0 / MINUTE)).toEqual([15, 16]);
  });

  it("holds only the minutes of the window while reading (memory does not grow with the inserts)", () => {
    const g = timedGroup("a", "[CLY]_session");
    const times = new InsertTimes(5);
    let most = 0;
    for (let m = 0; m < 10_000; m++) {
      times.add(g, T0 + m * MINUTE);
      most = Math.max(most, g.minutes.length);
    }
    expect(most).toBeLessThanOrEqual(6);
  });
});
