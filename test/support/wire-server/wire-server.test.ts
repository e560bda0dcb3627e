import { Buffer } from "node:buffer";
import { connect } from "node:net";
import process from "node:process";
import type { Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deserialize, serialize } from "bson";
import type { Document } from "bson";
import { Decimal128, Double, Int32, Long, MongoClient, MongoServerError, ObjectId } from "mongodb";
import type { MongoClientOptions } from "mongodb";
import { startMongoTarget } from "../mongo-target.ts";
import { startWireServer } from "./index.ts";
import { MSG_CHECKSUM_PRESENT, MSG_MORE_TO_COME, MessageFramer, OP_MSG, OP_QUERY, parseOpMsg, readHeader } from "./protocol.ts";
import type { WireServer } from "./index.ts";

const FAST: MongoClientOptions = { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000 };

const clients: MongoClient[] = [];
function client(uri: string, opts: MongoClientOptions = {}): MongoClient {
  const c = new MongoClient(uri, { ...FAST, ...opts });
  clients.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

const BASE = Date.UTC(2024, 0, 1, 20, 0, 0); // 2024-01-01T20:00Z = 2024-01-02 01:30 in Kolkata
const events = Array.from({ length: 250 }, (_, i) => ({
  _id: `e${String(i).padStart(3, "0")}`,
  i,
  app: i % 3 === 0 ? "a" : "b",
  ts: new Date(BASE + i * 3600_000),
  name: i % 2 === 0 ? "Login" : "Purchase",
}));
const appIds = [new ObjectId("650000000000000000000001"), new ObjectId("650000000000000000000002")];

describe("wire double with the mongodb driver", () => {
  let server: WireServer;
  beforeAll(async () => {
    server = await startWireServer({
      databases: {
        countly: {
          apps: [
            { _id: appIds[1], name: "Second" },
            { _id: appIds[0], name: "First" },
          ],
          members: [{ name: "admin" }],
          numbers: [
            { k: "x", n: Long.fromNumber(5_000_000_000), m: new Int32(2), d: new Double(1.5) },
            { k: "x", n: Long.fromNumber(7), m: new Int32(3), d: new Double(2) },
            { k: "y", n: Long.fromString("9007199254740993"), m: new Int32(1), d: Decimal128.fromString("0.25") },
          ],
        },
        countly_drill: { drill_events: events },
      },
      indexes: { countly_drill: { drill_events: [{ v: 2, key: { ts: 1 }, name: "ts_1" }] } },
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("listens on 127.0.0.1 and answers ping, with and without directConnection", async () => {
    expect(server.uri).toBe(`mongodb://127.0.0.1:${server.port}/?directConnection=true`);
    for (const uri of [server.uri, `mongodb://127.0.0.1:${server.port}/`]) {
      const c = client(uri);
      await c.connect();
      expect(await c.db("admin").command({ ping: 1 })).toEqual({ ok: 1 });
    }
    const handshake = server.commands.find((c) => c.name.toLowerCase() === "ismaster" || c.name === "hello");
    expect(handshake?.db).toBe("admin");
    const info = await client(server.uri).db("admin").command({ buildInfo: 1 });
    expect(info.version).toBe("7.0.0");
    expect(info.versionArray).toEqual([7, 0, 0, 0]);
  });

  it("lists databases, honouring nameOnly and filter", async () => {
    const admin = client(server.uri).db("admin").admin();
    const all = await admin.listDatabases();
    expect(all.databases.map((d) => d.name).sort()).toEqual(["countly", "countly_drill"]);
    expect(all.databases.every((d) => d.sizeOnDisk! > 0 && d.empty === false)).toBe(true);
    const filtered = await admin.listDatabases({ nameOnly: true, filter: { name: { $regex: /drill/ } } });
    expect(filtered.databases).toEqual([{ name: "countly_drill" }]);
  });

  it("lists collections and indexes", async () => {
    const c = client(server.uri);
    const infos = await c.db("countly").listCollections().toArray();
    expect(infos.map((i) => i.name).sort()).toEqual(["apps", "members", "numbers"]);
    expect(infos[0]).toMatchObject({ type: "collection", options: {}, info: { readOnly: false }, idIndex: { name: "_id_" } });
    const named = await c.db("countly").listCollections({ name: "apps" }, { nameOnly: true }).toArray();
    expect(named).toEqual([{ name: "apps", type: "collection" }]);
    const idx = await c.db("countly_drill").collection("drill_events").indexes();
    expect(idx.map((i) => i.name)).toEqual(["_id_", "ts_1"]);
    expect(await c.db("countly").collection("apps").indexes()).toEqual([{ v: 2, key: { _id: 1 }, name: "_id_" }]);
    await expect(c.db("countly").collection("missing").indexes()).rejects.toMatchObject({ code: 26 });
  });

  it("find pages through getMore with a small batchSize, in order", async () => {
    const start = server.commands.length;
    const coll = client(server.uri).db("countly_drill").collection("drill_events");
    const docs = await coll.find({ i: { $gte: 0 } }, { batchSize: 20 }).toArray();
    expect(docs.map((d) => d.i)).toEqual(events.map((e) => e.i));
    expect(docs[0]).toEqual(events[0]);
    const mine = server.commands.slice(start);
    expect(mine.filter((c) => c.name === "find")).toHaveLength(1);
    expect(mine.filter((c) => c.name === "getMore")).toHaveLength(12); // 20 + 12 * 20 >= 250
    const getMore = mine.find((c) => c.name === "getMore")!;
    expect(getMore.db).toBe("countly_drill");
    expect(getMore.body.collection).toBe("drill_events");
    expect(Number(getMore.body.getMore)).toBeGreaterThan(2 ** 32); // an int64 id
  });

  it("find honours filter, projection, sort, skip, limit and the default first batch of 101", async () => {
    const coll = client(server.uri).db("countly_drill").collection("drill_events");
    const page = await coll
      .find({ app: "a", name: { $in: ["Login"] } }, { projection: { _id: 0, i: 1 }, sort: { i: -1 }, skip: 1, limit: 3 })
      .toArray();
    expect(page).toEqual([{ i: 240 }, { i: 234 }, { i: 228 }]);

    const start = server.commands.length;
    const cursor = coll.find({});
    await cursor.next();
    expect(cursor.bufferedCount()).toBe(100);
    await cursor.close();
    const killed = server.commands.slice(start).filter((c) => c.name === "killCursors");
    expect(killed).toHaveLength(1);

    const ids = await client(server.uri).db("countly").collection("apps").find({ _id: appIds[0] }).toArray();
    expect(ids).toEqual([{ _id: appIds[0], name: "First" }]);
    const sorted = await client(server.uri).db("countly").collection("apps").find().sort({ _id: 1 }).toArray();
    expect(sorted.map((a) => a.name)).toEqual(["First", "Second"]);
  });

  it("sends killCursors when a cursor is closed early", async () => {
    const start = server.commands.length;
    const cursor = client(server.uri).db("countly_drill").collection("drill_events").find({}, { batchSize: 5 });
    for (let k = 0; k < 7; k++) await cursor.next();
    await cursor.close();
    const mine = server.commands.slice(start);
    const find = mine.find((c) => c.name === "find")!;
    const kill = mine.find((c) => c.name === "killCursors")!;
    expect(kill.body.killCursors).toBe("drill_events");
    expect(kill.db).toBe("countly_drill");
    expect(find).toBeDefined();
    // Killed ids are gone: a getMore on one of them fails with CursorNotFound.
    const id = (kill.body.cursors as unknown[])[0];
    await expect(
      client(server.uri).db("countly_drill").command({ getMore: Long.fromString(String(id)), collection: "drill_events" }),
    ).rejects.toMatchObject({ code: 43 });
  });

  it("aggregates with $match/$group/$sort", async () => {
    const coll = client(server.uri).db("countly_drill").collection("drill_events");
    const out = await coll
      .aggregate([
        { $match: { ts: { $gte: new Date(BASE), $lt: new Date(BASE + 100 * 3600_000) }, name: { $regex: "^log", $options: "i" } } },
        { $group: { _id: "$app", n: { $sum: 1 }, total: { $sum: "$i" } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    // i in [0, 100) and even: a = multiples of 6 (17 of them), b = the other 33.
    expect(out).toEqual([
      { _id: "a", n: 17, total: 816 },
      { _id: "b", n: 33, total: 1634 },
    ]);
  });

  it("aggregates with $dateToString in a timezone, $toDate, $unwind, $objectToArray, $facet", async () => {
    const coll = client(server.uri).db("countly_drill").collection("drill_events");
    const days = await coll
      .aggregate([
        { $match: { i: { $lt: 6 } } },
        {
          $project: {
            _id: 0,
            kolkata: { $dateToString: { date: "$ts", format: "%Y-%m-%d %H:%M", timezone: "Asia/Kolkata" } },
            offset: { $dateToString: { date: "$ts", format: "%Y-%m-%d %H:%M", timezone: "+05:30" } },
            parsed: { $toDate: { $toLong: "$ts" } },
          },
        },
        { $limit: 1 },
      ])
      .toArray();
    expect(days).toEqual([{ kolkata: "2024-01-02 01:30", offset: "2024-01-02 01:30", parsed: new Date(BASE) }]);

    const facet = await client(server.uri)
      .db("countly")
      .collection("apps")
      .aggregate([
        { $addFields: { kv: { $objectToArray: { name: "$name" } }, idStr: { $toString: "$_id" }, created: { $toDate: "$_id" } } },
        { $unwind: "$kv" },
        { $facet: { count: [{ $count: "n" }], names: [{ $project: { _id: 0, v: "$kv.v", idStr: 1 } }, { $sort: { v: 1 } }] } },
      ])
      .toArray();
    expect(facet).toEqual([
      {
        count: [{ n: 2 }],
        names: [
          { v: "First", idStr: "650000000000000000000001" },
          { v: "Second", idStr: "650000000000000000000002" },
        ],
      },
    ]);
  });

  it("sums Long, Int32, Double and Decimal128 values", async () => {
    const out = await client(server.uri)
      .db("countly")
      .collection("numbers")
      .aggregate([{ $group: { _id: "$k", n: { $sum: "$n" }, m: { $sum: "$m" }, d: { $sum: "$d" } } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(out[0]).toEqual({ _id: "x", n: 5_000_000_007, m: 5, d: 3.5 });
    expect(out[1]).toMatchObject({ _id: "y", m: 1, d: 0.25 });
    const big = await client(server.uri).db("countly").collection("numbers").find({ n: { $gt: 1_000_000 } }).sort({ n: 1 }).toArray();
    expect(big.map((d) => d.k)).toEqual(["x"]); // the unsafe Long stays a Long, which mingo cannot compare
  });

  it("answers countDocuments, estimatedDocumentCount and distinct", async () => {
    const coll = client(server.uri).db("countly_drill").collection("drill_events");
    expect(await coll.countDocuments({ app: "a" })).toBe(84);
    expect(await coll.countDocuments({}, { skip: 10, limit: 5 })).toBe(5);
    expect(await coll.estimatedDocumentCount()).toBe(250);
    expect((await coll.distinct("app")).sort()).toEqual(["a", "b"]);
    expect(await client(server.uri).db("countly").collection("nope").estimatedDocumentCount()).toBe(0);
  });

  it("refuses writes and records them", async () => {
    const c = client(server.uri);
    await expect(c.db("countly").collection("apps").insertOne({ name: "x" })).rejects.toMatchObject({
      code: 59,
      codeName: "CommandNotFound",
    });
    await expect(c.db("countly").collection("apps").updateOne({}, { $set: { a: 1 } })).rejects.toBeInstanceOf(MongoServerError);
    await expect(
      c.db("countly").collection("apps").aggregate([{ $match: {} }, { $out: "copy" }]).toArray(),
    ).rejects.toMatchObject({ code: 59 });
    await expect(c.db("countly").command({ frobnicate: 1 })).rejects.toThrow("no such command: 'frobnicate'");
    const names = server.commands.map((r) => r.name);
    expect(names).toContain("insert");
    expect(names).toContain("update");
    const insert = server.commands.find((r) => r.name === "insert")!;
    expect(insert.db).toBe("countly");
    expect(insert.body.documents).toEqual([expect.objectContaining({ name: "x" })]);
    expect(await c.db("countly").collection("apps").countDocuments()).toBe(2);
  });
});

describe("wire double options", () => {
  it("failCommands turns a command into a MongoServerError with that code", async () => {
    const server = await startWireServer({
      databases: { countly: { apps: [{ name: "a" }] } },
      failCommands: { aggregate: { code: 50, codeName: "MaxTimeMSExpired", errmsg: "operation exceeded time limit" } },
    });
    try {
      const coll = client(server.uri).db("countly").collection("apps");
      const err = await coll.aggregate([{ $match: {} }]).toArray().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect(err).toMatchObject({ code: 50, codeName: "MaxTimeMSExpired", message: "operation exceeded time limit" });
      expect(await coll.countDocuments().catch((e: unknown) => e)).toBeInstanceOf(MongoServerError); // countDocuments aggregates
      expect(await coll.estimatedDocumentCount()).toBe(1);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await server.stop();
    }
  });

  it("rejectAuth makes authentication fail with code 18", async () => {
    const server = await startWireServer({ rejectAuth: true });
    try {
      const c = client(`mongodb://user:secret@127.0.0.1:${server.port}/?authSource=admin`);
      const err = await c.connect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect(err).toMatchObject({ code: 18, codeName: "AuthenticationFailed" });
      expect(server.commands.some((r) => r.name === "saslStart" && r.db === "admin")).toBe(true);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await server.stop();
    }
  });

  it("setCollection replaces data; the default batch size is configurable", async () => {
    const server = await startWireServer({ defaultBatchSize: 3 });
    try {
      server.setCollection("countly", "events", [{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }]);
      const c = client(server.uri);
      const cursor = c.db("countly").collection("events").find();
      await cursor.next();
      expect(cursor.bufferedCount()).toBe(2);
      await cursor.close();
      server.setCollection("countly", "events", [{ a: 9 }]);
      expect(await c.db("countly").collection("events").find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ a: 9 }]);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await server.stop();
    }
  });

  it("stop() resolves while clients are still connected", async () => {
    const server = await startWireServer({ databases: { countly: { apps: [{ name: "a" }] } } });
    const c = client(server.uri, { serverSelectionTimeoutMS: 300 });
    await c.db("admin").command({ ping: 1 });
    await server.stop();
    await expect(c.db("admin").command({ ping: 1 })).rejects.toThrow();
  });
});

describe("startMongoTarget", () => {
  it.skipIf(!!process.env.MONGODB_URI)("serves the databases through the double with an empty prefix", async () => {
    const target = await startMongoTarget({ countly: { apps: [{ name: "a" }] } });
    try {
      expect(target.dbPrefix).toBe("");
      expect(target.double).toBeDefined();
      const c = client(target.uri);
      expect(await c.db(`${target.dbPrefix}countly`).collection("apps").countDocuments()).toBe(1);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await target.close();
    }
  });

  it.runIf(!!process.env.MONGODB_URI)("inserts into prefixed databases on a real server and drops them", async () => {
    const target = await startMongoTarget(
      { countly: { apps: [{ name: "a" }] } },
      { indexes: { countly: { apps: [{ v: 2, key: { name: 1 }, name: "name_1" }] } } },
    );
    const c = client(target.uri);
    const dbName = `${target.dbPrefix}countly`;
    expect(target.dbPrefix).toMatch(/^cc_test_[0-9a-f]+_$/);
    expect(await c.db(dbName).collection("apps").countDocuments()).toBe(1);
    expect((await c.db(dbName).collection("apps").indexes()).map((i) => i.name)).toEqual(["_id_", "name_1"]);
    await target.close();
    const { databases } = await c.db("admin").admin().listDatabases({ nameOnly: true });
    expect(databases.map((d) => d.name)).not.toContain(dbName);
  });
});

// ---------------------------------------------------------------------------------------------
// raw wire messages, for what the driver does not exercise

function header(length: number, requestID: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestID, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

function rawOpMsg(requestID: number, body: Document, opts: { seq?: [string, Document[]]; flags?: number } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from([0]), Buffer.from(serialize(body))];
  if (opts.seq) {
    const [id, docs] = opts.seq;
    const payload = Buffer.concat([Buffer.from(id + "\0"), ...docs.map((d) => Buffer.from(serialize(d)))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4);
    parts.push(Buffer.from([1]), size, payload);
  }
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE(opts.flags ?? 0);
  if ((opts.flags ?? 0) & MSG_CHECKSUM_PRESENT) parts.push(Buffer.alloc(4)); // checksum (not verified)
  const rest = Buffer.concat([flags, ...parts]);
  return Buffer.concat([header(16 + rest.length, requestID, OP_MSG), rest]);
}

function rawOpQuery(requestID: number, ns: string, query: Document): Buffer {
  const flags = Buffer.alloc(4);
  const skipReturn = Buffer.alloc(8);
  skipReturn.writeInt32LE(-1, 4);
  const rest = Buffer.concat([flags, Buffer.from(ns + "\0"), skipReturn, Buffer.from(serialize(query))]);
  return Buffer.concat([header(16 + rest.length, requestID, OP_QUERY), rest]);
}

class RawClient {
  readonly #framer = new MessageFramer();
  readonly #queue: Buffer[] = [];
  #waiter: ((b: Buffer) => void) | undefined;
  readonly socket: Socket;
  constructor(port: number) {
    this.socket = connect({ host: "127.0.0.1", port });
    this.socket.on("data", (chunk: Buffer) => {
      for (const m of this.#framer.push(chunk)) {
        if (this.#waiter) {
          const w = this.#waiter;
          this.#waiter = undefined;
          w(m);
        } else this.#queue.push(m);
      }
    });
  }
  next(): Promise<Buffer> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => (this.#waiter = resolve));
  }
  async ask(msg: Buffer): Promise<Buffer> {
    this.socket.write(msg);
    return this.next();
  }
}

/** The single document of an OP_REPLY (after header + 20 bytes of reply fields). */
function opReplyDoc(msg: Buffer): Document {
  return deserialize(msg.subarray(16 + 20));
}

describe("wire protocol details", () => {
  let server: WireServer;
  let raw: RawClient;
  beforeAll(async () => {
    server = await startWireServer({ databases: { countly: { apps: [{ _id: 1, name: "a" }] } } });
    raw = new RawClient(server.port);
  });
  afterAll(async () => {
    raw.socket.destroy();
    await server.stop();
  });

  it("answers the OP_QUERY handshake with OP_REPLY and refuses other OP_QUERY commands", async () => {
    const reply = await raw.ask(rawOpQuery(7, "admin.$cmd", { isMaster: 1, helloOk: true }));
    const h = readHeader(reply);
    expect(h.opCode).toBe(1);
    expect(h.responseTo).toBe(7);
    expect(reply.readInt32LE(16 + 16)).toBe(1); // numberReturned
    const doc = opReplyDoc(reply);
    expect(doc).toMatchObject({ ismaster: true, isWritablePrimary: true, helloOk: true, maxWireVersion: 21, minWireVersion: 0, ok: 1 });
    expect(doc).not.toHaveProperty("compression");
    expect(doc).not.toHaveProperty("setName");
    const refused = opReplyDoc(await raw.ask(rawOpQuery(8, "countly.$cmd", { find: "apps" })));
    expect(refused).toMatchObject({ ok: 0, code: 352 });
  });

  it("merges kind-1 document sequences into the body and skips a checksum", async () => {
    const msg = rawOpMsg(9, { insert: "apps", $db: "countly" }, { seq: ["documents", [{ a: 1 }, { a: 2 }]], flags: MSG_CHECKSUM_PRESENT });
    const reply = await raw.ask(msg);
    expect(readHeader(reply)).toMatchObject({ opCode: OP_MSG, responseTo: 9 });
    expect(reply.readUInt32LE(16)).toBe(0); // flagBits
    expect(parseOpMsg(reply).body).toEqual({ ok: 0, errmsg: "no such command: 'insert'", code: 59, codeName: "CommandNotFound" });
    expect(server.commands.at(-1)).toEqual({
      db: "countly",
      name: "insert",
      body: { insert: "apps", $db: "countly", documents: [{ a: 1 }, { a: 2 }] },
    });
  });

  it("does not answer moreToCome messages, and hangs up on garbage without dying", async () => {
    raw.socket.write(rawOpMsg(10, { ping: 1, $db: "admin" }, { flags: MSG_MORE_TO_COME }));
    const reply = await raw.ask(rawOpMsg(11, { ping: 1, $db: "admin" }));
    expect(readHeader(reply).responseTo).toBe(11);

    const bad = connect({ host: "127.0.0.1", port: server.port });
    await new Promise<void>((resolve) => {
      bad.on("close", () => resolve());
      bad.on("error", () => undefined);
      bad.write(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
    });
    const after = await raw.ask(rawOpMsg(12, { find: "apps", $db: "countly" }));
    expect(parseOpMsg(after).body).toMatchObject({ ok: 1, cursor: { ns: "countly.apps", firstBatch: [{ _id: 1, name: "a" }] } });
  });
});
