// The event-side facts computed from generated datasets (the same collectors a dump uses):
// both layouts give the same facts for the same data, and the odd shapes real databases
// hold (unlisted events, dotted keys, old all_key shapes, bson numbers, broken counters)
// come out as documented in runner/facts/types.ts.
import { Decimal128, Long, ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { eventHash, md5Postfix, sha1Hex } from "../../../countly/hash.ts";
import { legacyEventsCollection } from "../../../countly/ids.ts";
import type { Period } from "../../../countly/time.ts";
import { cloneDeep } from "../../../fixtures/clone.ts";
import type { Dataset, Doc } from "../../../fixtures/dataset.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import type { FactName, FactValues } from "../../../runner/facts/types.ts";
import { MAX_PROBLEMS_PER_COLLECTION } from "../../../runner/facts/dump/counter-problems.ts";
import { FixtureSource } from "../../../runner/sources/fixture-source.ts";
import { DumpSource } from "../../../runner/sources/dump/dump-source.ts";
import type { Source } from "../../../runner/sources/source.ts";
import { writeDump } from "../../../fixtures/dump-writer.ts";
import { applyCorruptions } from "../../../fixtures/corruptions.ts";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SEED = 31337;
console.log(`event-side facts: dataset seed ${SEED}`);

const EVENT_SIDE_FACTS: readonly FactName[] = ["eventHours", "allKeyTotals", "eventCatalog", "segmentMeta", "counterProblems"];

async function allFacts(source: Source, period: Period = {}) {
  const basics = await source.open();
  return source.computeFacts(new Map(EVENT_SIDE_FACTS.map((f) => [f, {}])), { apps: basics.apps, period, layout: basics.layout, databases: basics.databases });
}

async function facts<K extends FactName>(ds: Dataset, fact: K, period: Period = {}, apps?: string[]): Promise<FactValues[K]> {
  const source = new FixtureSource(ds);
  const basics = await source.open();
  const scopeApps = apps ? basics.apps.filter((a) => apps.includes(a.id)) : basics.apps;
  const out = await source.computeFacts(new Map([[fact, {}]]), { apps: scopeApps, period, layout: basics.layout, databases: basics.databases });
  const outcome = out[fact]!;
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.value as FactValues[K];
}

// No event_limit config: the API and the aggregator apply the limit differently (countly/profile.ts).
const current = generateDataset(SEED, { layout: "current", apps: 2, eventLimits: false });
const legacy = generateDataset(SEED, { layout: "legacy", apps: 2, eventLimits: false });
const app = current.apps[0]!.id;
const countlyOf = (ds: Dataset) => ds.databases.countly!;
const eventsDoc = (ds: Dataset, id = app) => countlyOf(ds).events!.find((d) => String(d._id) === id)!;
const firstKey = (ds: Dataset) => (eventsDoc(ds).list as string[])[0]!;
const withoutDoc = <T extends { doc: string }>(rows: T[]) => rows.map(({ doc: _d, ...r }) => r);

describe("event-side facts: the same in both layouts", () => {
  it("eventHours, segmentMeta and the event catalog agree between the current and the legacy layout", async () => {
    expect(current.apps).toEqual(legacy.apps);
    const hours = await facts(current, "eventHours");
    expect(hours.rows.length).toBeGreaterThan(0);
    expect(withoutDoc((await facts(legacy, "eventHours")).rows)).toEqual(withoutDoc(hours.rows));
    for (const r of hours.rows) expect(r.hours).toEqual({ c: r.c, s: expect.closeTo(r.s, 6), dur: expect.closeTo(r.dur, 6) });

    const meta = await facts(current, "segmentMeta");
    expect(meta.seen.length).toBeGreaterThan(0);
    // Day-like values differ by writer: the API keeps raw "1".."31" as [CLY]<n> (events.js 051870e),
    // processEventFromStream skips them (usage.js 63d5a9b9); everything else agrees.
    const dayLike = (v: string) => /^\[CLY\]\d+$/.test(v);
    const legacyMeta = await facts(legacy, "segmentMeta");
    const plain = <T extends { value: string }>(rows: T[]) => rows.filter((r) => !dayLike(r.value));
    expect({ seen: plain(legacyMeta.seen), meta: plain(legacyMeta.meta) }).toEqual({ seen: plain(meta.seen), meta: plain(meta.meta) });
    const values = (rows: { key: string; segment: string; value: string }[]) => new Set(rows.filter((r) => dayLike(r.value)).map((r) => `${r.key}|${r.segment}|${r.value}`));
    for (const v of values(meta.seen)) expect(values(legacyMeta.seen).has(v), v).toBe(true);
    for (const s of meta.seen) expect(s.postfix).toBe(md5Postfix(s.value));

    const catCurrent = await facts(current, "eventCatalog");
    const catLegacy = await facts(legacy, "eventCatalog");
    expect(catLegacy.apps).toEqual(catCurrent.apps);
    const keyed = (rows: { app: string; key: string; docs: number; monthDocs: number }[]) => rows.map(({ app: a, key, docs, monthDocs }) => ({ app: a, key, docs, monthDocs }));
    // The same events; the legacy layout may hold more documents per event: its [CLY]<n> segment values.
    const legacyData = keyed(catLegacy.data.filter((d) => !d.key.startsWith("[CLY]_")));
    const currentData = keyed(catCurrent.data);
    expect(legacyData.map((d) => `${d.app}|${d.key}`)).toEqual(currentData.map((d) => `${d.app}|${d.key}`));
    legacyData.forEach((d, i) => expect(d.docs >= currentData[i]!.docs && d.monthDocs >= currentData[i]!.monthDocs, d.key).toBe(true));
    expect(catCurrent.drill).toEqual([]);
    expect(catLegacy.drill.filter((d) => !d.key.startsWith("[CLY]_")).map((d) => d.key)).toEqual(catCurrent.data.map((d) => d.key));
    expect([catCurrent.unresolved, catLegacy.unresolved]).toEqual([[], []]);
  });

  it("eventHours and the all_key totals are limited to the period", async () => {
    const period = { from: "2024-10-25", to: "2024-10-27" };
    const rows = (await facts(current, "eventHours", period)).rows;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.day >= period.from && r.day <= period.to)).toBe(true);
    const all = await facts(current, "allKeyTotals", period);
    expect(all.rows.every((r) => r.day >= period.from && r.day <= period.to)).toBe(true);
    expect(all.months.length).toBeGreaterThan(0);
  });
});

