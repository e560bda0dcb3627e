// MongoSource through the real driver, against the wire double (or MONGODB_URI):
// what open() finds, facts equal to the dump's on generated and on deliberately odd
// data, read-only commands, pipeline shape, and the connection options.
import { Decimal128, Long, ObjectId } from "bson";
import { MongoClient } from "mongodb";
import { describe, expect, it } from "vitest";
import { eventHash, sha1Hex } from "../../../../countly/hash.ts";
import { legacyDrillCollection, legacyEventsCollection } from "../../../../countly/ids.ts";
import { INTERNAL_EVENTS } from "../../../../countly/layout.ts";
import type { Dataset, Doc } from "../../../../fixtures/dataset.ts";
import { DB } from "../../../../fixtures/dataset.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { DumpSource } from "../../../../runner/sources/dump/dump-source.ts";
import { clientOptions, DEFAULT_MAX_TIME_MS } from "../../../../runner/sources/mongo/connect.ts";
import { MongoSource } from "../../../../runner/sources/mongo/mongo-source.ts";
import { sourceFor } from "../../../../runner/sources/open.ts";
import { startMongoTarget } from "../../../support/mongo-target.ts";
import { ALL_FACTS, assertSameFacts, compute, dumpFacts, liveFacts, referenceFacts, ON_REAL_SERVER, renameDatabases, requestsFor, withDumpDir, withTarget } from "./support.ts";

/** Commands a read-only client may send (handshake, auth, catalog, reads, cursors, sessions). */
const READ_ONLY_COMMANDS = new Set([
  "hello",
  "ismaster",
  "isMaster",
  "ping",
  "buildInfo",
  "buildinfo",
  "getParameter",
  "listDatabases",
  "listCollections",
  "listIndexes",
  "find",
  "aggregate",
  "getMore",
  "killCursors",
  "count",
  "distinct",
  "endSessions",
  "saslStart",
  "saslContinue",
]);

describe("MongoSource.open", () => {
  for (const layout of ["current", "legacy"] as const) {
    it(`finds the apps, collections, event lists and the ${layout} layout like the dump source`, async () => {
      const ds = generateDataset(11, { layout, rawEvents: 60, apps: 3 });
      const dump = await withDumpDir(ds, async (dir) => {
        const s = new DumpSource(dir);
        try {
          return await s.open();
        } finally {
          await s.close();
        }
      });
      const live = await withTarget(ds, async (target, databases) => {
        const s = new MongoSource(target.uri, { databases });
        try {
          return await s.open();
        } finally {
          await s.close();
        }
      });
      expect(live.layout).toEqual({ events: layout, drill: layout, views: layout });
      expect(live.layout).toEqual(dump.layout);
      expect(live.apps).toEqual(dump.apps);
      expect(live.catalog.eventLists).toEqual(dump.catalog.eventLists);
      // Physical names carry the target's prefix on a real server: compare per logical database.
      expect(live.catalog.collections[live.databases.countly]).toEqual(dump.catalog.collections[DB.countly]);
      expect(live.catalog.collections[live.databases.drill]).toEqual(dump.catalog.collections[DB.drill]);
    });
  }

  it("is what sourceFor gives for a mongodb:// URI, described without credentials", async () => {
    const source = await sourceFor("mongodb://reader:pw-12345@db1.example:27017,db2.example/countly?replicaSet=rs0&authSource=admin");
    expect(source).toBeInstanceOf(MongoSource);
    expect(source.description).toBe("mongodb://db1.example:27017,db2.example");
    await source.close();
  });
});

