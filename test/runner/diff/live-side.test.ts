// A live side through the wire test server: a dump against the same data served live is
// clean, differences are named exactly, and nothing but read commands is sent.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Int32, Long } from "bson";
import type { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneDeep } from "../../../fixtures/clone.ts";
import type { Dataset } from "../../../fixtures/dataset.ts";
import { secondaryIndexes, writeDump } from "../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import { formatId, idKeyOf } from "../../../runner/diff/canonical.ts";
import { DiffSourceError, diffSides } from "../../../runner/diff/diff.ts";
import { DumpSide } from "../../../runner/diff/dump-side.ts";
import { LiveSide } from "../../../runner/diff/live-side.ts";
import { diffToRun } from "../../../runner/diff/report.ts";
import { exitCodeOf } from "../../../runner/model.ts";
import { startWireServer, type WireServer } from "../../support/wire-server/index.ts";

const READ_COMMANDS = new Set(["hello", "ismaster", "isMaster", "ping", "buildInfo", "listCollections", "listIndexes", "find", "getMore", "killCursors", "endSessions"]);

let ds: Dataset;
let dump: string;
let work: string;
const servers: WireServer[] = [];

function indexesOf(d: Dataset) {
  return Object.fromEntries(Object.entries(d.databases).map(([db, colls]) => [db, Object.fromEntries(Object.keys(colls).map((c) => [c, secondaryIndexes(db, c).map((i) => ({ v: 2, ...i }))]))]));
}

async function serve(d: Dataset, indexes = indexesOf(d)): Promise<WireServer> {
  const s = await startWireServer({ databases: cloneDeep(d.databases), indexes, defaultBatchSize: 50 });
  servers.push(s);
  return s;
}

beforeAll(async () => {
  ds = generateDataset(11, { apps: 2 });
  work = await mkdtemp(join(tmpdir(), "cc-diff-live-"));
  dump = join(work, "dump-dir");
  await writeDump(ds, dump);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await rm(work, { recursive: true, force: true });
});

describe("diff with a live side", () => {
  it("dump vs the same data served live: clean, with read commands only", async () => {
    const server = await serve(ds);
    const result = await diffSides(new DumpSide(dump), new LiveSide(server.uri, { batchSize: 40 }), { maxIds: 5 });
    const run = diffToRun(result);
    expect(run.suites[0]!.cases.filter((c) => c.outcome !== "passed").map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    expect(exitCodeOf(run)).toBe(0);
    expect(run.source).toBe(`dump ${dump} → mongodb://127.0.0.1:${server.port}`);
    const names = new Set(server.commands.map((c) => c.name));
    expect([...names].filter((n) => !READ_COMMANDS.has(n))).toEqual([]);
    expect(names.has("find") && names.has("getMore") && names.has("listIndexes")).toBe(true);
    // a standalone gets no $readPreference on the wire; the client is set to secondaryPreferred (or the URI's)
    for (const [uri, mode] of [
      [server.uri, "secondaryPreferred"],
      [`${server.uri}&readPreference=primary`, "primary"],
    ] as const) {
      const side = new LiveSide(uri);
      await side.open();
      expect((side as unknown as { client: MongoClient }).client.readPreference.mode).toBe(mode);
      await side.close();
    }
  });

  it("numeric types stored differently (int32 vs double vs int64) are the same data", async () => {
    const copy = cloneDeep(ds);
    for (const d of copy.databases.countly_drill!.drill_events!) {
      if (typeof d.c === "number") d.c = new Int32(d.c);
      if (typeof d.ts === "number") d.ts = Long.fromNumber(d.ts);
    }
    const server = await serve(copy);
    const run = diffToRun(await diffSides(new DumpSide(dump), new LiveSide(server.uri)));
    expect(exitCodeOf(run)).toBe(0);
  });

  it("live differences are named exactly: dropped, added, changed documents and a missing index", async () => {
    const copy = cloneDeep(ds);
    const drill = copy.databases.countly_drill!.drill_events!;
    const dropped = drill.splice(3, 2).map((d) => d._id);
    drill[0]!.c = 1000;
    const changed = drill[0]!._id;
    copy.databases.countly!.users!.push({ _id: "stray", a: "x" });
    const indexes = indexesOf(copy);
    indexes.countly_drill!.drill_events = indexes.countly_drill!.drill_events!.filter((i) => i.name !== "a_1_e_1_ts_1");
    const server = await serve(copy, indexes);
    const result = await diffSides(new DumpSide(dump), new LiveSide(server.uri), { maxIds: 10 });
    const d = result.collections.find((c) => c.collection === "drill_events")!;
    expect(d.onlyBefore.ids.map(formatId).sort()).toEqual(dropped.map((id) => formatId(idKeyOf(id))).sort());
    expect(d.different.ids).toEqual([idKeyOf(changed)]);
    expect(d.onlyAfter.count).toBe(0);
    expect(d.indexes).toEqual([{ name: "a_1_e_1_ts_1", problem: "missing-after", before: "{ a: 1, e: 1, ts: 1 }" }]);
    const u = result.collections.find((c) => c.collection === "users")!;
    expect(u.onlyAfter.ids).toEqual([idKeyOf("stray")]);
    const run = diffToRun(result);
    expect(run.suites[0]!.cases.filter((c) => c.outcome === "failed").map((c) => c.name).sort()).toEqual(["countly.users", "countly_drill.drill_events"]);
    expect([...new Set(server.commands.map((c) => c.name))].filter((n) => !READ_COMMANDS.has(n))).toEqual([]);
  });

  it("live vs live, and dump vs live the other way round", async () => {
    const one = await serve(ds);
    const two = await serve(ds);
    expect(exitCodeOf(diffToRun(await diffSides(new LiveSide(one.uri), new LiveSide(two.uri))))).toBe(0);
    expect(exitCodeOf(diffToRun(await diffSides(new LiveSide(one.uri), new DumpSide(dump))))).toBe(0);
  });

  it("an unreachable server is a side that cannot be read (which side, no credentials)", async () => {
    const err = await diffSides(new DumpSide(dump), new LiveSide("mongodb://user:s3cret@127.0.0.1:1/?directConnection=true", { connectTimeoutMS: 300 })).catch((e) => e);
    expect(err).toBeInstanceOf(DiffSourceError);
    expect(err.side).toBe("after");
    expect(err.message).toMatch(/cannot connect to MongoDB at 127\.0\.0\.1:1/);
    expect(err.message).not.toContain("s3cret");
  });
});
