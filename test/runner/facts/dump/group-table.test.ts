// GroupTable: counters summed per (app, key, day) group, and the groups handed out in the
// order sortRows gives their rows (app text, key text, day name), including days beyond
// year 9999 or before year 0 (sorted by their names, not their numbers) and day numbers of
// any spread (the counting sort's two ways of ranking days).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayName, type Period } from "../../../../countly/time.ts";
import { dayGroupFields, type GroupFields, GroupTable, groupRows } from "../../../../runner/facts/dump/group-table.ts";
import { sortRows } from "../../../../runner/facts/dump/raw-events.ts";

const SEED = 20261201;

type Row = { app: string; key: string; day: string; c: number; s: number; dur: number; docs: number };

function table(adds: [number, number, number, number][]): GroupTable {
  const t = new GroupTable();
  for (const [app, key, day, c] of adds) t.add(app, key, day, c, c / 2, c * 3);
  t.done();
  return t;
}

function rowsOf(t: GroupTable, apps: string[], keys: string[]) {
  const fields: GroupFields<Row> = { app: (g) => apps[t.app(g)]!, key: (g) => keys[t.key(g)]!, day: (g) => dayName(t.day(g)), c: (g) => t.c(g), s: (g) => t.s(g), dur: (g) => t.dur(g), docs: (g) => t.docs(g) };
  return groupRows(t, apps, keys, fields);
}

/** One app's rows read back from its columns (`columnsOf`), field by field. */
function fromColumns(rows: ReturnType<typeof rowsOf>, app: string, period: Period): Row[] {
  const columns = rows.columnsOf(app, period);
  const names = ["app", "key", "day", "c", "s", "dur", "docs"] as const;
  const readers = names.map((n) => [n, columns.column(n)] as const);
  return Array.from(columns.ids, (id) => Object.fromEntries(readers.map(([n, read]) => [n, read(id)])) as Row);
}

/** What the table must give: one row per group, sums in adding order, sorted by sortRows. */
function expected(adds: [number, number, number, number][], apps: string[], keys: string[]): Row[] {
  const byId = new Map<string, Row>();
  for (const [app, key, day, c] of adds) {
    const id = `${app}/${key}/${day}`;
    const r = byId.get(id) ?? { app: apps[app]!, key: keys[key]!, day: dayName(day), c: 0, s: 0, dur: 0, docs: 0 };
    r.c += c;
    r.s += c / 2;
    r.dur += c * 3;
    r.docs++;
    byId.set(id, r);
  }
  return sortRows([...byId.values()]);
}

