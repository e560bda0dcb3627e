// The live changeStreams fact: the tokens as the dump reads them, plus drill_events' UUID
// from listCollections and the oldest oplog entry from local.oplog.rs (read-only).
import { Binary, Timestamp } from "bson";
import { describe, expect, it } from "vitest";
import { fixtureCollectionUuid } from "../../../../fixtures/collection-uuids.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { MongoSource } from "../../../../runner/sources/mongo/mongo-source.ts";
import type { ChangeStreamsFact } from "../../../../runner/facts/types.ts";
import { changeStreamsLive } from "../../../../runner/sources/mongo/pipelines/change-streams.ts";
import type { LiveDb } from "../../../../runner/sources/mongo/pipelines/types.ts";
import { compute, ON_REAL_SERVER, withTarget } from "./support.ts";

const ds = generateDataset(20_251_201, { rawEvents: 40 });

async function liveChangeStreams(data = ds, options: Parameters<typeof withTarget>[2] = {}): Promise<ChangeStreamsFact> {
  return withTarget(
    data,
    async (target, databases) => {
      const out = await compute(new MongoSource(target.uri, { databases }), {}, {}, ["changeStreams"]);
      const fact = out.facts.changeStreams!;
      if (!fact.ok) throw new Error(fact.error);
      return fact.value;
    },
    options,
  );
}

describe("changeStreams from a live server", () => {
  it("reads drill_events' UUID from listCollections and decodes every token", async () => {
    const fact = await liveChangeStreams();
    expect(fact.tokens.map((t) => t.consumer)).toEqual(["drill-meta", "event-aggregator", "session-ingestion", "views-insert"]);
    if (!ON_REAL_SERVER) expect(fact.drillEvents).toEqual({ uuid: fixtureCollectionUuid("drill_events"), from: "listCollections on countly_drill" });
    else expect(fact.drillEvents).toEqual({ uuid: expect.stringMatching(/^[0-9a-f]{32}$/), from: expect.stringMatching(/^listCollections on /) });
    expect(fact.tokens.every((t) => t.resume?.uuid === fixtureCollectionUuid("drill_events"))).toBe(true);
  });

  it.skipIf(ON_REAL_SERVER)("reads the oldest oplog entry, or says why it could not (no oplog, not authorized on local)", async () => {
    const oplog = [{ ts: new Timestamp({ t: 1_700_000_000, i: 7 }), op: "n" }, { ts: new Timestamp({ t: 1_700_000_100, i: 1 }), op: "n" }];
    const withOplog = { ...ds, databases: { ...ds.databases, local: { "oplog.rs": oplog } } };
    expect((await liveChangeStreams(withOplog)).oplog).toEqual({ oldest: { t: 1_700_000_000, i: 7 } });
    expect((await liveChangeStreams()).oplog).toEqual({ unreadable: expect.stringMatching(/^local\.oplog\.rs is empty or missing: not a replica set member/) });
    const denied = (await liveChangeStreams(withOplog, { unauthorizedDatabases: ["local"] })).oplog;
    expect(denied).toEqual({ unreadable: expect.stringMatching(/not authorized on local/) });
  });

  it("says why drill_events' UUID is unknown: listCollections refused, collection not listed, no info.uuid", async () => {
    const scope = { apps: [], period: {}, layout: { events: "current", drill: "current", views: "current" }, databases: { countly: "countly", drill: "countly_drill" }, params: {} } as const;
    const catalog = { collections: { countly: ["plugins"], countly_drill: ["drill_events"] }, eventLists: {} };
    const db = (collectionInfo: LiveDb["collectionInfo"]): LiveDb => ({
      aggregate: () => (async function* () {})(),
      find: () => (async function* () {})(),
      count: async () => 0,
      collectionInfo,
    });
    const uuidWith = async (info: LiveDb["collectionInfo"]) => (await changeStreamsLive.compute(db(info), scope, catalog)).drillEvents;
    expect(await uuidWith(async () => { throw new Error("not authorized on countly_drill to execute command { listCollections: 1 }"); })).toEqual({ unknown: "not authorized on countly_drill to execute command { listCollections: 1 }" });
    expect(await uuidWith(async () => undefined)).toEqual({ unknown: "countly_drill.drill_events is not listed by listCollections" });
    expect(await uuidWith(async () => ({ name: "drill_events", info: { readOnly: false } }))).toEqual({ unknown: "listCollections gives countly_drill.drill_events no UUID (info.uuid)" });
    expect(await uuidWith(async () => ({ name: "drill_events", info: { uuid: new Binary(Uint8Array.from({ length: 16 }, (_, k) => k), 4) } }))).toEqual({ uuid: "000102030405060708090a0b0c0d0e0f", from: "listCollections on countly_drill" });
  });
});
