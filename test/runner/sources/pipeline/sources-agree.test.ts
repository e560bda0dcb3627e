// The same check pipelines give the same rows on every engine: the in-memory fixture
// source, a dump (plain and gzip) and MongoDB (the wire double, or a real server with
// MONGODB_URI) through runner/sources/mongo/run-pipeline.ts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EJSON } from "bson";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDump } from "../../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { DumpSource } from "../../../../runner/sources/dump/dump-source.ts";
import { FixtureSource } from "../../../../runner/sources/fixture-source.ts";
import type { LiveDb } from "../../../../runner/sources/mongo/pipelines/types.ts";
import { runPipelinesLive } from "../../../../runner/sources/mongo/run-pipeline.ts";
import type { PipelineOutcome, PipelineRequest } from "../../../../runner/sources/source.ts";
import { startMongoTarget, type MongoTarget } from "../../../support/mongo-target.ts";

const ds = generateDataset(5, { rawEvents: 80 });
const app = ds.apps[0]!;
const tz = app.timezone;

const REQUESTS: PipelineRequest[] = [
  // Raw sessions per app-local day and source.
  {
    db: "countly_drill",
    collection: "drill_events",
    pipeline: [
      { $match: { a: app.id, e: "[CLY]_session", "up.src": { $nin: [null, "", false] } } },
      { $group: { _id: { day: { $dateToString: { date: { $toDate: "$ts" }, format: "%Y-%m-%d", timezone: tz } }, source: { $replaceAll: { input: { $toString: "$up.src" }, find: ".", replacement: ":" } } }, value: { $sum: 1 } } },
    ],
    keepRows: 10_000,
    maxDocuments: 100_000,
  },
  // Aggregated totals per event (no-segment month documents, days unwound).
  {
    db: "countly",
    collection: "events_data",
    pipeline: [
      { $match: { a: app.id, s: "no-segment", m: { $not: { $regex: ":0$" } } } },
      { $project: { e: 1, days: { $objectToArray: "$d" } } },
      { $unwind: "$days" },
      { $group: { _id: "$e", value: { $sum: "$days.v.c" }, days: { $sum: 1 } } },
    ],
    keepRows: 10_000,
    maxDocuments: 100_000,
  },
  // A join to the apps collection; ObjectIds and dates in the output.
  {
    db: "countly",
    collection: "users",
    pipeline: [
      { $match: { a: app.id } },
      { $group: { _id: "$a", docs: { $sum: 1 } } },
      { $lookup: { from: "apps", let: { id: { $toObjectId: "$_id" } }, pipeline: [{ $match: { $expr: { $eq: ["$_id", "$$id"] } } }, { $project: { name: 1, timezone: 1 } }], as: "app" } },
    ],
    keepRows: 10,
    maxDocuments: 100_000,
  },
  // Rows kept vs counted.
  { db: "countly_drill", collection: "drill_events", pipeline: [{ $match: { a: app.id } }, { $sort: { _id: 1 } }, { $project: { _id: 1, cd: 1 } }], keepRows: 5, maxDocuments: 100_000 },
];

/** Rows as canonical text, order-insensitive. */
function canonical(outcomes: PipelineOutcome[]): unknown[] {
  return outcomes.map((o) => (o.ok ? { total: o.total, rows: o.rows.map((r) => JSON.stringify(EJSON.serialize(r))).sort() } : { error: true }));
}

let target: MongoTarget;
let dir: string;

beforeAll(async () => {
  target = await startMongoTarget(ds.databases);
  dir = await mkdtemp(join(tmpdir(), "cc-pipelines-"));
  await writeDump(ds, join(dir, "plain"));
  await writeDump(ds, join(dir, "gz"), { gzip: true });
});
afterAll(async () => {
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function clientLiveDb(client: MongoClient): LiveDb {
  return {
    aggregate: (ref, pipeline) => client.db(ref.db).collection(ref.name).aggregate(pipeline, { allowDiskUse: true, maxTimeMS: 60_000 }),
    find: (ref, filter) => client.db(ref.db).collection(ref.name).find(filter),
    count: (ref) => client.db(ref.db).collection(ref.name).countDocuments({}),
    collectionInfo: async (ref) => (await client.db(ref.db).listCollections({ name: ref.name }).toArray())[0],
  };
}

describe("check pipelines on every engine", () => {
  it("fixture, dump, gzip dump and MongoDB return the same rows", async () => {
    const fixture = await new FixtureSource(ds).runPipelines(REQUESTS);
    expect(fixture.every((o) => o.ok)).toBe(true);
    const expected = canonical(fixture);
    expect((fixture[0] as { total: number }).total).toBeGreaterThan(0);
    expect((fixture[3] as { rows: unknown[]; total: number }).rows).toHaveLength(5);
    for (const sub of ["plain", "gz"]) {
      const dump = new DumpSource(join(dir, sub));
      expect(canonical(await dump.runPipelines(REQUESTS)), sub).toEqual(expected);
    }
    const client = new MongoClient(target.uri);
    try {
      const live = await runPipelinesLive(
        clientLiveDb(client),
        REQUESTS.map((r) => ({ ...r, db: `${target.dbPrefix}${r.db}`, pipeline: r.pipeline })),
      );
      expect(canonical(live)).toEqual(expected);
    } finally {
      await client.close();
    }
  });

  it("runs on the server with allowDiskUse, and never sends $out or $merge", async () => {
    if (!target.double) return; // the command log is the double's
    const client = new MongoClient(target.uri);
    try {
      const before = target.double.commands.length;
      const out = await runPipelinesLive(clientLiveDb(client), [
        { db: "countly", collection: "apps", pipeline: [{ $count: "n" }], keepRows: 1, maxDocuments: 1 },
        { db: "countly", collection: "apps", pipeline: [{ $match: {} }, { $out: "copy" }], keepRows: 1, maxDocuments: 1 },
      ]);
      expect(out[0]).toEqual({ ok: true, rows: [{ n: ds.apps.length }], total: 1 });
      expect(out[1]).toEqual({ ok: false, error: "countly.apps: $out would write; countly-check only reads" });
      const sent = target.double.commands.slice(before).filter((c) => c.name === "aggregate");
      expect(sent).toHaveLength(1);
      expect(sent[0]!.body).toMatchObject({ aggregate: "apps", allowDiskUse: true, maxTimeMS: 60_000 });
    } finally {
      await client.close();
    }
  });
});