describe("event-side facts from a dump", () => {
  for (const [layout, corruption] of [["current", "counters-corrupted"], ["legacy", "counters-corrupted"], ["current", "event-missing-from-list"], ["legacy", "event-missing-from-list"]] as const) {
    it(`equal the in-memory dataset's (${layout}, ${corruption}: BSON NaN, strings and unlisted events survive the dump)`, async () => {
      const ds = applyCorruptions(layout === "current" ? current : legacy, [corruption]);
      const dir = await mkdtemp(join(tmpdir(), "cc-event-facts-"));
      await writeDump(ds, dir);
      const period = { from: "2024-10-22", to: "2024-11-30" };
      const fromDump = await allFacts(new DumpSource(dir), period);
      const fromMemory = await allFacts(new FixtureSource(ds), period);
      for (const f of EVENT_SIDE_FACTS) expect(fromDump[f]?.ok, f).toBe(true);
      expect(fromDump).toEqual(fromMemory);
    });
  }
});

describe("allKeyTotals", () => {
  it("sums each event's all_key counters per day (current layout), and reports the legacy layout as such", async () => {
    const all = await facts(current, "allKeyTotals");
    const totals = (await facts(current, "eventAggregates")).totals;
    expect(all.layout).toBe("current");
    expect(all.rows.map(({ app: a, key, day, c }) => ({ a, key, day, c }))).toEqual(totals.map(({ app: a, key, day, c }) => ({ a, key, day, c })));
    expect(await facts(legacy, "allKeyTotals")).toEqual({ layout: "legacy", rows: [], months: [] });
  });

  it("follows dotted event keys back through their nesting, and leaves out days in the old per-event shape", async () => {
    const ds = cloneDeep(current);
    const id = `${app}_all_key_2024:10_${md5Postfix("a.b")}`;
    countlyOf(ds).events_data!.push(
      { _id: id, a: app, e: "all", s: "key", m: "2024:10", d: { "5": { a: { b: { c: 2, s: 1.5 } }, "x.y": { c: 1 } } } },
      // api/aggregator/usage.js at 091d42b incremented all_key docs with the per-event object:
      { _id: `${app}_all_key_2024:9_Q`, a: app, e: "all", s: "key", m: "2024:9", d: { "30": { c: 4, "13": { c: 4 } } } },
    );
    const all = await facts(ds, "allKeyTotals");
    expect(all.rows.filter((r) => r.day === "2024-10-05" && ["a.b", "x.y"].includes(r.key))).toEqual([
      { app, key: "a.b", day: "2024-10-05", c: 2, s: 1.5, dur: 0 },
      { app, key: "x.y", day: "2024-10-05", c: 1, s: 0, dur: 0 },
    ]);
    expect(all.rows.some((r) => r.day === "2024-09-30")).toBe(false);
    expect(all.months).toContainEqual({ app, month: "2024:9" });
  });
});