describe("GroupTable", () => {
  it("sums each group's counters and counts its documents", () => {
    const t = table([
      [0, 0, 19000, 1],
      [0, 0, 19000, 2],
      [0, 1, 19000, 4],
      [1, 0, 19001, 8],
      [0, 0, 19000, 16],
    ]);
    expect(t.size).toBe(3);
    const rows = rowsOf(t, ["b", "a"], ["x", "y"]).all();
    expect(rows).toEqual([
      { app: "a", key: "x", day: dayName(19001), c: 8, s: 4, dur: 24, docs: 1 },
      { app: "b", key: "x", day: dayName(19000), c: 19, s: 9.5, dur: 57, docs: 3 },
      { app: "b", key: "y", day: dayName(19000), c: 4, s: 2, dur: 12, docs: 1 },
    ]);
  });

  it("orders days beyond the plain years by their names (+010000-…, -000001-…)", () => {
    const days = [2932897, -719529, 19000, -719528, 2932896, 4000000, -800000];
    const t = table(days.map((d, i) => [0, 0, d, i + 1]));
    expect(rowsOf(t, ["a"], ["k"]).all().map((r) => r.day)).toEqual(days.map(dayName).sort());
  });

  it("gives one app's rows in a period, in order, and nothing for an app without groups", () => {
    const t = table([
      [1, 0, 19002, 1],
      [0, 0, 19001, 1],
      [0, 0, 19000, 1],
      [0, 0, 19003, 1],
    ]);
    const rows = rowsOf(t, ["a", "b", "c"], ["k"]);
    expect(rows.rowsOf("a", { from: dayName(19001) }).map((r) => r.day)).toEqual([dayName(19001), dayName(19003)]);
    expect(fromColumns(rows, "a", { from: dayName(19001) })).toEqual(rows.rowsOf("a", { from: dayName(19001) }));
    expect(fromColumns(rows, "c", {})).toEqual([]);
    expect(fromColumns(rows, "unknown", {})).toEqual([]);
    expect(rows.rowsOf("b", {}).map((r) => r.day)).toEqual([dayName(19002)]);
    expect(rows.rowsOf("c", {})).toEqual([]);
    expect(rows.rowsOf("unknown", {})).toEqual([]);
  });

  it("keeps groups past the first pages (70,000 groups: two pages, each added twice in a scrambled order)", () => {
    const apps = ["a", "b", "c"];
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    const adds: [number, number, number, number][] = [];
    for (let round = 0; round < 2; round++) for (let i = 0; i < 70_000; i++) {
      const j = (i * 7919) % 70_000;
      adds.push([j % 3, Math.floor(j / 3) % 100, 19000 + Math.floor(j / 300), round + 1]);
    }
    const t = table(adds);
    expect(t.size).toBe(70_000);
    const rows = rowsOf(t, apps, keys);
    const want = expected(adds, apps, keys);
    expect(rows.all()).toEqual(want);
    expect(rows.rowsOf("b", {})).toEqual(want.filter((r) => r.app === "b"));
  });

  it(`equals sortRows over the summed rows for any groups, as rows and as one app's columns in any period (seed ${SEED}, 200 runs)`, () => {
    console.log(`group table: fast-check seed ${SEED}`);
    const texts = fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 8 }).map((t) => [...new Set(t)]);
    const day = fc.oneof(fc.integer({ min: 18990, max: 19010 }), fc.integer({ min: -1_000_000, max: 4_000_000 }));
    fc.assert(
      fc.property(texts, texts, fc.array(fc.tuple(fc.nat(), fc.nat(), day, fc.integer({ min: 1, max: 9 })), { maxLength: 60 }), day, fc.nat({ max: 40 }), (apps, keys, raw, from, span) => {
        const adds = raw.map(([a, k, d, c]): [number, number, number, number] => [a % apps.length, k % keys.length, d, c]);
        const rows = rowsOf(table(adds), apps, keys);
        const want = expected(adds, apps, keys);
        const period = { from: dayName(from), to: dayName(from + span) };
        expect(rows.all()).toEqual(want);
        for (const app of apps) {
          expect(rows.rowsOf(app, {})).toEqual(want.filter((r) => r.app === app));
          expect(fromColumns(rows, app, {})).toEqual(want.filter((r) => r.app === app));
          const inPeriod = want.filter((r) => r.app === app && r.day >= period.from && r.day <= period.to);
          expect(rows.rowsOf(app, period)).toEqual(inPeriod);
          expect(fromColumns(rows, app, period)).toEqual(inPeriod);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it(`appended groups (no index) give the rows added ones give, repeats summed in order (seed ${SEED}, 200 runs)`, () => {
    const texts = fc.array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 5 }).map((t) => [...new Set(t)]);
    const day = fc.oneof(fc.integer({ min: 18990, max: 18995 }), fc.integer({ min: -1_000_000, max: 4_000_000 }));
    const counter = fc.oneof(fc.integer({ min: -3, max: 9 }), fc.double({ noNaN: true, min: -1e3, max: 1e3 }), fc.constant(-0));
    fc.assert(
      fc.property(texts, texts, fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.nat(), day, counter, counter), { maxLength: 60 }), (apps, keys, countDocs, raw) => {
        const added = new GroupTable(countDocs);
        const appended = new GroupTable(countDocs);
        for (const [a, k, d, c, x] of raw) {
          added.add(a % apps.length, k % keys.length, d, c, x, c * x);
          appended.append(a % apps.length, k % keys.length, d, c, x, c * x);
        }
        added.done();
        appended.done();
        const want = rowsOf(added, apps, keys).all();
        const got = rowsOf(appended, apps, keys);
        expect(got.all()).toEqual(want);
        for (const app of apps) expect(got.rowsOf(app, {})).toEqual(want.filter((r) => r.app === app));
        // merged once: rows made again are the same
        expect(rowsOf(appended, apps, keys).all()).toEqual(want);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
  it(`sums like a Map of doubles whatever the values: pages widened from 16-bit to 32-bit integers to doubles, ids past 16 bits, fractions, NaN, infinities, -0 (seed ${SEED}, 300 runs)`, () => {
    const id = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 32_000, max: 33_000 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    const day = fc.oneof(fc.integer({ min: 19_000, max: 19_003 }), fc.integer({ min: -40_000, max: 40_000 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    const counter = fc.oneof(
      fc.integer({ min: -3, max: 9 }),
      fc.integer({ min: 30_000, max: 40_000 }),
      fc.integer({ min: 2 ** 31 - 5, max: 2 ** 31 + 5 }),
      fc.double({ min: -1e3, max: 1e3 }),
      fc.constantFrom(-0, NaN, Infinity, -Infinity, 2 ** 53, 0.1),
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 }), counter, counter, counter), { maxLength: 120 }), fc.array(id, { minLength: 6, maxLength: 6 }), fc.array(day, { minLength: 4, maxLength: 4 }), fc.nat({ max: 120 }), (countDocs, raw, ids, days, readAt) => {
        const t = new GroupTable(countDocs);
        const model = new Map<string, { g: number; c: number; s: number; dur: number; docs: number }>();
        const check = () => {
          for (const m of model.values()) {
            expect([t.c(m.g), t.s(m.g), t.dur(m.g), t.docs(m.g)]).toEqual([m.c, m.s, m.dur, countDocs ? m.docs : 0]);
          }
        };
        raw.forEach(([a, k, d, c, s, dur], n) => {
          const [app, key, dd] = [ids[a]!, ids[k]!, days[d]!];
          const g = t.add(app, key, dd, c, s, dur);
          const m = model.get(`${app}/${key}/${dd}`) ?? { g, c: 0, s: 0, dur: 0, docs: 0 };
          expect(g).toBe(m.g);
          m.c += c;
          m.s += s;
          m.dur += dur;
          m.docs++;
          model.set(`${app}/${key}/${dd}`, m);
          expect([t.app(g), t.key(g), t.day(g)]).toEqual([app, key, dd]);
          // read part-way too: sums held for recent groups are the columns' values
          if (n === readAt) check();
        });
        t.done();
        expect(t.size).toBe(model.size);
        check();
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it(`sortGroups renumbers the groups in row order, each with its own values, and the rows stay the same, also for appended groups and past a first page grown (seed ${SEED}, 100 runs)`, () => {
    const texts = fc.array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 5 }).map((t) => [...new Set(t)]);
    const day = fc.oneof(fc.integer({ min: 18990, max: 18995 }), fc.integer({ min: -1_000_000, max: 4_000_000 }));
    const counter = fc.oneof(fc.integer({ min: -3, max: 9 }), fc.integer({ min: 40_000, max: 2 ** 33 }), fc.double({ min: -1e3, max: 1e3 }), fc.constantFrom(NaN, Infinity, 0.1));
    const read = (t: GroupTable, g: number) => [t.app(g), t.key(g), t.day(g), t.c(g), t.s(g), t.dur(g), t.docs(g)];
    fc.assert(
      fc.property(texts, texts, fc.boolean(), fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.nat(), day, counter, counter), { maxLength: 60 }), fc.constantFrom(0, 0, 7, 1100), (apps, keys, countDocs, appending, raw, padding) => {
        const make = () => {
          const t = new GroupTable(countDocs);
          // a first page of the same group many times over, or many groups (past the first page)
          for (let i = 0; i < padding; i++) appending ? t.append(0, 0, 18990 + (i % 3), 1, 0.5, 2) : t.add(0, i % keys.length, 18990 + Math.floor(i / keys.length), 1, 0.5, 2);
          for (const [a, k, d, c, x] of raw) (appending ? t.append : t.add).call(t, a % apps.length, k % keys.length, d, c, x, c * x);
          t.done();
          return t;
        };
        const plain = make();
        const want = rowsOf(plain, apps, keys).all();
        const order = plain.sortedBy(apps, keys);
        const sorted = make();
        const before = sorted.sortGroups(apps, keys);
        expect(Array.from(before)).toEqual(Array.from(order));
        expect(sorted.size).toBe(order.length);
        const moved = (g: number) => JSON.stringify(read(sorted, g)) === JSON.stringify(read(plain, before[g]!));
        let wrong = 0;
        while (wrong < sorted.size && moved(wrong)) wrong++;
        if (wrong < sorted.size) expect(read(sorted, wrong)).toEqual(read(plain, before[wrong]!));
        expect(Array.from(sorted.sortedBy(apps, keys))).toEqual(Array.from({ length: sorted.size }, (_, g) => g));
        const rows = rowsOf(sorted, apps, keys);
        expect(rows.all()).toEqual(want);
        for (const app of apps) expect(fromColumns(rows, app, {})).toEqual(want.filter((r) => r.app === app));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it("sortGroups moves groups across full pages (70,000 groups added in a scrambled order)", () => {
    const apps = ["a", "b", "c"];
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    const adds: [number, number, number, number][] = [];
    for (let i = 0; i < 70_000; i++) {
      const j = (i * 7919) % 70_000;
      adds.push([j % 3, Math.floor(j / 3) % 100, 19000 + Math.floor(j / 300), 1 + (j % 5)]);
    }
    const t = table(adds);
    const before = t.sortGroups(apps, keys);
    const want = expected(adds, apps, keys);
    expect(rowsOf(t, apps, keys).all()).toEqual(want);
    // group g is the g-th row, and came from group before[g] (the g-th added group is the one added g-th)
    expect([t.app(0), t.key(0), t.day(0), t.app(69_999)]).toEqual([0, 0, 19000, 2]);
    expect(adds[before[69_999]!]!.slice(0, 3)).toEqual([2, 99, t.day(69_999)]);
  });

  it("sortGroups gives each page the narrowest type of its new values (two fractional counts moved into one page free the other's doubles)", () => {
    const t = new GroupTable();
    // group 0 (first page) and group 69,999 (second page): the only fractional counts; both sort first (app 0, key 0)
    for (let i = 0; i < 70_000; i++) t.add(i === 0 || i === 69_999 ? 0 : 1, 0, 19_000 + i, i === 0 || i === 69_999 ? 0.5 : 1, 1, 1);
    t.done();
    const before = t.bytes;
    const order = t.sortGroups(["a", "b"], ["k"]);
    expect([order[0], order[1]]).toEqual([0, 69_999]);
    expect([t.c(0), t.c(1), t.c(2), t.c(69_999)]).toEqual([0.5, 0.5, 1, 1]);
    // the second page's counts: 16-bit integers again instead of doubles
    expect(before - t.bytes).toBe(6 * 65_536);
  });

  it(`dayGroupFields names every group's day as dayName does, for days near and far from the first one read, in any order (seed ${SEED}, 200 runs)`, () => {
    const day = fc.oneof(fc.integer({ min: 19_990, max: 20_010 }), fc.integer({ min: -40_000, max: 80_000 }), fc.integer({ min: -100_000_000, max: 100_000_000 }));
    fc.assert(
      fc.property(fc.array(day, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 80 }), (days, reads) => {
        const t = new GroupTable();
        for (const d of days) t.add(0, 0, d, 1, 1, 1);
        t.done();
        const fields = dayGroupFields(t, { text: () => "a" }, { text: () => "k" });
        for (const r of reads) {
          const g = r % t.size;
          expect(fields.day(g)).toBe(dayName(t.day(g)));
        }
        for (let g = 0; g < t.size; g++) expect(fields.day(g)).toBe(dayName(t.day(g)));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("stores typical groups in ~20 bytes each once done (16-bit ids and days, integer counts, sums with fractions)", () => {
    const t = new GroupTable();
    for (let i = 0; i < 200_000; i++) t.add(i % 200, Math.floor(i / 200) % 500, 20_000 + Math.floor(i / 100_000), 1, (i % 7) * 0.25, i % 3);
    t.done();
    expect(t.size).toBe(200_000);
    // ids 3 x 2 bytes, c, dur and docs 2 bytes each, s 8 bytes: 20 bytes, pages rounded up to 65,536 groups
    expect(t.bytes / t.size).toBeLessThan(27);
    expect(t.bytes / t.size).toBeGreaterThanOrEqual(20);
  });
});
