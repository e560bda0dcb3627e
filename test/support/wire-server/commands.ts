/**
 * Command handlers. Only read commands are implemented; everything else, writes included,
 * answers code 59 CommandNotFound exactly like an unknown command.
 */
import { Binary, Long } from "bson";
import type { Document } from "bson";
import { CursorRegistry, DEFAULT_BATCH_SIZE } from "./cursors.ts";
import { distinctValues, matches, runAggregate, runFind } from "./engine.ts";
import type { EngineOptions } from "./engine.ts";
import {
  CommandError,
  authenticationFailed,
  badValue,
  commandNotFound,
  cursorNotFound,
  failedToParse,
  namespaceNotFound,
  toCommandError,
  typeMismatch,
  unauthorized,
} from "./errors.ts";
import { fixtureCollectionUuid } from "../../../fixtures/collection-uuids.ts";
import { explainReply } from "./planner.ts";
import type { DataStore } from "./store.ts";
import type { WireServerOptions } from "./types.ts";
import { cloneValue, toPlainNumbers } from "./values.ts";

export const SERVER_VERSION = "7.0.0";
export const MAX_WIRE_VERSION = 21;
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;

export interface ServerState {
  store: DataStore;
  cursors: CursorRegistry;
  options: WireServerOptions;
}

export interface CommandContext {
  db: string;
  connectionId: number;
  state: ServerState;
}

type Handler = (body: Document, ctx: CommandContext) => Document;

// ---------------------------------------------------------------------------------------------
// argument helpers

function asNumber(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number") return v;
  if (v instanceof Long) return v.toNumber();
  if (typeof v === "bigint") return Number(v);
  throw typeMismatch(`Field '${field}' must be a number`);
}

function asDocument(v: unknown, field: string): Document | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "object" && !Array.isArray(v)) return v as Document;
  throw typeMismatch(`Field '${field}' must be an object`);
}

function batchSizeOf(v: unknown, field: string): number | undefined {
  const n = asNumber(v, field);
  if (n !== undefined && n < 0) throw badValue(`${field} must be non-negative, but received: ${n}`);
  return n;
}

function collectionName(body: Document, name: string): string {
  const coll = body[name];
  if (typeof coll !== "string" || coll.length === 0) {
    throw new CommandError(73, "InvalidNamespace", `collection name has invalid type ${typeof coll}`);
  }
  return coll;
}

function engineOptions(ctx: CommandContext, body: Document): EngineOptions {
  const { store } = ctx.state;
  return {
    collectionResolver: (name: string) => store.documents(ctx.db, name).map(cloneValue),
    ...(body.collation ? { collation: body.collation as EngineOptions["collation"] } : {}),
    ...(body.let ? { variables: body.let as Record<string, unknown> } : {}),
  };
}

function cursorId(v: unknown): bigint {
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (v instanceof Long) return v.toBigInt();
  if (typeof v === "bigint") return v;
  throw typeMismatch("cursor id must be a 64-bit integer");
}

function defaultBatch(ctx: CommandContext): number {
  return ctx.state.options.defaultBatchSize ?? DEFAULT_BATCH_SIZE;
}

// ---------------------------------------------------------------------------------------------
// handshake and server information

export function helloReply(body: Document, ctx: CommandContext): Document {
  const reply: Document = {
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
  };
  // Only answered when asked (the driver sends it with credentials); no speculativeAuthenticate
  // is ever returned, so the driver always falls back to an explicit saslStart.
  if (typeof body.saslSupportedMechs === "string") reply.saslSupportedMechs = ["SCRAM-SHA-1", "SCRAM-SHA-256"];
  reply.ok = 1;
  return reply;
}

const buildInfo: Handler = () => ({
  version: SERVER_VERSION,
  gitVersion: "0000000000000000000000000000000000000000",
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  storageEngines: ["wiredTiger"],
  modules: [],
  javascriptEngine: "mozjs",
  ok: 1,
});

const KNOWN_PARAMETERS: Record<string, unknown> = {
  featureCompatibilityVersion: { version: "7.0" },
  authenticationMechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"],
  maxBSONDepth: 200,
};

const getParameter: Handler = (body) => {
  const all = body.getParameter === "*" || (typeof body.getParameter === "object" && body.getParameter?.allParameters);
  if (all) return { ...KNOWN_PARAMETERS, ok: 1 };
  const reply: Document = {};
  for (const key of Object.keys(body)) {
    if (key === "getParameter" || key.startsWith("$") || key === "lsid" || key === "comment") continue;
    if (!(key in KNOWN_PARAMETERS)) throw new CommandError(72, "InvalidOptions", "no option found to get");
    reply[key] = KNOWN_PARAMETERS[key];
  }
  return { ...reply, ok: 1 };
};

// ---------------------------------------------------------------------------------------------
// catalog

