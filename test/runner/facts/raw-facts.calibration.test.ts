// The budget's charges of the raw facts other than rawEvents (drillMeta, drillMetaDocs,
// rawViews, rawSessions) against the bytes their values really hold, measured on the real
// collectors (FixtureSource: the dump's collectors over documents in memory): a generated
// app whose raw data grows in the one dimension each fact keeps a row per, and each charge
// within a factor of 2 of the measured bytes per row (memory-budget.ts), so a post-restore
// run that needs more than --max-memory stops naming the fact instead of passing at twice
// the memory it was allowed.
import { describe, expect, it } from "vitest";
import { DB } from "../../../fixtures/dataset.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import { MemoryBudget } from "../../../runner/facts/memory-budget.ts";
import type { FactName } from "../../../runner/facts/types.ts";
import { FixtureSource } from "../../../runner/sources/fixture-source.ts";
import { heldAfter } from "../../support/heap-bytes.ts";

const seed = 20261202;
const N = 20_000;
const T0 = Date.parse("2024-10-20T12:00:00Z");
const DAY = 86_400_000;
const pad = (i: number) => String(i).padStart(7, "0");

/** The fact's bytes held per row and its charge per row, on one app whose raw documents are `docs(app)`. */
async function perRow(fact: FactName, drill: { events?: (app: string) => object[]; meta?: (app: string) => object[] }, rows: (value: never) => number) {
  const ds = generateDataset(seed, { apps: 1, rawEvents: 10 });
  const app = ds.apps[0]!.id;
  const db = ds.databases[DB.drill]!;
  if (drill.events) db.drill_events = drill.events(app) as never;
  if (drill.meta) db.drill_meta = drill.meta(app) as never;
  const source = new FixtureSource(ds);
  const basics = await source.open();
  const budget = new MemoryBudget(64 * 1024 ** 3);
  const { bytes, value } = await heldAfter(() => source.computeFacts(new Map([[fact, { tailMinutes: 5 }]]), { apps: basics.apps, period: {}, layout: basics.layout, databases: basics.databases, allApps: true, budget }));
  const outcome = value[fact]!;
  if (!outcome.ok) throw new Error(outcome.error);
  const n = rows(outcome.value as never);
  console.log(`${fact}: ${n} rows, bytes per row ${(bytes / n).toFixed(1)}, charged per row ${(budget.usedBytes / n).toFixed(1)}`);
  return { n, measured: bytes / n, charged: budget.usedBytes / n };
}

function expectWithin2(charge: number, measured: number): void {
  expect(charge).toBeGreaterThanOrEqual(measured / 2);
  expect(charge).toBeLessThanOrEqual(measured * 2);
}

describe("memory budget charges of the other raw facts vs the bytes their values hold", () => {
  it("drillMeta: a row per app, drill_meta key and segment key", async () => {
    const r = await perRow("drillMeta", { events: (a) => Array.from({ length: N }, (_, i) => ({ _id: `d${i}`, a, e: "[CLY]_custom", n: `Event ${pad(i)}`, ts: T0 + i * 1000, cd: new Date(T0 + i * 1000), sg: { method: "card" }, c: 1 })) }, (v: { seen: unknown[] }) => v.seen.length);
    expect(r.n).toBe(2 * N);
    expectWithin2(r.charged, r.measured);
  });

  it("drillMetaDocs: a document of countly_drill.drill_meta, with its segment keys", async () => {
    const r = await perRow("drillMetaDocs", { meta: (a) => Array.from({ length: N }, (_, i) => ({ _id: `${a}_meta_${pad(i)}${"0".repeat(33)}`, app_id: a, e: `Event ${pad(i)}`, type: "e", sg: { method: { type: "s" }, plan: { type: "s" } } })) }, (v: { docs: unknown[] }) => v.docs.length);
    expect(r.n).toBe(N);
    expectWithin2(r.charged, r.measured);
  });

  it("rawViews: a row per app, view and day", async () => {
    const r = await perRow("rawViews", { events: (a) => Array.from({ length: N }, (_, i) => ({ _id: `v${i}`, a, e: "[CLY]_view", n: `View ${pad(i)}`, ts: T0 + i * 1000, cd: new Date(T0 + i * 1000), sg: { name: `View ${pad(i)}`, visit: 1 }, c: 1 })) }, (v: unknown[]) => v.length);
    expect(r.n).toBe(N);
    expectWithin2(r.charged, r.measured);
  });

  it("rawSessions: a row per app and day", async () => {
    const r = await perRow("rawSessions", { events: (a) => Array.from({ length: N }, (_, i) => ({ _id: `s${i}`, a, e: "[CLY]_session", n: "[CLY]_session", ts: T0 + i * DAY, cd: new Date(T0 + i * DAY), up: { src: "Direct" }, c: 1 })) }, (v: unknown[]) => v.length);
    expect(r.n).toBe(N);
    expectWithin2(r.charged, r.measured);
  });
});

describe("a budget the other raw facts pass", () => {
  it("stops the scan naming the fact and what grew, with the same message on every run", async () => {
    const ds = generateDataset(seed, { apps: 1, rawEvents: 10 });
    const app = ds.apps[0]!.id;
    ds.databases[DB.drill]!.drill_events = Array.from({ length: 5_000 }, (_, i) => ({ _id: `d${i}`, a: app, e: "[CLY]_custom", n: `Event ${pad(i)}`, ts: T0 + i * 1000, cd: new Date(T0 + i * 1000), sg: { method: "card" }, c: 1 })) as never;
    const run = async () => {
      const source = new FixtureSource(ds);
      const basics = await source.open();
      // not room for drillMeta's 10,000 rows (a key and a segment row per document)
      const budget = new MemoryBudget(1024 * 1024);
      const r = await source.computeFacts(new Map([["drillMeta", {}]]), { apps: basics.apps, period: {}, layout: basics.layout, databases: basics.databases, allApps: true, budget });
      return r.drillMeta!.ok ? "passed" : r.drillMeta!.error;
    };
    const first = await run();
    expect(first).toMatch(/the data needs more memory than the budget of 1M \(--max-memory\): drillMeta grew to [\d,]+ app\/key\/segment rows\. Narrow the run with --app/);
    expect(await run()).toBe(first);
  });
});
