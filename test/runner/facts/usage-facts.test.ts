// The session, view, source, aggregator and collection facts computed from generated
// datasets: they agree with the raw data the generator wrote, are the same in both
// layouts where Countly's data means the same, are the same read from a dump, and read
// the odd shapes real databases hold as documented in runner/facts/types.ts.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { md5Hex } from "../../../countly/hash.ts";
import { fixtureCollectionUuid } from "../../../fixtures/collection-uuids.ts";
import { dayOf, type Period } from "../../../countly/time.ts";
import { cloneDeep } from "../../../fixtures/clone.ts";
import type { Dataset } from "../../../fixtures/dataset.ts";
import { writeDump } from "../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import type { FactName, FactParams, FactValues } from "../../../runner/facts/types.ts";
import { DumpSource } from "../../../runner/sources/dump/dump-source.ts";
import { FixtureSource } from "../../../runner/sources/fixture-source.ts";
import type { Source } from "../../../runner/sources/source.ts";
import { rawDocs } from "../../fixtures/reference.ts";

const SEED = 27182;
console.log(`session/view/source facts: dataset seed ${SEED}`);

const USAGE_FACTS: FactName[] = ["sessionAggregates", "rawTail", "viewVisits", "sourceMeta", "rawInserts", "changeStreams", "collectionCounts"];

async function computeAll(source: Source, facts: readonly FactName[], params: FactParams = {}, period: Period = {}): Promise<Partial<FactValues>> {
  const basics = await source.open();
  const out = await source.computeFacts(new Map(facts.map((f) => [f, params])), { apps: basics.apps, period, layout: basics.layout, databases: basics.databases });
  const values: Record<string, unknown> = {};
  for (const f of facts) {
    const o = out[f]!;
    if (!o.ok) throw new Error(o.error);
    values[f] = o.value;
  }
  return values as Partial<FactValues>;
}

async function fact<K extends FactName>(ds: Dataset, name: K, params: FactParams = {}, period: Period = {}): Promise<FactValues[K]> {
  return (await computeAll(new FixtureSource(ds), [name], params, period))[name]!;
}

const current = generateDataset(SEED, { layout: "current", apps: 2 });
const legacy = generateDataset(SEED, { layout: "legacy", apps: 2 });
const tzOf = (ds: Dataset) => new Map(ds.apps.map((a) => [a.id, a.timezone]));
const cdOf = (d: { doc: Record<string, unknown> }) => (d.doc.cd as Date).getTime();

describe("session, view and source aggregates", () => {
  it("sessionAggregates: d.<day>.t summed over the postfix documents equals the raw sessions, in both layouts", async () => {
    const s = await fact(current, "sessionAggregates");
    expect(s.days.length).toBeGreaterThan(0);
    expect(await fact(legacy, "sessionAggregates")).toEqual(s);
    const tz = tzOf(current);
    const raw = new Map<string, number>();
    for (const r of rawDocs(current)) if (r.key === "[CLY]_session") raw.set(`${r.app}|${dayOf(tz.get(r.app)!, Number(r.doc.ts))}`, (raw.get(`${r.app}|${dayOf(tz.get(r.app)!, Number(r.doc.ts))}`) ?? 0) + 1);
    expect(new Map(s.days.map((d) => [`${d.app}|${d.day}`, d.t]))).toEqual(raw);
    expect(s.days.some((d) => d.docs > 1)).toBe(true); // a day split over several device-id postfixes
  });

  it("sessionAggregates: reads ids without a postfix and days with only hourly counters, and honours the period", async () => {
    const ds = cloneDeep(current);
    const app = ds.apps[0]!.id;
    ds.databases.countly!.users = [
      { _id: `${app}_2024:10`, a: app, m: "2024:10", d: { "27": { t: 2, "3": { t: 2 } } } },
      { _id: `${app}_2024:10_x`, a: app, m: "2024:10", d: { "27": { "3": { t: 1 }, "4": { t: 4 }, DE: { t: 5 } }, "28": { t: 1 } } },
      { _id: `${app}_2024:0_x`, a: app, m: "2024:0", d: { "10": { u: 3 } } },
    ];
    expect((await fact(ds, "sessionAggregates")).days.filter((d) => d.app === app)).toEqual([
      { app, day: "2024-10-27", t: 7, docs: 2 },
      { app, day: "2024-10-28", t: 1, docs: 1 },
    ]);
    expect((await fact(ds, "sessionAggregates", {}, { from: "2024-10-28" })).days.map((d) => d.day)).toEqual(["2024-10-28"]);
  });

  it("viewVisits: visits per view equal the raw visits; current ids are md5(name), legacy ids are named by app_viewsmeta<appId>", async () => {
    const cur = await fact(current, "viewVisits");
    const leg = await fact(legacy, "viewVisits");
    for (const d of cur.days) expect(d.viewId).toBe(md5Hex(d.view!));
    for (const d of leg.days) expect(d.viewId).toMatch(/^[0-9a-f]{24}$/);
    const byName = (f: FactValues["viewVisits"]) => new Map(f.days.map((d) => [`${d.app}|${d.view}|${d.day}`, d.visits]));
    expect(byName(leg)).toEqual(byName(cur));
    const rawViews = await fact(current, "rawViews");
    expect(byName(cur)).toEqual(new Map(rawViews.map((r) => [`${r.app}|${r.view}|${r.day}`, r.visits])));
    const names = (f: FactValues["viewVisits"]) => f.meta.map((m) => `${m.app}|${m.view}`).sort();
    expect(names(leg)).toEqual(names(cur));
    expect(new Set(names(cur))).toEqual(new Set(rawViews.map((r) => `${r.app}|${r.view}`)));
  });

  it("viewVisits: without the view list, legacy data keeps its ids unnamed while current data is named by `n`", async () => {
    const strip = (ds: Dataset) => {
      const out = cloneDeep(ds);
      for (const name of Object.keys(out.databases.countly!)) if (name.startsWith("app_viewsmeta")) out.databases.countly![name] = [];
      return out;
    };
    expect((await fact(strip(current), "viewVisits")).days.every((d) => d.view !== undefined)).toBe(true);
    const leg = await fact(strip(legacy), "viewVisits");
    expect(leg.meta).toEqual([]);
    expect(leg.days.length).toBeGreaterThan(0);
    expect(leg.days.every((d) => d.view === undefined)).toBe(true);
  });

  it("sourceMeta lists every source the month documents hold, per year, in both layouts", async () => {
    const meta = await fact(current, "sourceMeta");
    expect(await fact(legacy, "sourceMeta")).toEqual(meta);
    const listed = new Set(meta.values.map((v) => `${v.app}|${v.year}|${v.source}`));
    const sources = await fact(current, "sourceAggregates");
    expect(sources.days.length).toBeGreaterThan(0);
    for (const d of sources.days) expect(listed.has(`${d.app}|${d.day.slice(0, 4)}|${d.source}`), `${d.app} ${d.source}`).toBe(true);
    // The ingestor's dbEncoded store names are kept as they are.
    expect(meta.values.every((v) => !v.source.includes("."))).toBe(true);
  });
});

