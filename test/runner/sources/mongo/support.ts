// Shared by the MongoSource tests: the same dataset read as a dump (DumpSource over
// the fixtures' dump writer output) and live (MongoSource through the driver against
// the wire double, or a real server when MONGODB_URI is set), and a fact comparison.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { DatabaseNames } from "../../../../countly/layout.ts";
import type { Period } from "../../../../countly/time.ts";
import type { Dataset } from "../../../../fixtures/dataset.ts";
import { DB } from "../../../../fixtures/dataset.ts";
import { secondaryIndexes, writeDump } from "../../../../fixtures/dump-writer.ts";
import { DUMP_COLLECTORS } from "../../../../runner/facts/dump/index.ts";
import { insertScope } from "../../../../runner/facts/raw-insert-groups.ts";
import type { FactName, FactParams } from "../../../../runner/facts/types.ts";
import { DumpSource } from "../../../../runner/sources/dump/dump-source.ts";
import { MongoSource, type MongoSourceOptions } from "../../../../runner/sources/mongo/mongo-source.ts";
import type { FactResults, Source, SourceBasics } from "../../../../runner/sources/source.ts";
import { startMongoTarget, type MongoTarget } from "../../../support/mongo-target.ts";
import type { RecordedCommand, WireServerOptions } from "../../../support/wire-server/index.ts";

/** Every fact there is (a fact added to the dump collectors is compared live too). */
export const ALL_FACTS: readonly FactName[] = Object.keys(DUMP_COLLECTORS) as FactName[];

/** Tests that need the wire double's fault injection (failCommands, rejectAuth) cannot run on a real server. */
export const ON_REAL_SERVER = process.env.MONGODB_URI !== undefined && process.env.MONGODB_URI !== "";

export interface Computed {
  basics: SourceBasics;
  facts: FactResults;
}

export function requestsFor(params: FactParams = {}, facts: readonly FactName[] = ALL_FACTS): Map<FactName, FactParams> {
  return new Map(facts.map((f) => [f, { ...params }]));
}

/** Opens a source and computes the facts for all its healthy apps over `period`. */
export async function compute(source: Source, period: Period, params: FactParams = {}, facts: readonly FactName[] = ALL_FACTS): Promise<Computed> {
  try {
    const basics = await source.open();
    const apps = basics.apps.filter((a) => !a.problem);
    const results = await source.computeFacts(requestsFor(params, facts), { apps, period, layout: basics.layout, databases: basics.databases, allApps: true });
    return { basics, facts: results };
  } finally {
    await source.close();
  }
}