describe("MongoSource facts equal the dump's", () => {
  for (const layout of ["current", "legacy"] as const) {
    for (const period of [{}, { from: "2024-10-25", to: "2024-11-03" }, { from: "2024-11-06" }]) {
      it(`on a generated ${layout} dataset, period ${JSON.stringify(period)}`, async () => {
        const ds = generateDataset(5, { layout, rawEvents: 150, apps: 3 });
        const dump = await referenceFacts(ds, period, { tailMinutes: 30 });
        const live = await liveFacts(ds, period, { tailMinutes: 30 });
        assertSameFacts(dump.facts, live.facts);
        // Something was actually compared.
        const raw = live.facts.rawEvents;
        expect(raw?.ok && raw.value.rows.length).toBeGreaterThan(0);
      });
    }
  }

  for (const layout of ["current", "legacy"] as const) {
    it(`on odd raw values (${layout} layout): counts, sums, timestamps, sources and visits read like the dump collectors read them`, async () => {
      const ds = oddDataset(layout);
      for (const period of [{}, { from: "2024-10-21", to: "2024-10-21" }, { from: "2024-10-22" }, { from: "2024-09-30", to: "2024-10-21" }]) {
        for (const tailMinutes of [0, 3, 60]) {
          const dump = await referenceFacts(ds, period, { tailMinutes });
          const live = await liveFacts(ds, period, { tailMinutes });
          assertSameFacts(dump.facts, live.facts, `period ${JSON.stringify(period)}, tail ${tailMinutes}:`);
        }
      }
    });
  }

  it("reads databases under other names (Countly lets installs rename them)", async () => {
    const ds = generateDataset(2, { rawEvents: 40, apps: 1 });
    const renamed: Dataset = { ...ds, databases: { cc_main: ds.databases[DB.countly]!, cc_raw: ds.databases[DB.drill]! } };
    const target = await startMongoTarget(renamed.databases);
    try {
      const databases = { countly: `${target.dbPrefix}cc_main`, drill: `${target.dbPrefix}cc_raw` };
      const live = await compute(new MongoSource(target.uri, { databases }), {});
      expect(live.basics.databases).toEqual(databases);
      const dump = await dumpFacts(ds, {});
      // Facts name the collections they read (`cc_main.events_data`): compare under the default names.
      assertSameFacts(dump.facts, renameDatabases(live.facts, { [databases.countly]: DB.countly, [databases.drill]: DB.drill }));
    } finally {
      await target.close();
    }
  });
});

describe.skipIf(ON_REAL_SERVER)("MongoSource commands (recorded by the wire double)", () => {
  for (const layout of ["current", "legacy"] as const) {
    it(`are read-only, and every drill aggregation starts with a $match on apps/ts and runs with allowDiskUse and maxTimeMS (${layout})`, async () => {
      const ds = generateDataset(9, { layout, rawEvents: 60, apps: 2 });
      const { commands } = await liveFacts(ds, { from: "2024-10-22", to: "2024-11-01" }, { tailMinutes: 10 }, { maxTimeMS: 123_456 });
      expect(commands).toBeDefined();
      const names = new Set(commands!.map((c) => c.name));
      expect([...names].filter((n) => !READ_ONLY_COMMANDS.has(n))).toEqual([]);
      expect(JSON.stringify(commands!.map((c) => c.body))).not.toMatch(/"\$(out|merge)"/);

      const drillAggregates = commands!.filter((c) => c.name === "aggregate" && c.db === DB.drill);
      // rawEvents (two passes when there are inserts in the tail), rawSessions, rawViews, rawTail, rawInserts.
      expect(drillAggregates.length).toBeGreaterThanOrEqual(5);
      for (const c of drillAggregates) {
        expect(c.body.allowDiskUse).toBe(true);
        expect(c.body.maxTimeMS).toBe(123_456);
        expect(Object.keys((c.body.pipeline as Record<string, unknown>[])[0]!)).toEqual(["$match"]);
      }
      // Every raw aggregation, rawInserts included (raw-inserts.test.ts), is limited to the run's apps and period by its first stage.
      const scoped = drillAggregates;
      expect(scoped.length).toBeGreaterThanOrEqual(4);
      for (const c of scoped) {
        const first = (c.body.pipeline as Record<string, unknown>[])[0]!;
        const branches = (first.$match as { $or: Record<string, unknown>[] }).$or;
        expect(branches.length).toBeGreaterThan(0);
        for (const b of branches) {
          expect(b).toHaveProperty("ts");
          if (layout === "current") {
            // One pipeline per time zone: its apps share the zone (timezone-bucketing.test.ts).
            const ids = (b.a as { $in: string[] }).$in;
            expect(ids.length).toBeGreaterThan(0);
            expect(new Set(ids.map((id) => ds.apps.find((a) => a.id === id)!.timezone)).size).toBe(1);
            expect(b).toHaveProperty("e");
          }
        }
      }
      // Raw documents never travel to the client: finds on the drill database read one `cd` (the newest insert),
      // but for drill_meta (one small document per app and event, fact drillMeta).
      for (const c of commands!.filter((c) => c.name === "find" && c.db === DB.drill && c.body.find === "drill_meta")) {
        expect(c.body.projection).toEqual({ app_id: 1, e: 1, type: 1, sg: 1 });
      }
      for (const c of commands!.filter((c) => c.name === "find" && c.db === DB.drill && c.body.find !== "drill_meta")) {
        expect(c.body.limit).toBe(1);
        expect(c.body.projection).toEqual({ _id: 0, cd: 1 });
        expect(c.body.sort).toEqual({ cd: -1 });
      }
      // Every read carries the time limit.
      for (const c of commands!.filter((c) => ["find", "aggregate", "count"].includes(c.name))) expect(c.body.maxTimeMS).toBe(123_456);
    });
  }

  it("sends the read concern it is given, and maxTimeMS defaults to 15 minutes", async () => {
    const ds = generateDataset(3, { rawEvents: 30, apps: 1 });
    const { commands } = await liveFacts(ds, {}, {}, { readConcern: "majority" });
    const reads = commands!.filter((c) => c.name === "find" || c.name === "aggregate");
    expect(reads.length).toBeGreaterThan(0);
    for (const c of reads) {
      expect(c.body.readConcern).toEqual({ level: "majority" });
      expect(c.body.maxTimeMS).toBe(DEFAULT_MAX_TIME_MS);
    }
  });
});