const listDatabases: Handler = (body, ctx) => {
  if (ctx.db !== "admin") throw unauthorized("listDatabases may only be run against the admin database.");
  const { store } = ctx.state;
  const nameOnly = body.nameOnly === true;
  const filter = asDocument(body.filter, "filter");
  let entries: Document[] = store.databaseNames().map((name) =>
    nameOnly ? { name } : { name, sizeOnDisk: store.sizeOnDisk(name), empty: store.isEmpty(name) },
  );
  entries = entries.filter((e) => matches(e, filter));
  if (nameOnly) return { databases: entries, ok: 1 };
  const totalSize = entries.reduce((n, e) => n + (e.sizeOnDisk as number), 0);
  return { databases: entries, totalSize, totalSizeMb: Math.floor(totalSize / (1024 * 1024)), ok: 1 };
};

const listCollections: Handler = (body, ctx) => {
  const { store, cursors } = ctx.state;
  const nameOnly = body.nameOnly === true;
  const filter = asDocument(body.filter, "filter");
  const cursorOpts = asDocument(body.cursor, "cursor") ?? {};
  const entries = store
    .collectionNames(ctx.db)
    .map((name): Document => ({
      name,
      type: "collection",
      options: {},
      // Every collection has a UUID (MongoDB 3.6+); the double's is the fixture server's (fixtures/collection-uuids.ts).
      info: { readOnly: false, uuid: new Binary(hexBytes(fixtureCollectionUuid(name)), Binary.SUBTYPE_UUID) },
      idIndex: { v: 2, key: { _id: 1 }, name: "_id_" },
    }))
    .filter((e) => matches(e, filter))
    .map((e) => (nameOnly ? { name: e.name, type: e.type } : e));
  return cursors.open(`${ctx.db}.$cmd.listCollections`, entries, batchSizeOf(cursorOpts.batchSize, "batchSize"));
};

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

const listIndexes: Handler = (body, ctx) => {
  const coll = collectionName(body, "listIndexes");
  const specs = ctx.state.store.indexes(ctx.db, coll);
  if (!specs) throw namespaceNotFound(`${ctx.db}.${coll}`);
  const cursorOpts = asDocument(body.cursor, "cursor") ?? {};
  return ctx.state.cursors.open(
    `${ctx.db}.$cmd.listIndexes.${coll}`,
    specs,
    batchSizeOf(cursorOpts.batchSize, "batchSize"),
  );
};

// ---------------------------------------------------------------------------------------------
// reads

