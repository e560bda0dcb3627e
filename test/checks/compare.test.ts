import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compare, violation } from "../../checks/compare.ts";
import { CheckDataError, withDefaults } from "../../checks/types.ts";
import { APP, evaluateWithResults } from "../support/check-harness.ts";

const SEED = 11;
console.log(`compare property test: fast-check seed ${SEED}`);

const side = (collection: string) => ({ collection, pipeline: [{ $match: { a: "{app_id}" } }] });
const BASE = { left: side("countly_drill.drill_events"), right: side("countly.users") };
const rows = (entries: [unknown, unknown][]) => ({ rows: entries.map(([_id, value]) => ({ _id, value })), total: entries.length });
const run = (left: [unknown, unknown][], right: [unknown, unknown][], options: Record<string, unknown> = {}) =>
  evaluateWithResults(compare, { ...BASE, ...options }, { left: rows(left), right: rows(right) });

describe("compare check", () => {
  it("passes when every key agrees, and lists each differing key with both values", () => {
    expect(run([["a", 1], ["b", 2]], [["b", 2], ["a", 1]]).findings).toEqual([]);
    const out = run([[{ day: "2024-10-01", event: "Buy" }, 5]], [[{ event: "Buy", day: "2024-10-01" }, 3]], { left: { ...side("countly_drill.drill_events"), label: "raw" } });
    expect(out.findings).toEqual([{ day: "2024-10-01", event: "Buy", expected: 3, actual: 5, message: "day=2024-10-01, event=Buy: raw 5, countly.users 3 (expected equal)" }]);
  });

  it("keys on one side only: fail, ignore or zero", () => {
    const l: [unknown, unknown][] = [["a", 1], ["b", 2]];
    const r: [unknown, unknown][] = [["a", 1], ["c", 0]];
    expect(run(l, r).findings.map((f) => f.message)).toEqual([
      "b: countly_drill.drill_events has 2, countly.users has no row for this key",
      "c: countly.users has 0, countly_drill.drill_events has no row for this key",
    ]);
    expect(run(l, r, { missing: "ignore" }).findings).toEqual([]);
    expect(run(l, r, { missing: "zero" }).findings.map((f) => f.message)).toEqual(["b: countly_drill.drill_events 2, countly.users 0 (expected equal)"]);
    expect(run([["2024-10-01", 1]], [], { missing: "zero", relation: "lte" }).findings[0]).toMatchObject({ day: "2024-10-01", expected: 0, actual: 1 });
  });

  it("ratio_between holds at both ends, inclusive, and fails below the lower one", () => {
    const r = { ratio_between: [0.5, 2] as [number, number] };
    expect(violation(r, 5, 10, 0, 0)).toBeUndefined();
    expect(violation(r, 20, 10, 0, 0)).toBeUndefined();
    expect(violation(r, 4, 10, 0, 0)).toBe("ratio 0.4 is not in [0.5, 2]");
    expect(violation(r, 0, 10, 0, 0)).toBe("ratio 0 is not in [0.5, 2]");
    expect(violation(r, 4.999, 10, 0, 0)).toBe("ratio 0.4999 is not in [0.5, 2]");
  });

  it("lte and gte allow exactly the tolerance above (lte) or below (gte), absolute or relative", () => {
    expect(violation("lte", 12, 11, 1, 0)).toBeUndefined();
    expect(violation("lte", 12.5, 11, 1, 0)).toBe("expected left ≤ right within 1");
    expect(violation("lte", 110, 100, 0, 0.1)).toBeUndefined();
    expect(violation("lte", 111, 100, 0, 0.1)).toBe("expected left ≤ right within 10");
    expect(violation("lte", 5, 100, 0, 0.1)).toBeUndefined();
    expect(violation("gte", 90, 100, 0, 0.1)).toBeUndefined();
    expect(violation("gte", 89, 100, 0, 0.1)).toBe("expected left ≥ right within 10");
    expect(violation("gte", 9, 11, 1, 0)).toBe("expected left ≥ right within 1");
    expect(violation("eq", 8, 10, 1, 0)).toBe("expected equal within 1");
    expect(violation("eq", 9, 10, 1, 0)).toBeUndefined();
  });

  it("allows float rounding relative to the values' size, also above 1, and nothing more", () => {
    // 1e6 + rounding noise: within 1e-9 relative; 1e-3 off is a real difference
    expect(violation("eq", 1_000_000.1 + 0.2, 1_000_000.3, 0, 0)).toBeUndefined();
    expect(violation("eq", 1_000_000.001, 1_000_000, 0, 0)).toBe("expected equal");
    expect(violation("lte", 1_000_000 + 1e-4, 1_000_000, 0, 0)).toBeUndefined();
    expect(violation("lte", 1_000_000 + 1e-2, 1_000_000, 0, 0)).toBe("expected left ≤ right");
    expect(violation("gte", 1_000_000 - 1e-4, 1_000_000, 0, 0)).toBeUndefined();
    expect(violation("gte", 1_000_000 - 1e-2, 1_000_000, 0, 0)).toBe("expected left ≥ right");
    expect(violation("eq", 1e-10, 0, 0, 0)).toBeUndefined();
    expect(violation("eq", 1e-8, 0, 0, 0)).toBe("expected equal");
  });

  it("relations and tolerances", () => {
    expect(violation("eq", 10, 10, 0, 0)).toBeUndefined();
    expect(violation("eq", 11, 10, 1, 0)).toBeUndefined();
    expect(violation("eq", 12, 10, 1, 0)).toBe("expected equal within 1");
    expect(violation("eq", 10.9, 10, 0, 0.1)).toBeUndefined();
    expect(violation("lte", 10, 11, 0, 0)).toBeUndefined();
    expect(violation("lte", 12, 11, 0, 0)).toBe("expected left ≤ right");
    expect(violation("gte", 12, 11, 0, 0)).toBeUndefined();
    expect(violation("gte", 10, 11, 0, 0)).toBe("expected left ≥ right");
    expect(violation("gte", 10, 11, 1, 0)).toBeUndefined();
    expect(violation({ ratio_between: [0.5, 2] }, 10, 5, 0, 0)).toBeUndefined();
    expect(violation({ ratio_between: [0.5, 2] }, 11, 5, 0, 0)).toBe("ratio 2.2 is not in [0.5, 2]");
    expect(violation({ ratio_between: [0.5, 2] }, 0, 0, 0, 0)).toBeUndefined();
    expect(violation({ ratio_between: [0.5, 2] }, 1, 0, 0, 0)).toBe("ratio 1/0 is not in [0.5, 2]");
    // Float sums from two engines.
    expect(violation("eq", 0.1 + 0.2, 0.3, 0, 0)).toBeUndefined();
  });

  it("with missing: zero and eq, finds exactly the keys whose values differ (property)", () => {
    const side_ = fc.dictionary(fc.constantFrom("a", "b", "c", "d", "e"), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(side_, side_, (l, r) => {
        const out = run(Object.entries(l), Object.entries(r), { missing: "zero" });
        const keys = new Set([...Object.keys(l), ...Object.keys(r)]);
        const differ = [...keys].filter((k) => (l[k] ?? 0) !== (r[k] ?? 0));
        if (keys.size === 0) expect(out.skipped).toBeDefined();
        else expect(out.findings.map((f) => f.message.split(":")[0]).sort()).toEqual(differ.sort());
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("skips when both sides are empty", () => {
    expect(run([], []).skipped).toMatch(/both pipelines returned no rows/);
  });

  it("applies the tolerance given in the options, absolute or relative", () => {
    expect(run([["a", 11]], [["a", 10]], { tolerance: { absolute: 1 } }).findings).toEqual([]);
    expect(run([["a", 11]], [["a", 10]], { tolerance: { relative: 0.1 } }).findings).toEqual([]);
    expect(run([["a", 11]], [["a", 10]], { tolerance: { absolute: 0.5 } }).findings).toHaveLength(1);
    expect(run([["a", 11]], [["a", 10]], { tolerance: { relative: 0.05 } }).findings).toHaveLength(1);
  });

  it("names the side that has the key: actual for left only, expected for right only", () => {
    const out = run([["2024-10-01", 3]], [["2024-10-02", 4]]);
    expect(out.findings).toEqual([
      expect.objectContaining({ day: "2024-10-01", actual: 3 }),
      expect.objectContaining({ day: "2024-10-02", expected: 4 }),
    ]);
    expect(out.findings[0]).not.toHaveProperty("expected");
    expect(out.findings[1]).not.toHaveProperty("actual");
    // a key that is a mapping gives its fields; one that is null or a number gives none
    const mapped = run([[{ day: "2024-10-01", event: "Buy" }, 1]], [[{ day: "2024-10-01", event: "Buy" }, 2]]);
    expect(mapped.findings[0]).toMatchObject({ day: "2024-10-01", event: "Buy", expected: 2, actual: 1 });
  });

  it("counts nothing more when every finding is kept", () => {
    const out = evaluateWithResults(compare, { ...BASE, max_findings: 5 }, { left: rows([["a", 1]]), right: rows([["a", 2]]) });
    expect(out.total).toBe(1);
    expect(out.findings).toHaveLength(1);
  });

  it("keeps max_findings findings and counts the rest", () => {
    const out = run(Array.from({ length: 10 }, (_, i) => [i, 1] as [unknown, unknown]), [], { max_findings: 3 });
    expect(out.findings).toHaveLength(3);
    expect(out.total).toBe(10);
  });

  it("rows of the wrong shape are errors that say what a row must be", () => {
    const bad = (left: Record<string, unknown>[], total = left.length) => () =>
      evaluateWithResults(compare, BASE, { left: { rows: left, total }, right: rows([["a", 1]]) });
    expect(bad([{ _id: "a", value: "x" }])).toThrow(CheckDataError);
    expect(bad([{ _id: "a", value: "x" }])).toThrow(/value is not a number.*\{ _id: <key>, value: <number> \}/);
    expect(bad([{ value: 1 }])).toThrow(/without _id/);
    expect(bad([{ _id: "a", value: 1 }, { _id: "a", value: 2 }])).toThrow(/key a twice/);
    expect(bad([{ _id: "a", value: 1 }], 200_000)).toThrow(/returned 200000 rows, more than max_rows \(100000\)/);
  });

  it("validates ratio ranges and tolerances at load time", () => {
    const o = (extra: Record<string, unknown>) => withDefaults<any>(compare.meta, { ...BASE, ...extra });
    expect(compare.validate!(o({ relation: { ratio_between: [2, 1] } }))).toEqual([{ path: ["relation", "ratio_between"], message: "lo (2) is above hi (1)" }]);
    expect(compare.validate!(o({ relation: { ratio_between: [1, 2] }, tolerance: { absolute: 1 } }))[0]!.path).toEqual(["tolerance"]);
    expect(compare.validate!(o({ left: { collection: "countly.x", pipeline: [{ $out: "y" }] } }))[0]).toMatchObject({ path: ["left", "pipeline", 0], key: "$out" });
  });

  it("declares a left and a right query", () => {
    const q = compare.queries!(withDefaults<any>(compare.meta, BASE), { app: APP, period: {} });
    expect(q.map((r) => [r.id, r.db, r.collection, r.keepRows])).toEqual([
      ["left", "countly_drill", "drill_events", 100_000],
      ["right", "countly", "users", 100_000],
    ]);
  });

  it("lists keys in the left side's order, then the right side's own; labels name the sides", () => {
    const out = run([["b", 1], ["a", 1]], [["c", 2], ["a", 2], ["b", 2]], { left: { ...side("countly.x"), label: "L" }, right: { ...side("countly.y"), label: "R" } });
    expect(out.findings.map((f) => f.message)).toEqual(["b: L 1, R 2 (expected equal)", "a: L 1, R 2 (expected equal)", "c: R has 2, L has no row for this key"]);
  });

  it("keys that are neither text nor a mapping give no finding fields; a text key that is a day gives the day", () => {
    const out = run([[null, 1], [7, 1], ["2024-10-01", 1], ["Buy", 1]], [[null, 2], [7, 2], ["2024-10-01", 2], ["Buy", 2]]);
    expect(out.findings).toEqual([
      { expected: 2, actual: 1, message: "null: countly_drill.drill_events 1, countly.users 2 (expected equal)" },
      { expected: 2, actual: 1, message: "7: countly_drill.drill_events 1, countly.users 2 (expected equal)" },
      { day: "2024-10-01", expected: 2, actual: 1, message: "2024-10-01: countly_drill.drill_events 1, countly.users 2 (expected equal)" },
      { expected: 2, actual: 1, message: "Buy: countly_drill.drill_events 1, countly.users 2 (expected equal)" },
    ]);
  });

  it("a row whose value is null or missing is not a number; a BSON number is", () => {
    const bad = (row: Record<string, unknown>) => () => evaluateWithResults(compare, BASE, { left: { rows: [row], total: 1 }, right: rows([["a", 1]]) });
    expect(bad({ _id: "a", value: null })).toThrow("the left pipeline (countly_drill.drill_events) returned a row whose value is not a number: {_id: \"a\", value: null}; each row must be { _id: <key>, value: <number> }");
    expect(bad({ _id: "a" })).toThrow(/value is not a number/);
    expect(evaluateWithResults(compare, BASE, { left: { rows: [{ _id: "a", value: { _bsontype: "Long", toString: () => "1" } }], total: 1 }, right: rows([["a", 1]]) }).findings).toEqual([]);
    expect(() => evaluateWithResults(compare, BASE, { left: rows([["a", 1]]) })).toThrow("the right pipeline's result is missing (internal error)");
    expect(bad({ value: 1 })).toThrow("the left pipeline (countly_drill.drill_events) returned a row without _id: {value: 1}; end it with a $group on the key");
    expect(() => evaluateWithResults(compare, BASE, { left: rows([["a", 1]]), right: { rows: [{ _id: { d: 1 }, value: 1 }, { _id: { d: 1 }, value: 2 }], total: 2 } })).toThrow("the right pipeline (countly.users) returned the key d=1 twice; $group by the key so each appears once");
  });

  it("by default: eq, no tolerance, missing keys fail, at most 100 findings kept, all counted", () => {
    const out = run(Array.from({ length: 150 }, (_, i) => [i, 1] as [unknown, unknown]), Array.from({ length: 150 }, (_, i) => [i, 1.5] as [unknown, unknown]));
    expect(out.findings).toHaveLength(100);
    expect(out.total).toBe(150);
    expect(out.findings[0]!.message).toBe("0: countly_drill.drill_events 1, countly.users 1.5 (expected equal)");
  });

  it("validation: any tolerance with a ratio range is refused, a range with lo = hi is fine, and right-side problems are found", () => {
    const o = (extra: Record<string, unknown>) => withDefaults<any>(compare.meta, { ...BASE, ...extra });
    expect(compare.validate!(o({ relation: { ratio_between: [1, 1] } }))).toEqual([]);
    expect(compare.validate!(o({ relation: { ratio_between: [1, 2] }, tolerance: { relative: 0.1 } }))).toEqual([{ path: ["tolerance"], message: "tolerance applies to eq, lte and gte; ratio_between is its own tolerance" }]);
    expect(compare.validate!(o({ relation: "eq", tolerance: { absolute: 1 } }))).toEqual([]);
    expect(compare.validate!(o({ right: { collection: "countly.x", pipeline: [{ $merge: "y" }] } }))[0]).toMatchObject({ path: ["right", "pipeline", 0], key: "$merge" });
    expect(compare.validate!(o({ per_app: false }))).toEqual([
      { path: ["left", "pipeline", 0, "$match", "a"], message: "{app_id} needs a per-app check (per_app is false)" },
      { path: ["right", "pipeline", 0, "$match", "a"], message: "{app_id} needs a per-app check (per_app is false)" },
    ]);
    expect(compare.perApp!(o({}))).toBe(true);
    expect(compare.perApp!(o({ left: side("countly.x"), right: { collection: "countly.y", pipeline: [] }, per_app: "auto" }))).toBe(true);
    expect(compare.perApp!(o({ left: { collection: "countly.x", pipeline: [] }, right: { collection: "countly.y", pipeline: [] } }))).toBe(false);
  });

  it("declares its queries with max_rows and max_documents", () => {
    const q = compare.queries!(withDefaults<any>(compare.meta, { ...BASE, max_rows: 7, max_documents: 9 }), { app: APP, period: {} });
    expect(q.map((r) => [r.keepRows, r.maxDocuments])).toEqual([[7, 9], [7, 9]]);
    expect(compare.queries!(withDefaults<any>(compare.meta, BASE), { app: APP, period: {} })[0]!.maxDocuments).toBe(1_000_000);
  });

  it("reads the data through its two queries only (no facts)", () => {
    expect(compare.needs(withDefaults<any>(compare.meta, BASE))).toEqual([]);
  });
});