describe("connection options", () => {
  const uri = "mongodb://h1:27017,h2:27017/?replicaSet=rs0";
  const modeOf = (u: string, o: Parameters<typeof clientOptions>[1]) => new MongoClient(u, clientOptions(u, o)).readPreference.mode;

  it("reads from secondaries by default, unless the URI or the flag says otherwise (flag first)", () => {
    expect(modeOf(uri, {})).toBe("secondaryPreferred");
    expect(modeOf(`${uri}&readPreference=primary`, {})).toBe("primary");
    expect(modeOf(`${uri}&readPreference=primary`, { readPreference: "nearest" })).toBe("nearest");
  });

  it("gives up connecting after 10 s by default, after the URI's or the flag's timeout otherwise", () => {
    const timeout = (u: string, o: Parameters<typeof clientOptions>[1]) => new MongoClient(u, clientOptions(u, o)).options.serverSelectionTimeoutMS;
    expect(timeout(uri, {})).toBe(10_000);
    expect(timeout(`${uri}&serverSelectionTimeoutMS=2500`, {})).toBe(2500);
    expect(timeout(`${uri}&serverSelectionTimeoutMS=2500`, { connectTimeoutMS: 700 })).toBe(700);
  });

  it("leaves the read concern to the URI unless given", () => {
    const level = (u: string, o: Parameters<typeof clientOptions>[1]) => new MongoClient(u, clientOptions(u, o)).readConcern?.level;
    expect(level(uri, {})).toBeUndefined();
    expect(level(`${uri}&readConcernLevel=majority`, {})).toBe("majority");
    expect(level(`${uri}&readConcernLevel=majority`, { readConcern: "local" })).toBe("local");
  });
});

// ---------------------------------------------------------------------------------------------
// A small dataset of odd raw values, written by hand.

const APP_A = "65a000000000000000000001"; // Asia/Kolkata (+05:30)
const APP_B = "65a000000000000000000002"; // UTC
const OTHER_APP = "65a0000000000000000000ff"; // not in countly.apps: ignored
const NOON = Date.parse("2024-10-21T12:00:00Z");
const MIN = 60_000;

function custom(app: string, n: string | undefined, extra: Doc): Doc {
  const d: Doc = { a: app, e: INTERNAL_EVENTS.custom, ts: NOON, cd: new Date(NOON + 5 * MIN), ...extra };
  if (n !== undefined) d.n = n;
  return d;
}

