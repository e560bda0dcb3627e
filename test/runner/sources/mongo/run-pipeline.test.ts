// MongoSource.runPipelines: check pipelines run on the server (here the wire double),
// with allowDiskUse, the source's maxTimeMS (and its client's read preference) and a comment naming
// countly-check; a failing pipeline is that request's error outcome, named by host.
import { describe, expect, it } from "vitest";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { MongoSource } from "../../../../runner/sources/mongo/mongo-source.ts";
import type { PipelineRequest } from "../../../../runner/sources/source.ts";
import { startWireServer } from "../../../support/wire-server/index.ts";

const ds = generateDataset(4, { apps: 1, rawEvents: 40 });
const COUNT: PipelineRequest = { db: "countly_drill", collection: "drill_events", pipeline: [{ $match: { e: "[CLY]_session" } }, { $count: "n" }], keepRows: 10, maxDocuments: 1 };

describe("MongoSource.runPipelines", () => {
  it("runs each pipeline on the server with the run's limits", async () => {
    const server = await startWireServer({ databases: ds.databases });
    const source = new MongoSource(server.uri, { maxTimeMS: 12_345, readPreference: "secondaryPreferred" });
    try {
      const before = server.commands.length;
      const [out, kept] = await source.runPipelines([COUNT, { ...COUNT, pipeline: [{ $match: {} }], keepRows: 2 }]);
      const sessions = ds.databases.countly_drill!.drill_events!.filter((d) => d.e === "[CLY]_session").length;
      expect(out).toEqual({ ok: true, rows: [{ n: sessions }], total: 1 });
      expect(kept).toMatchObject({ ok: true, total: ds.databases.countly_drill!.drill_events!.length });
      expect((kept as { rows: unknown[] }).rows).toHaveLength(2);
      const sent = server.commands.slice(before).filter((c) => c.name === "aggregate");
      expect(sent).toHaveLength(2);
      expect(sent[0]!.body).toMatchObject({ aggregate: "drill_events", allowDiskUse: true, maxTimeMS: 12_345, comment: expect.stringMatching(/^countly-check.*check pipeline$/) });
      // The read preference is the client's (connect.ts, tested in mongo-source.test.ts); the driver only
      // sends $readPreference to replica set members and mongos, not to a direct standalone like this double.
    } finally {
      await source.close();
      await server.stop();
    }
  });

  it("a pipeline the server rejects is an error outcome naming the host; the others still run", async () => {
    const server = await startWireServer({ databases: ds.databases, failCommands: { aggregate: { code: 50, codeName: "MaxTimeMSExpired", errmsg: "operation exceeded time limit" } } });
    const source = new MongoSource(server.uri, { maxTimeMS: 1000 });
    try {
      const out = await source.runPipelines([COUNT]);
      expect(out).toEqual([{ ok: false, error: expect.stringMatching(/^aggregate on countly_drill\.drill_events on MongoDB at 127\.0\.0\.1:\d+ exceeded the time limit of 1000 ms/) }]);
    } finally {
      await source.close();
      await server.stop();
    }
  });
});