describe("eventCatalog", () => {
  it("legacy: resolves an events<hash> collection of an event missing from the list through the other places countly.events names it", async () => {
    const ds = cloneDeep(legacy);
    const doc = eventsDoc(ds);
    const key = (doc.list as string[]).find((k) => (doc.segments as Record<string, string[]>)[k]?.length)!;
    doc.list = (doc.list as string[]).filter((k) => k !== key);
    const cat = await facts(ds, "eventCatalog");
    expect(cat.apps.find((e) => e.app === app)!.list).not.toContain(key);
    expect(cat.data).toContainEqual(expect.objectContaining({ app, key, collection: `countly.${legacyEventsCollection(app, key)}` }));
    expect(cat.drill).toContainEqual({ app, key, collection: `countly_drill.drill_events${eventHash(key, app)}` });
    expect(cat.unresolved).toEqual([]);
  });

  it("legacy: names hashed collections no key resolves, but not those of apps outside the run's scope", async () => {
    const ds = cloneDeep(legacy);
    const stray = `events${sha1Hex("nobody knows")}`;
    countlyOf(ds)[stray] = [{ _id: "no-segment_2024:10", m: "2024:10", s: "no-segment", d: { "1": { c: 1 } } }];
    expect((await facts(ds, "eventCatalog")).unresolved).toEqual([`countly.${stray}`]);
    const other = ds.apps[1]!.id;
    const only = await facts(ds, "eventCatalog", {}, [app]);
    expect(only.unresolved).toEqual([`countly.${stray}`]);
    expect(only.data.every((d) => d.app === app)).toBe(true);
    expect(only.apps.map((e) => e.app)).toEqual([app]);
    expect(other).not.toBe(app);
  });

  it("current: counts documents per app and event key from events_data, leaving out the all-events documents", async () => {
    const cat = await facts(current, "eventCatalog");
    const key = firstKey(current);
    const docs = countlyOf(current).events_data!.filter((d) => d.a === app && d.e === key);
    expect(cat.data).toContainEqual({ app, key, collection: "countly.events_data", docs: docs.length, monthDocs: docs.filter((d) => !String(d.m).endsWith(":0")).length });
    expect(cat.data.some((d) => d.key === "all")).toBe(false);
  });
});