function oddDrill(): Doc[] {
  const docs: Doc[] = [
    custom(APP_A, "Buy", { c: 3, s: 1.5, dur: 10 }),
    custom(APP_A, "Buy", { c: "4", s: "2", dur: null }),
    custom(APP_A, "Buy", { c: " 7 ", s: 0.1, dur: 0.2 }),
    custom(APP_A, "Buy", { c: "abc", s: 0.2, dur: 0.1 }),
    custom(APP_A, "Buy", { c: 0 }),
    custom(APP_A, "Buy", { c: 2.9, s: -3 }),
    custom(APP_A, "Buy", { c: -1.5 }),
    custom(APP_A, "Buy", { c: true, s: true }),
    custom(APP_A, "Buy", { c: Number.NaN, s: Number.NaN, dur: Number.POSITIVE_INFINITY }),
    custom(APP_A, "Buy", { c: new Long(5), s: new Long(7), dur: new Long(-2) }),
    custom(APP_A, "Buy", { c: null, s: new Date(0) }),
    // Timestamps: seconds, a date, a string (skipped), none (skipped), and both sides of Kolkata's midnight.
    custom(APP_A, "Buy", { ts: NOON / 1000, c: 2 }),
    custom(APP_A, "Buy", { ts: new Date(NOON + 3 * 3600_000), c: 1, cd: NOON + 9 * MIN }),
    custom(APP_A, "Buy", { ts: String(NOON), c: 100 }),
    custom(APP_A, "Buy", { ts: undefined, c: 100 }),
    custom(APP_A, "Buy", { ts: Date.parse("2024-10-21T18:29:59.999Z"), c: 11, cd: NOON + 10 * MIN }),
    custom(APP_A, "Buy", { ts: Date.parse("2024-10-21T18:30:00.000Z"), c: 13, cd: NOON + 10 * MIN + 59_999 }),
    custom(APP_A, "Buy", { ts: Date.parse("2024-09-30T10:00:00Z"), c: 17 }),
    // Insert times: a number, none, a string (not a time).
    custom(APP_A, "Open", { c: 1, cd: NOON + 8 * MIN }),
    custom(APP_A, "Open", { c: 1, cd: undefined }),
    custom(APP_A, "Open", { c: 1, cd: "yesterday" }),
    // No `n`: grouped under `e`.
    custom(APP_A, undefined, { c: 1 }),
    custom(APP_B, "Buy", { c: 1, ts: Date.parse("2024-10-21T23:59:59Z") }),
    custom(APP_B, "Buy", { c: 1, ts: Date.parse("2024-10-22T00:00:00Z"), cd: new Date(NOON + 7 * MIN) }),
    custom(OTHER_APP, "Buy", { c: 1000 }),
    { a: APP_A, e: "[CLY]_crash", n: "Buy", ts: NOON, c: 1000 },
  ];
  const session = (app: string, e: string, up: unknown, ts = NOON): Doc => {
    const d: Doc = { a: app, e, n: e, ts, cd: new Date(ts) };
    if (up !== undefined) d.up = up;
    return d;
  };
  const S = INTERNAL_EVENTS.session;
  const B = INTERNAL_EVENTS.sessionBegin;
  docs.push(
    session(APP_A, S, { src: "www.google.com" }),
    session(APP_A, S, { src: "www.google.com" }),
    session(APP_A, S, { src: "$Direct" }),
    session(APP_A, S, { src: 5 }),
    session(APP_A, S, { src: "" }),
    session(APP_A, S, { src: true }),
    session(APP_A, S, { src: false }),
    session(APP_A, S, { src: null }),
    session(APP_A, S, [{ src: "in-an-array" }]),
    session(APP_A, S, "not-an-object"),
    session(APP_A, S, undefined),
    session(APP_A, S, { src: ["a", "b"] }),
    session(APP_A, B, { src: "App Store" }),
    session(APP_A, B, {}),
    session(APP_B, S, { src: "m.facebook.com" }, Date.parse("2024-10-22T01:00:00Z")),
  );
  const view = (app: string, n: string | undefined, sg: unknown): Doc => {
    const d: Doc = { a: app, e: INTERNAL_EVENTS.view, ts: NOON, cd: new Date(NOON) };
    if (n !== undefined) d.n = n;
    if (sg !== undefined) d.sg = sg;
    return d;
  };
  docs.push(
    view(APP_A, "Home", { visit: 1 }),
    view(APP_A, "Home", { visit: "yes" }),
    view(APP_A, "Home", { visit: "" }),
    view(APP_A, "Home", { visit: 0 }),
    view(APP_A, "Home", { visit: Number.NaN }),
    view(APP_A, "Home", { visit: [] }),
    view(APP_A, "Home", { visit: {} }),
    view(APP_A, "Home", { visit: false }),
    view(APP_A, "Home", { visit: null }),
    view(APP_A, "Home", { visit: -1 }),
    view(APP_A, "Home", "a string"),
    view(APP_A, "Home", [{ visit: 1 }]),
    view(APP_A, undefined, { name: "Settings", visit: 1 }),
    view(APP_A, undefined, { name: 7, visit: 1 }),
    view(APP_A, undefined, undefined),
    view(APP_B, "Home", { visit: true }),
  );
  if (ON_REAL_SERVER) {
    // The wire double turns these into plain numbers (mingo has no decimal or 64-bit type);
    // the driver and the dump do not: a Decimal128 and a Long beyond 2^53 are not numbers to them.
    docs.push(
      custom(APP_A, "Buy", { c: Decimal128.fromString("4"), s: Decimal128.fromString("2.5"), dur: Long.fromString("9007199254740993") }),
      custom(APP_A, "Buy", { c: Long.fromString("9007199254740993"), ts: Long.fromNumber(NOON) }),
      view(APP_A, "Home", { visit: Decimal128.fromString("0") }),
    );
  }
  return docs.map((d, i) => ({ _id: `odd-${String(i).padStart(3, "0")}`, ...d }));
}