describe("raw inserts, the tail and the aggregator's tokens", () => {
  it("rawInserts: documents, sourced sessions and the newest cd per app and kind, the same in both layouts", async () => {
    const cur = await fact(current, "rawInserts", { tailMinutes: 5 });
    expect(await fact(legacy, "rawInserts", { tailMinutes: 5 })).toEqual(cur);
    const docs = rawDocs(current);
    const kindOf = (key: string) => (key.startsWith("[CLY]_") ? key : "[CLY]_custom");
    for (const row of cur.rows) {
      const mine = docs.filter((d) => d.app === row.app && kindOf(d.key) === row.e);
      expect(row.docs).toBe(mine.length);
      expect(row.maxCd).toBe(Math.max(...mine.map(cdOf)));
      expect(row.withSource).toBe(row.e === "[CLY]_session" ? mine.filter((d) => (d.doc.up as { src?: string }).src).length : 0);
      // Newest before the window, and per minute within it.
      const cutoff = cur.maxCdMinute! - 5;
      const settled = mine.map(cdOf).filter((cd) => Math.floor(cd / 60000) <= cutoff);
      expect(row.settledMaxCd).toBe(settled.length ? Math.max(...settled) : undefined);
      for (const b of row.tail) expect(b.minute).toBeGreaterThan(cutoff);
    }
    expect(cur.maxCdMinute).toBe(Math.floor(Math.max(...docs.map(cdOf)) / 60000));
  });

  it("rawTail: the session and view documents of the last minutes, the same in both layouts and from the raw documents", async () => {
    const tail = await fact(current, "rawTail", { tailMinutes: 60 });
    expect(await fact(legacy, "rawTail", { tailMinutes: 60 })).toEqual(tail);
    const docs = rawDocs(current);
    const maxMinute = Math.floor(Math.max(...docs.map(cdOf)) / 60000);
    expect(tail.maxCdMinute).toBe(maxMinute);
    const expected = docs.filter((d) => (d.key === "[CLY]_session" || d.key === "[CLY]_view") && Math.floor(cdOf(d) / 60000) >= maxMinute - 60);
    expect(tail.rows.reduce((n, r) => n + r.docs, 0)).toBe(expected.length);
    expect(tail.rows.filter((r) => r.e === "[CLY]_view").reduce((n, r) => n + r.visits, 0)).toBe(expected.filter((d) => d.key === "[CLY]_view").length);
    expect((await fact(current, "rawTail", { tailMinutes: 0 })).rows.every((r) => r.minute === maxMinute)).toBe(true);
  });

  it("changeStreams: one entry per consumer in the current layout, pointing at its newest raw insert; none in the legacy layout", async () => {
    const cs = await fact(current, "changeStreams");
    expect(cs.present).toBe(true);
    expect(cs.drillLayout).toBe("current");
    expect(cs.tokens.map((t) => t.consumer)).toEqual(["drill-meta", "event-aggregator", "session-ingestion", "views-insert"]);
    const docs = rawDocs(current);
    const newest = (keep: (key: string) => boolean) => Math.max(...docs.filter((d) => keep(d.key)).map(cdOf));
    const expected = {
      "drill-meta": newest(() => true),
      "event-aggregator": newest((k) => !k.startsWith("[CLY]_")),
      "session-ingestion": newest((k) => k === "[CLY]_session"),
      "views-insert": newest((k) => k === "[CLY]_view"),
    };
    // 25.x: session-ingestion's bare $match leaves its entry without cd (changeStreamReader.js 04c2a351); only views-insert projects __id.
    expect(Object.fromEntries(cs.tokens.map((t) => [t.consumer, t.cd]))).toEqual({ ...expected, "session-ingestion": undefined });
    expect(cs.tokens.filter((t) => t.id !== undefined).map((t) => t.consumer)).toEqual(["views-insert"]);
    // Every token is a real-format resume token of this server's drill_events, at its document's insertion second.
    expect(cs.drillEvents).toEqual({ uuid: fixtureCollectionUuid("drill_events"), from: "the fixture server's countly_drill.drill_events" });
    for (const t of cs.tokens) {
      expect(t.hasToken).toBe(true);
      expect(t.resume).toEqual({ clusterTime: { t: Math.floor(expected[t.consumer as keyof typeof expected] / 1000), i: 1 }, version: 2, tokenType: 128, txnOpIndex: 0, fromInvalidate: false, uuid: fixtureCollectionUuid("drill_events") });
    }
    expect(await fact(legacy, "changeStreams")).toEqual({ drillLayout: "legacy", present: false, tokens: [] });
  });

  it("changeStreams: reads the polling fallback's \"timed\" tokens, dates as strings, ObjectId ids and entries without a token", async () => {
    const ds = cloneDeep(current);
    const id = new ObjectId("65f0a1b2c3d4e5f6a7b8c9d0");
    ds.databases.countly!.plugins = [
      { _id: "plugins", plugins: {} },
      { _id: "_changeStreams", "views-insert": { token: "timed", cd: "2024-11-01T10:00:00.000Z", _id: id }, crashes: { cd: new Date(5) }, broken: "x" },
    ];
    expect((await fact(ds, "changeStreams")).tokens).toEqual([
      { consumer: "broken", hasToken: false },
      { consumer: "crashes", hasToken: false, cd: 5 },
      { consumer: "views-insert", hasToken: true, cd: Date.parse("2024-11-01T10:00:00.000Z"), id: "65f0a1b2c3d4e5f6a7b8c9d0" },
    ]);
  });

  it("collectionCounts: every counted collection's documents, and the collections each database lists", async () => {
    for (const ds of [current, legacy]) {
      const cc = await fact(ds, "collectionCounts");
      expect(cc.layout).toEqual({ events: ds.layout, drill: ds.layout, views: ds.layout });
      expect(cc.present).toEqual({ countly: Object.keys(ds.databases.countly!).sort(), countly_drill: Object.keys(ds.databases.countly_drill!).sort() });
      for (const c of cc.counts) expect(c.docs).toBe(ds.databases[c.db]![c.name]!.length);
      const counted = cc.counts.map((c) => c.name);
      expect(counted).toEqual(expect.arrayContaining(["apps", "events", "users", "sources", "plugins"]));
      expect(counted.some((n) => n.startsWith("app_viewdata"))).toBe(true);
      // The raw collections; drill_meta (fact drillMeta) is not counted.
      expect(cc.counts.filter((c) => c.db === "countly_drill").length).toBe(Object.keys(ds.databases.countly_drill!).filter((n) => n !== "drill_meta").length);
    }
  });
});

describe("the same facts from a dump", () => {
  for (const layout of ["current", "legacy"] as const) {
    it(`DumpSource computes the same session, view, source, aggregator and collection facts as the in-memory dataset (${layout})`, async () => {
      const ds = layout === "current" ? current : legacy;
      const dir = await mkdtemp(join(tmpdir(), "cc-usage-"));
      await writeDump(ds, dir);
      const params = { tailMinutes: 30 };
      const fromDump = await computeAll(new DumpSource(dir), USAGE_FACTS, params);
      const fromFixture = await computeAll(new FixtureSource(ds), USAGE_FACTS, params);
      // The same drill_events UUID, read from the dump's metadata.json instead of known from the fixture server.
      const uuidSource = (facts: typeof fromDump) => (facts.changeStreams as { drillEvents?: { from?: string } }).drillEvents?.from;
      if (layout === "current") expect([uuidSource(fromDump), uuidSource(fromFixture)]).toEqual([join(dir, "dump/countly_drill/drill_events.metadata.json"), "the fixture server's countly_drill.drill_events"]);
      for (const f of [fromDump, fromFixture]) delete (f.changeStreams as { drillEvents?: { from?: string } }).drillEvents?.from;
      expect(fromDump).toEqual(fromFixture);
    });
  }
});