describe("counterProblems", () => {
  it("finds non-numbers in events, users, sources, metric and views documents, naming collection, _id, path and day", async () => {
    const ds = cloneDeep(current);
    const c = countlyOf(ds);
    const user = c.users!.find((d) => d.a === app && !String(d.m).endsWith(":0"))!;
    const userDay = Object.keys(user.d as object)[0]!;
    (user.d as Record<string, Doc>)[userDay]!.t = "7";
    const zero = c.users!.find((d) => d.a === app && String(d.m).endsWith(":0"))!;
    (zero.d as Doc).u = null;
    const source = c.sources!.find((d) => String(d._id).startsWith(app) && !String(d.m).endsWith(":0"))!;
    const sourceDay = Object.keys(source.d as object)[0]!;
    const value = Object.keys((source.d as Record<string, Doc>)[sourceDay]!)[0]!;
    ((source.d as Record<string, Record<string, Doc>>)[sourceDay]![value]!).t = -3;
    const view = c.app_viewdata!.find((d) => String(d._id).startsWith(app) && !String(d.m).endsWith(":0"))!;
    const viewDay = Object.keys(view.d as object)[0]!;
    (view.d as Record<string, Doc>)[viewDay]!.t = NaN;
    c.devices = [{ _id: `${app}_2024:10_x`, a: app, m: "2024:10", d: { "21": { iPhone: { t: Long.fromNumber(3), n: Decimal128.fromString("-1"), u: Decimal128.fromString("2") } }, "22": { Pixel: { t: [1] } } } }];

    const fact = await facts(ds, "counterProblems");
    const mine = fact.rows.filter((r) => r.app === app);
    const day = (m: unknown, k: string) => `${String(m).slice(0, 4)}-${String(String(m).split(":")[1]).padStart(2, "0")}-${k.padStart(2, "0")}`;
    expect(mine).toHaveLength(6);
    expect(mine).toEqual(expect.arrayContaining([
      { app, kind: "metrics", collection: "countly.devices", id: `${app}_2024:10_x`, path: "d.21.iPhone.n", value: "Decimal128(-1)", problem: "negative", period: "2024:10", day: "2024-10-21" },
      { app, kind: "metrics", collection: "countly.devices", id: `${app}_2024:10_x`, path: "d.22.Pixel.t", value: "[1]", problem: "array", period: "2024:10", day: "2024-10-22" },
      { app, kind: "sources", collection: "countly.sources", id: String(source._id), path: `d.${sourceDay}.${value}.t`, value: "-3", problem: "negative", period: source.m, day: day(source.m, sourceDay) },
      expect.objectContaining({ kind: "users", collection: "countly.users", id: String(user._id), path: `d.${userDay}.t`, value: '"7"', problem: "string", day: day(user.m, userDay) }),
      { app, kind: "users", collection: "countly.users", id: String(zero._id), path: "d.u", value: "null", problem: "null", period: zero.m },
      expect.objectContaining({ kind: "views", collection: "countly.app_viewdata", id: String(view._id), path: `d.${viewDay}.t`, value: "NaN", problem: "NaN" }),
    ]));
    // Sorted by kind, collection, _id, path.
    expect(mine.map((r) => r.kind)).toEqual(["metrics", "metrics", "sources", "users", "users", "views"]);
    expect(fact.scanned.filter((s) => s.app === app).map((s) => s.kind)).toEqual(["events", "metrics", "sources", "users", "views"]);
    expect(fact.omitted).toEqual([]);
    // Outside the period, month documents' days and year documents' years are left out.
    const late = await facts(ds, "counterProblems", { from: "2025-01-01" });
    expect(late.rows).toEqual([]);
  });

  it("legacy views and events collections are read and attributed too", async () => {
    const ds = cloneDeep(legacy);
    const c = countlyOf(ds);
    const viewColl = `app_viewdata${sha1Hex(app)}`;
    const view = c[viewColl]!.find((d) => !String(d.m).endsWith(":0"))!;
    const viewDay = Object.keys(view.d as object)[0]!;
    (view.d as Record<string, Doc>)[viewDay]!.t = "1";
    const eventColl = legacyEventsCollection(app, firstKey(ds));
    const month = c[eventColl]!.find((d) => d.s === "no-segment" && !String(d.m).endsWith(":0"))!;
    const d0 = Object.keys(month.d as object)[0]!;
    (month.d as Record<string, Doc>)[d0]!.c = Infinity;
    const rows = (await facts(ds, "counterProblems")).rows;
    expect(rows.map((r) => [r.kind, r.collection, r.path, r.problem])).toEqual([
      ["events", `countly.${eventColl}`, `d.${d0}.c`, "infinite"],
      ["views", `countly.${viewColl}`, `d.${viewDay}.t`, "string"],
    ]);
  });

  it("lists the first problems per app and collection and counts the rest", async () => {
    const ds = cloneDeep(current);
    const many: Record<string, Doc> = {};
    for (let i = 0; i < MAX_PROBLEMS_PER_COLLECTION + 50; i++) many[`v${i}`] = { t: "x" };
    countlyOf(ds).carriers = [{ _id: `${app}_2024:10_z`, a: app, m: "2024:10", d: { "21": many } }];
    const fact = await facts(ds, "counterProblems");
    expect(fact.rows.filter((r) => r.collection === "countly.carriers")).toHaveLength(MAX_PROBLEMS_PER_COLLECTION);
    expect(fact.omitted).toEqual([{ app, kind: "metrics", collection: "countly.carriers", problem: "string", count: 50 }]);
  });

  it("keeps negative event sums apart from real damage, with their own cap", async () => {
    const ds = cloneDeep(current);
    const doc = countlyOf(ds).events_data!.find((d) => d.a === app && d.s === "no-segment" && !String(d.m).endsWith(":0"))!;
    const day = Object.keys(doc.d as object)[0]!;
    const node = (doc.d as Record<string, Doc>)[day]!;
    node.s = -5;
    node.c = -1;
    const rows = (await facts(ds, "counterProblems")).rows.filter((r) => r.id === String(doc._id));
    expect(rows.map((r) => [r.path, r.problem])).toEqual([
      [`d.${day}.c`, "negative"],
      [`d.${day}.s`, "negative sum"],
    ]);
  });

  it("reads ObjectId _ids as hex", async () => {
    const ds = cloneDeep(current);
    const oid = new ObjectId();
    countlyOf(ds).cities = [{ _id: oid, a: app, m: "2024:10", d: { "21": { Berlin: { t: false } } } }];
    const rows = (await facts(ds, "counterProblems")).rows.filter((r) => r.collection === "countly.cities");
    expect(rows).toEqual([expect.objectContaining({ id: oid.toHexString(), problem: "boolean", day: "2024-10-21" })]);
  });
});