function oddCountly(): Record<string, Doc[]> {
  const month = (app: string, key: string, m: string, d: Doc): Doc => ({ _id: `${app}_${eventHash(key, app)}_no-segment_${m}`, a: app, e: key, s: "no-segment", m, d });
  return {
    apps: [
      { _id: new ObjectId(APP_A), name: "Odd A", key: "key-a", timezone: "Asia/Kolkata" },
      { _id: new ObjectId(APP_B), name: "Odd B", key: "key-b" },
    ],
    events: [
      { _id: new ObjectId(APP_A), list: ["Buy", "Open"] },
      { _id: new ObjectId(APP_B), list: ["Buy"] },
    ],
    events_data: [
      month(APP_A, "Buy", "2024:10", { "21": { c: 30, s: 1.5, dur: 10, "12": { c: 30 } }, "22": { c: 13 } }),
      month(APP_A, "Buy", "2024:09", { "30": { c: 17 }, "1": { c: 1 } }),
      month(APP_A, "Buy", "2024:0", { "21": { c: 99 } }),
      { _id: `${APP_A}_${eventHash("Buy", APP_A)}_method_2024:10_x`, a: APP_A, e: "Buy", s: "method", m: "2024:10", d: { "21": { card: { c: 2 }, cash: { c: 1, s: 2 } } } },
      { _id: `${APP_A}_all_key_2024:10_x`, a: APP_A, e: "all", s: "key", m: "2024:10", d: { "21": { Buy: { c: 30 } } } },
      month(APP_B, "Buy", "2024:10", { "21": { c: 1 }, "22": { c: 1 } }),
    ],
    app_viewdata: [
      { _id: `${APP_A}_no-segment_2024:10_${"a".repeat(32)}`, n: "Home", m: "2024:10", d: { "21": { "12": { t: 4 } } } },
      { _id: `${APP_A}_no-segment_2024:9_${"b".repeat(32)}`, n: "Home", m: "2024:9", d: { "30": { t: 5 } } },
      { _id: `${APP_A}_platform_2024:10_${"a".repeat(32)}`, n: "Home", m: "2024:10", d: { "21": { Android: { t: 4 } } } },
      { _id: `${APP_B}_no-segment_2024:10_${"c".repeat(32)}`, n: "Home", m: "2024:10", d: { "22": { t: 1 } } },
    ],
    app_viewsmeta: [
      { _id: `${APP_A}_${"a".repeat(32)}`, a: APP_A, view: "Home" },
      { _id: `${APP_A}_${"d".repeat(32)}`, view: "Settings" },
      { _id: `${APP_B}_${"c".repeat(32)}`, a: APP_B, view: "Home" },
    ],
    sources: [
      { _id: `${APP_A}_2024:10_x`, a: APP_A, m: "2024:10", d: { "21": { "www:google:com": { t: 2 }, Direct: { t: 1 } } } },
      { _id: `${APP_A}_2024:10`, a: APP_A, m: "2024:10", d: { "21": { Direct: { t: 1 } } } },
      { _id: `${APP_A}_2024:0_x`, a: APP_A, m: "2024:0", d: { "21": { Direct: { t: 50 } } } },
      { _id: `${APP_B}_2024:10_y`, a: APP_B, m: "2024:10", d: { "22": { "m:facebook:com": { t: 1 } } } },
    ],
  };
}

