import { BSON, Decimal128, Long } from "bson";
import { describe, expect, it } from "vitest";
import { eventHash } from "../../../countly/hash.ts";
import { compareTotals, displayMonth, readCatalog, TotalsTable } from "../../../runner/diff/totals.ts";
import { MemoryBudget, MemoryBudgetError } from "../../../runner/facts/memory-budget.ts";
import { MemorySide } from "./memory-side.ts";

const APP = "650000000000000000000001";

function feed(table: TotalsTable, visitor: ReturnType<TotalsTable["visitor"]>, docs: Record<string, unknown>[]) {
  for (const d of docs) {
    const b = BSON.serialize(d);
    visitor!(b, 0, b.length);
  }
  return table;
}

describe("event totals", () => {
  it("sum d.<day>.c of no-segment month documents only (current layout)", () => {
    const t = new TotalsTable();
    const v = t.visitor("countly", "events_data", { apps: new Map(), legacy: new Map() });
    feed(t, v, [
      { _id: "x1", a: APP, e: "Buy", s: "no-segment", m: "2024:3", d: { "1": { c: 2, "0": { c: 2 } }, "15": { c: 3, s: 9 } } },
      { _id: "x2", a: APP, e: "Buy", s: "method", m: "2024:3", d: { "1": { card: { c: 2 } } } },
      { _id: "x3", a: APP, e: "Buy", s: "no-segment", m: "2024:0", meta_v2: {} },
      { _id: "x4", a: APP, e: "all", s: "no-segment", m: "2024:3", d: { "1": { c: 100 } } },
      { _id: "x5", a: APP, e: "Buy", s: "no-segment", m: "2024:11", d: { "3": { c: 1 } } },
    ]);
    expect([...t.rows.get(APP)!]).toEqual([
      ["Buy\u00002024:3", 5],
      ["Buy\u00002024:11", 1],
    ]);
    expect(t.visitor("countly", "users", { apps: new Map(), legacy: new Map() })).toBeUndefined();
    expect(t.visitor("countly_drill", "events_data", { apps: new Map(), legacy: new Map() })).toBeUndefined();
  });

  it("resolve legacy events<sha1(key + appId)> through countly.events.list, and note the ones they cannot", async () => {
    const side = new MemorySide("m", { countly: { apps: [{ _id: APP, name: "Shop" }], events: [{ _id: APP, list: ["Buy", 7] }] } });
    const coll = `events${eventHash("Buy", APP)}`;
    const catalog = await readCatalog(side, ["apps", "events", coll]);
    expect(catalog.apps.get(APP)).toBe("Shop");
    const t = new TotalsTable();
    feed(t, t.visitor("countly", coll, catalog), [
      { _id: "no-segment_2024:3", d: { "2": { c: 4 } } },
      { _id: "method_2024:3_z", d: { "2": { card: { c: 4 } } } },
      { _id: "no-segment_2024:0_z", meta_v2: {} },
    ]);
    expect([...t.rows.get(APP)!]).toEqual([["Buy\u00002024:3", 4]]);
    expect(t.visitor("countly", `events${"0".repeat(40)}`, catalog)).toBeUndefined();
    expect(t.unattributed).toEqual([`countly.events${"0".repeat(40)}`]);
  });

  it("hash the event lists only for legacy collections, and charge the hashes to the budget (--max-memory)", async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `Event${i}`);
    const side = new MemorySide("m", { countly: { apps: [{ _id: APP, name: "Shop" }], events: [{ _id: APP, list: keys }] } });
    expect((await readCatalog(side, ["apps", "events", "events_data"], new MemoryBudget(1000))).legacy.size).toBe(0);
    const legacy = ["apps", "events", `events${eventHash("Event0", APP)}`];
    expect((await readCatalog(side, legacy)).legacy.size).toBe(50);
    await expect(readCatalog(side, legacy, new MemoryBudget(5000))).rejects.toThrow(/the event lists \(countly\.events\) grew to \d+ event keys.*--app/);
  });

  it("compare per app, event and month, listing apps of either side", () => {
    const b = new TotalsTable();
    const a = new TotalsTable();
    b.add(APP, "Buy", "2024:3", 5);
    b.add(APP, "Buy", "2024:10", 1);
    b.add(APP, "Login", "2024:3", 2);
    a.add(APP, "Buy", "2024:3", 10);
    a.add(APP, "Login", "2024:3", 2);
    a.add("other", "X", "2024:1", 1);
    const out = compareTotals(b, a, [APP, "empty"]);
    expect(out.map((x) => x.app)).toEqual([APP, "empty", "other"]);
    expect(out[0]).toEqual({
      app: APP,
      compared: 3,
      before: 8,
      after: 12,
      differences: [
        { event: "Buy", month: "2024:3", before: 5, after: 10 },
        { event: "Buy", month: "2024:10", before: 1, after: 0 },
      ],
    });
    expect(out[1]).toEqual({ app: "empty", compared: 0, before: 0, after: 0, differences: [] });
    expect(displayMonth("2024:3")).toBe("2024-03");
  });

  it("read Decimal128 and Long counts as their numbers (issue 13)", () => {
    const t = new TotalsTable();
    const v = t.visitor("countly", "events_data", { apps: new Map(), legacy: new Map() });
    feed(t, v, [{ _id: "x1", a: APP, e: "Buy", s: "no-segment", m: "2024:3", d: { "1": { c: Decimal128.fromString("20") }, "2": { c: Long.fromNumber(3) } } }]);
    expect([...t.rows.get(APP)!]).toEqual([["Buy\u00002024:3", 23]]);
  });

  it("stop with a MemoryBudgetError naming the rows when the budget is spent (--max-memory)", () => {
    const t = new TotalsTable(new MemoryBudget(1000));
    const v = t.visitor("countly", "events_data", { apps: new Map(), legacy: new Map() });
    const docs = Array.from({ length: 20 }, (_, i) => ({ _id: `x${i}`, a: APP, e: `E${i}`, s: "no-segment", m: "2024:3", d: { "1": { c: 1 } } }));
    let err: unknown;
    try {
      feed(t, v, docs);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MemoryBudgetError);
    expect((err as Error).message).toMatch(/the event totals grew to 7 rows.*--app/);
  });
});