export async function withDumpDir<T>(ds: Dataset, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "countly-check-mongo-"));
  try {
    await writeDump(ds, dir);
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function dumpFacts(ds: Dataset, period: Period, params: FactParams = {}): Promise<Computed> {
  return withDumpDir(ds, (dir) => compute(new DumpSource(dir), period, params));
}

/** The indexes a Countly install has (the ones the dump writer records), so a real server plans with them. */
export function countlyIndexes(ds: Dataset): NonNullable<WireServerOptions["indexes"]> {
  const out: NonNullable<WireServerOptions["indexes"]> = {};
  for (const [db, colls] of Object.entries(ds.databases)) {
    for (const coll of Object.keys(colls)) {
      const specs = secondaryIndexes(db, coll);
      if (specs.length) (out[db] ??= {})[coll] = specs.map((s) => ({ v: 2, ...s }));
    }
  }
  return out;
}

/**
 * What the live rawInserts must equal: the dump collector's fact over only the raw
 * documents the run's scope admits (raw-insert-groups.ts insertScope: the run's apps and,
 * with a period, its app-local days). Over every app and all time, the dump's own fact.
 */
export async function scopedInsertsReference(ds: Dataset, period: Period, params: FactParams = {}): Promise<FactResults["rawInserts"]> {
  const whole = await dumpFacts(ds, {}, params);
  const { basics } = whole;
  const scope = { apps: basics.apps.filter((a) => !a.problem), period, layout: basics.layout, databases: basics.databases, params, allApps: true };
  const inScope = insertScope(scope, basics.catalog);
  const drill = Object.fromEntries(Object.entries(ds.databases[DB.drill] ?? {}).map(([name, docs]) => [name, docs.filter((d) => inScope(d, { db: basics.databases.drill, name }))]));
  const scoped: Dataset = { ...ds, databases: { ...ds.databases, [DB.drill]: drill } };
  const fact = (await withDumpDir(scoped, (dir) => compute(new DumpSource(dir), period, params, ["rawInserts"]))).facts.rawInserts;
  // A legacy collection whose documents all fall outside the period gives the dump collector a 0-document group; the server returns no group.
  return fact?.ok ? { ok: true, value: { ...fact.value, rows: fact.value.rows.filter((r) => r.docs > 0) } } : fact;
}

/** What every live fact must equal: the dump's facts, with rawInserts scoped to the run as the live source scopes it. */
export async function referenceFacts(ds: Dataset, period: Period, params: FactParams = {}): Promise<Computed> {
  const dump = await dumpFacts(ds, period, params);
  if (period.from === undefined && period.to === undefined) return dump;
  return { ...dump, facts: { ...dump.facts, rawInserts: await scopedInsertsReference(ds, period, params) } };
}

/** Serves the dataset (wire double, or MONGODB_URI) for the body. */
export async function withTarget<T>(ds: Dataset, body: (target: MongoTarget, databases: DatabaseNames) => Promise<T>, options: Omit<WireServerOptions, "databases"> = {}): Promise<T> {
  const target = await startMongoTarget(ds.databases, { indexes: countlyIndexes(ds), ...options });
  try {
    return await body(target, { countly: `${target.dbPrefix}${DB.countly}`, drill: `${target.dbPrefix}${DB.drill}` });
  } finally {
    await target.close();
  }
}

/** Facts read live; `commands` are the ones the wire double received (undefined on a real server). Physical database names in the facts are mapped back to the dataset's. */
export async function liveFacts(ds: Dataset, period: Period, params: FactParams = {}, options: MongoSourceOptions = {}): Promise<Computed & { commands?: RecordedCommand[] }> {
  return withTarget(ds, async (target, databases) => {
    const computed = await compute(new MongoSource(target.uri, { databases, ...options }), period, params);
    const logical = { [databases.countly]: DB.countly, [databases.drill]: DB.drill };
    return { basics: computed.basics, facts: renameDatabases(computed.facts, logical), commands: target.double?.commands };
  });
}

/** Replaces physical database names (`cc_test_x_countly`, or a renamed install's) by logical ones wherever facts mention them: `<db>`, `<db>.<collection>…`, and object keys. */
export function renameDatabases<T>(value: T, names: Record<string, string>): T {
  const rename = (s: string): string => {
    for (const [physical, logical] of Object.entries(names)) {
      if (physical === logical) continue;
      if (s === physical) return logical;
      if (s.startsWith(`${physical}.`)) return `${logical}${s.slice(physical.length)}`;
    }
    return s;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return rename(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [rename(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}

const FLOAT_FIELDS = new Set(["s", "dur"]);

/** Floats summed in a different order differ in the last bits. */
function closeEnough(a: number, b: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/** Arrays of rows in a canonical order (by every field but the float sums). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    const key = (v: unknown) => JSON.stringify(v, (k, x) => (FLOAT_FIELDS.has(k) ? undefined : x));
    return items.every((v) => v !== null && typeof v === "object") ? items.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0)) : items;
  }
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  return value;
}

function compareDeep(a: unknown, b: unknown, path: string, field: string, diffs: string[]): void {
  if (diffs.length >= 10) return;
  if (typeof a === "number" && typeof b === "number" && FLOAT_FIELDS.has(field)) {
    if (!closeEnough(a, b)) diffs.push(`${path}: ${a} != ${b}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) diffs.push(`${path}: ${a.length} rows != ${b.length} rows`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) compareDeep(a[i], b[i], `${path}[${i}]`, field, diffs);
    return;
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      if (x === undefined && y === undefined) continue;
      compareDeep(x, y, `${path}.${k}`, k, diffs);
    }
    return;
  }
  if (!Object.is(a, b) && !(a === 0 && b === 0)) diffs.push(`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
}

/**
 * What only one side can know, left out of the comparison: the oplog (live only), where
 * drill_events' UUID was read (metadata.json or listCollections) and, on a real server,
 * the UUID itself (a server gives every collection it creates a random one).
 */
function withoutSourceSpecifics(facts: FactResults): FactResults {
  const cs = facts.changeStreams;
  if (!cs?.ok) return facts;
  const { oplog: _oplog, drillEvents, ...rest } = cs.value;
  const uuid = drillEvents && "uuid" in drillEvents && !ON_REAL_SERVER ? { drillEvents: { uuid: drillEvents.uuid } } : drillEvents && "unknown" in drillEvents ? { drillEvents } : {};
  return { ...facts, changeStreams: { ok: true, value: { ...rest, ...uuid } as typeof cs.value } };
}

/** Differences between two fact results (empty when equal: deep equality after sorting, s/dur within 1e-9 relative). */
export function factDifferences(dump: FactResults, live: FactResults): string[] {
  const diffs: string[] = [];
  compareDeep(canonical(withoutSourceSpecifics(dump)), canonical(withoutSourceSpecifics(live)), "facts", "", diffs);
  return diffs;
}

export function assertSameFacts(dump: FactResults, live: FactResults, context = ""): void {
  for (const fact of Object.keys(dump) as FactName[]) assert.ok(dump[fact]?.ok, `${context} dump fact ${fact} failed: ${JSON.stringify(dump[fact])}`);
  for (const fact of Object.keys(live) as FactName[]) assert.ok(live[fact]?.ok, `${context} live fact ${fact} failed: ${JSON.stringify(live[fact])}`);
  const diffs = factDifferences(dump, live);
  assert.deepEqual(diffs, [], `${context} live facts differ from the dump's:\n${diffs.join("\n")}`);
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