/** The odd documents, in the current layout or spread over legacy per-event collections. */
function oddDataset(layout: "current" | "legacy"): Dataset {
  const drill = oddDrill();
  let countly = oddCountly();
  let drillDb: Record<string, Doc[]>;
  if (layout === "current") drillDb = { drill_events: drill };
  else {
    drillDb = {};
    for (const doc of drill) {
      const { a, e, ...rest } = doc;
      if (typeof a !== "string" || typeof e !== "string") continue;
      const key = e === INTERNAL_EVENTS.custom ? (typeof doc.n === "string" ? doc.n : undefined) : e;
      if (key === undefined) continue;
      (drillDb[legacyDrillCollection(a, key)] ??= []).push(rest);
    }
    // Legacy aggregates: `events<H>` without `a`/`e` and prefix-less ids; views in `app_viewdata<sha1(app)>`.
    const legacyEvents: Record<string, Doc[]> = {};
    for (const d of countly.events_data!) {
      if (d.e === "all") continue;
      const coll = legacyEventsCollection(String(d.a), String(d.e));
      const { a: _a, e: _e, ...rest } = d;
      (legacyEvents[coll] ??= []).push({ ...rest, _id: String(d._id).split("_").slice(2).join("_") });
    }
    const viewData: Record<string, Doc[]> = {};
    for (const d of countly.app_viewdata!) {
      const [app, seg] = String(d._id).split("_");
      if (seg !== "no-segment") continue;
      (viewData[`app_viewdata${sha1Hex(app!)}`] ??= []).push({ _id: d._id, m: d.m, d: d.d });
    }
    const viewsMeta: Record<string, Doc[]> = {};
    for (const d of countly.app_viewsmeta!) (viewsMeta[`app_viewsmeta${String(d._id).split("_")[0]}`] ??= []).push({ _id: d._id, view: d.view });
    const { events_data: _ed, app_viewdata: _vd, app_viewsmeta: _vm, ...rest } = countly;
    countly = { ...rest, ...legacyEvents, ...viewData, ...viewsMeta, [`events${"0".repeat(40)}`]: [{ _id: "no-segment_2024:10", d: { "21": { c: 1 } } }] };
  }
  return {
    seed: 1,
    layout,
    apps: [
      { id: APP_A, name: "Odd A", key: "key-a", timezone: "Asia/Kolkata" },
      { id: APP_B, name: "Odd B", key: "key-b", timezone: "UTC" },
    ],
    databases: { [DB.countly]: countly, [DB.drill]: drillDb },
    corruptions: [],
  };
}

it.skipIf(ON_REAL_SERVER)("the odd dataset exercises what it claims (sanity of the fixture above)", async () => {
  const { facts } = await dumpFacts(oddDataset("current"), {}, { tailMinutes: 3 });
  const raw = facts.rawEvents!;
  expect(raw.ok).toBe(true);
  if (!raw.ok) return;
  const buy = raw.value.rows.filter((r) => r.app === APP_A && r.key === "Buy");
  expect(buy.map((r) => r.day)).toEqual(["2024-09-30", "2024-10-21", "2024-10-22"]);
  expect(raw.value.rows.some((r) => r.key === INTERNAL_EVENTS.custom)).toBe(true);
  expect(raw.value.maxCdMinute).toBe(Math.floor((NOON + 10 * MIN + 59_999) / MIN));
  expect(raw.value.rows.flatMap((r) => r.tail).length).toBeGreaterThan(1);
  const sessions = facts.rawSessions!;
  expect(sessions.ok && sessions.value.find((r) => r.app === APP_A)?.bySource).toEqual({ "www:google:com": 2, Direct: 1, "5": 1, true: 1, "a,b": 1 });
  const views = facts.rawViews!;
  expect(views.ok && views.value.filter((r) => r.app === APP_A).map((r) => [r.view, r.events, r.visits])).toEqual([
    ["", 2, 1],
    ["Home", 12, 5],
    ["Settings", 1, 1],
  ]);
  expect(ALL_FACTS.every((f) => facts[f]?.ok)).toBe(true);
  expect(requestsFor().size).toBe(ALL_FACTS.length);
});