const find: Handler = (body, ctx) => {
  const coll = collectionName(body, "find");
  let limit = asNumber(body.limit, "limit") ?? 0;
  let singleBatch = body.singleBatch === true;
  if (limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  const skip = asNumber(body.skip, "skip") ?? 0;
  if (skip < 0) throw badValue(`Skip value must be non-negative, but received: ${skip}`);
  const results = runFind(
    ctx.state.store.documents(ctx.db, coll),
    {
      filter: asDocument(body.filter, "filter"),
      projection: asDocument(body.projection, "projection"),
      sort: asDocument(body.sort, "sort"),
      skip,
      limit,
    },
    engineOptions(ctx, body),
  );
  const batchSize = batchSizeOf(body.batchSize, "batchSize") ?? defaultBatch(ctx);
  const typed = results.map((r) => ctx.state.store.withStoredTypes(ctx.db, coll, r));
  return ctx.state.cursors.open(`${ctx.db}.${coll}`, typed, batchSize, singleBatch);
};

const WRITE_STAGES = new Set(["$out", "$merge"]);

function findWriteStage(v: unknown): string | undefined {
  if (v === null || typeof v !== "object") return undefined;
  if (Array.isArray(v)) {
    for (const x of v) {
      const hit = findWriteStage(x);
      if (hit) return hit;
    }
    return undefined;
  }
  for (const [k, x] of Object.entries(v)) {
    if (WRITE_STAGES.has(k)) return k;
    const hit = findWriteStage(x);
    if (hit) return hit;
  }
  return undefined;
}

const aggregate: Handler = (body, ctx) => {
  const target = body.aggregate;
  const isCollection = typeof target === "string" && target.length > 0;
  if (!isCollection && target !== 1) {
    throw failedToParse("Invalid aggregate namespace: 'aggregate' must be a collection name or 1");
  }
  const pipeline = body.pipeline;
  if (!Array.isArray(pipeline)) throw typeMismatch("'pipeline' option must be specified as an array");
  const cursorOpts = asDocument(body.cursor, "cursor");
  if (!cursorOpts && body.explain !== true) {
    throw failedToParse("The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const writeStage = findWriteStage(pipeline);
  if (writeStage) {
    throw new CommandError(59, "CommandNotFound", `${writeStage} is not supported: the wire double is read-only`);
  }
  const docs = isCollection ? ctx.state.store.documents(ctx.db, target) : [];
  let results: Document[];
  try {
    results = runAggregate(docs, pipeline as Document[], engineOptions(ctx, body));
  } catch (e) {
    throw toCommandError(e);
  }
  const ns = isCollection ? `${ctx.db}.${target}` : `${ctx.db}.$cmd.aggregate`;
  const batchSize = batchSizeOf(cursorOpts?.batchSize, "batchSize") ?? defaultBatch(ctx);
  return ctx.state.cursors.open(ns, results, batchSize);
};

const getMore: Handler = (body, ctx) => {
  const id = cursorId(body.getMore);
  const reply = ctx.state.cursors.next(id, batchSizeOf(body.batchSize, "batchSize"));
  if (!reply) throw cursorNotFound(id);
  return reply;
};

const killCursors: Handler = (body, ctx) => {
  collectionName(body, "killCursors");
  if (!Array.isArray(body.cursors)) throw typeMismatch("Field 'cursors' must be an array");
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const raw of body.cursors) {
    const id = cursorId(raw);
    (ctx.state.cursors.kill(id) ? killed : notFound).push(Long.fromBigInt(id));
  }
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

const count: Handler = (body, ctx) => {
  const coll = collectionName(body, "count");
  const skip = asNumber(body.skip, "skip") ?? 0;
  const limit = Math.abs(asNumber(body.limit, "limit") ?? 0);
  if (skip < 0) throw badValue(`Skip value must be non-negative, but received: ${skip}`);
  const query = asDocument(body.query, "query");
  const docs = ctx.state.store.documents(ctx.db, coll);
  let n = 0;
  for (const d of docs) if (matches(d, query, engineOptions(ctx, body))) n++;
  n = Math.max(0, n - skip);
  if (limit > 0) n = Math.min(n, limit);
  return { n, ok: 1 };
};

const distinct: Handler = (body, ctx) => {
  const coll = collectionName(body, "distinct");
  if (typeof body.key !== "string") throw typeMismatch("Field 'key' must be a string");
  const query = asDocument(body.query, "query");
  const opts = engineOptions(ctx, body);
  const docs = ctx.state.store.documents(ctx.db, coll).filter((d) => matches(d, query, opts));
  return { values: distinctValues(docs, body.key).map(cloneValue), ok: 1 };
};

/** Commands the double explains: reads only (a real server also explains update/delete/findAndModify; we never send those). */
const EXPLAINABLE = new Set(["find", "aggregate", "count"]);

/** queryPlanner only: plans from the collection's indexes (planner.ts), nothing executed. */
const explain: Handler = (body, ctx) => {
  const inner = asDocument(body.explain, "explain");
  if (!inner) throw failedToParse("explain command requires a nested object");
  const verbosity = body.verbosity ?? "allPlansExecution";
  if (verbosity !== "queryPlanner") throw badValue(`the wire double explains with verbosity queryPlanner only (asked: ${String(verbosity)}): the others execute the query`);
  const name = Object.keys(inner)[0] ?? "";
  if (!EXPLAINABLE.has(name)) throw new CommandError(59, "CommandNotFound", `explain of ${name} is not supported: the wire double is read-only`);
  if (name === "aggregate") {
    const writeStage = findWriteStage(inner.pipeline);
    if (writeStage) throw new CommandError(59, "CommandNotFound", `${writeStage} is not supported: the wire double is read-only`);
  }
  const coll = collectionName(inner, name);
  const indexes = (ctx.state.store.indexes(ctx.db, coll) ?? []) as { name: string; key: Record<string, number> }[];
  return explainReply(name, inner, `${ctx.db}.${coll}`, indexes);
};

// ---------------------------------------------------------------------------------------------
// sessions and authentication

const ok: Handler = () => ({ ok: 1 });

const saslStart: Handler = () => {
  // SCRAM is not implemented: authentication never succeeds, rejectAuth or not.
  throw authenticationFailed();
};

// ---------------------------------------------------------------------------------------------

const HANDLERS: Record<string, Handler> = {
  hello: helloReply,
  isMaster: helloReply,
  ismaster: helloReply,
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  listDatabases,
  listCollections,
  listIndexes,
  find,
  aggregate,
  getMore,
  killCursors,
  count,
  distinct,
  explain,
  endSessions: ok,
  saslStart,
  saslContinue: saslStart,
  authenticate: saslStart,
};

export const HANDSHAKE_COMMANDS = new Set(["hello", "isMaster", "ismaster"]);

/** Runs one command; never throws (errors become `{ ok: 0, ... }`). */
export function runCommand(name: string, body: Document, ctx: CommandContext): Document {
  try {
    const failure = ctx.state.options.failCommands?.[name];
    if (failure) throw new CommandError(failure.code, failure.codeName, failure.errmsg);
    if (ctx.state.options.unauthorizedDatabases?.includes(ctx.db)) throw unauthorized(`not authorized on ${ctx.db} to execute command { ${name}: ... }`);
    const handler = Object.prototype.hasOwnProperty.call(HANDLERS, name) ? HANDLERS[name] : undefined;
    if (!handler) throw commandNotFound(name);
    return handler(toPlainNumbers(body) as Document, ctx);
  } catch (e) {
    return toCommandError(e).toReply();
  }
}
