// Source over a live MongoDB (`--source mongodb://…`), through the official driver.
//
// Read-only by construction: the only commands sent are the driver's handshake and
// authentication, listCollections/listDatabases, find (also on local.oplog.rs, for
// its oldest entry), aggregate (never with $out or $merge), count, getMore, killCursors,
// endSessions and, with `explain` (`--explain`), explain with verbosity queryPlanner
// (plans only) instead of each find, aggregate and count. Raw drill data is grouped on the
// server (pipelines/raw-*.ts); aggregated month documents are streamed with a
// projection and folded by the dump collectors' visitors (pipelines/aggregates.ts).
import { MongoClient, type AggregationCursor, type Document, type FindCursor, type MongoClientOptions } from "mongodb";
import { COLLECTIONS, DEFAULT_DATABASES, type DatabaseNames } from "../../../countly/layout.ts";
import type { CollectionRef } from "../../facts/collector.ts";
import { elapsedMs, type QueryTiming } from "../../model.ts";
import type { FactName, FactParams, FactScope } from "../../facts/types.ts";
import { basicsFromDocuments, SourceError, type FactResults, type PipelineOutcome, type PipelineRequest, type Source, type SourceBasics, type SourceWarning } from "../source.ts";
import { clientOptions, DEFAULT_MAX_TIME_MS, DEFAULT_SCAN_WARNING_DOCS, describeUri, hostsOf, selectionTimeoutOf, type MongoSourceOptions } from "./connect.ts";
import { isReplyTimeout, openError, queryErrorMessage, scrub, type ErrorContext } from "./errors.ts";
import { liveCollector } from "./pipelines/index.ts";
import { RAW_TS_FACTS, rawTimestampProblem } from "./pipelines/raw-timestamps.ts";
import type { FindOptions, LiveDb } from "./pipelines/types.ts";
import { BACKUP_DATABASES, type DiffSide } from "../../diff/side.ts";
import { runPipelinesLive, writeStagesOf } from "./run-pipeline.ts";
import { leadingMatch, summarizePlan, type QueryCommand, type QueryPlan } from "./explain-plan.ts";
import { filterFields, servingIndexes, type IndexSpec } from "./index-use.ts";

export type { MongoSourceOptions } from "./connect.ts";

/** Shown in the server's logs, currentOp and profiler next to every command. */
const COMMENT = "countly-check (read-only consistency checks)";
/** How long close() waits for the driver to end its sessions. */
const CLOSE_WAIT_MS = 2_000;

/** A query `--explain` explains instead of running. */
interface PlannedQuery {
  ref: CollectionRef;
  command: QueryCommand;
  label?: string;
  filter?: Document;
  sort?: Document;
  limit?: number;
}

/** A large collection one or more queries of the run scan for want of an index. */
interface UnindexedScan {
  key: string;
  docs: number;
  /** The fields the first such query filters on. */
  fields: string[];
  indexes: string[];
  purposes: string[];
  limit: number;
}

function scanWarning(s: UnindexedScan): SourceWarning {
  const more = s.purposes.length > 1 ? ` and ${s.purposes.length - 1} more quer${s.purposes.length === 2 ? "y" : "ies"} (${s.purposes.slice(1).join("; ")})` : "";
  return {
    id: `unindexed-scan-${s.key}`,
    message: `${s.key} has about ${s.docs.toLocaleString("en-US")} documents and no index serves the filter of ${s.purposes[0]}${more} (fields ${s.fields.join(", ")}; its indexes: ${s.indexes.join(", ") || "none"}): MongoDB reads every document of the collection`,
    remediation: `An index leading with one of these fields lets the server read only the run's documents (docs/live-mongodb.md "Indexes" lists the ones that serve countly-check; \`--explain\` shows each query's plan). Narrowing the run (--app, --from/--to) makes the scan no shorter without one. This warning is given above ${s.limit.toLocaleString("en-US")} documents (--scan-warning-docs).`,
  };
}

/** A query failed; its message is final (one line, host named, no credentials). */
class QueryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "QueryError";
  }
}

export class MongoSource implements Source {
  readonly description: string;
  private readonly databases: DatabaseNames;
  private readonly maxTimeMS: number;
  private readonly driverOptions: MongoClientOptions;
  private readonly ctx: ErrorContext;
  private client?: MongoClient;
  private basics?: SourceBasics;
  /** Set once a reply did not come in time: later queries fail at once instead of each waiting as long again. */
  private stalled?: string;
  /** The query in flight, for deadline messages. */
  private current?: string;
  /** The fact being computed, naming what each query is for. */
  private fact?: string;
  /** `--explain`: the plans of the queries, in the order a run sends them. */
  private readonly explained: QueryPlan[] = [];
  /** Every find, aggregate and count run, with its time and documents returned. */
  private readonly timed: QueryTiming[] = [];
  /** Per collection: its estimated size and indexes, read once for the scan warning. */
  private readonly shapes = new Map<string, Promise<{ docs: number; indexes: IndexSpec[] } | undefined>>();
  /** Per large collection a query scans without an index: what the warning says. */
  private readonly scans = new Map<string, UnindexedScan>();

  constructor(
    private readonly uri: string,
    private readonly options: MongoSourceOptions = {},
  ) {
    this.databases = options.databases ?? DEFAULT_DATABASES;
    this.maxTimeMS = options.maxTimeMS ?? DEFAULT_MAX_TIME_MS;
    this.driverOptions = clientOptions(uri, options);
    this.description = describeUri(uri);
    this.ctx = { uri, hosts: hostsOf(uri), connectTimeoutMS: selectionTimeoutOf(this.driverOptions, uri), maxTimeMS: this.maxTimeMS, replyDeadlineMS: this.driverOptions.socketTimeoutMS };
  }

  async open(): Promise<SourceBasics> {
    if (this.basics) return this.basics;
    try {
      this.client = new MongoClient(this.uri, this.driverOptions);
      this.current = "connecting";
      await this.client.connect();
      this.current = undefined;
      const countly = await this.collectionNames(this.databases.countly);
      const drill = await this.collectionNames(this.databases.drill);
      if (countly.length === 0) throw new SourceError(await this.missingDatabase(this.databases.countly));
      const readWhole = async (name: string, projection: Document) => {
        const docs: Record<string, unknown>[] = [];
        // Read even by --explain: the plans depend on the apps (and are of no interest for these small collections).
        if (countly.includes(name)) for await (const d of this.live(false).find({ db: this.databases.countly, name }, {}, { projection })) docs.push(d);
        return docs;
      };
      const appDocs = await readWhole(COLLECTIONS.apps, { name: 1, key: 1, timezone: 1 });
      const eventDocs = await readWhole(COLLECTIONS.events, { list: 1 });
      const collections = { [this.databases.countly]: countly, [this.databases.drill]: drill };
      try {
        this.basics = basicsFromDocuments(appDocs, eventDocs, collections, this.databases);
      } catch (e) {
        if (e instanceof SourceError) throw new SourceError(scrub(`MongoDB at ${this.ctx.hosts}: ${e.message}`, this.uri));
        throw e;
      }
      return this.basics;
    } catch (e) {
      await this.close().catch(() => undefined);
      if (e instanceof SourceError) throw e;
      if (e instanceof QueryError) throw new SourceError(e.message, { cause: e.cause });
      throw openError(e, this.ctx);
    }
  }

  async computeFacts(requests: ReadonlyMap<FactName, FactParams>, scope: Omit<FactScope, "params">): Promise<FactResults> {
    const { catalog } = await this.open();
    const results: FactResults = {};
    const db = this.live();
    // One fact at a time: a consistency check should not add a burst of parallel
    // heavy aggregations to a production cluster.
    // A raw `ts` that is no time is an error of the raw facts, as on a dump (raw-timestamps.ts).
    // Named as its own purpose in scan warnings, timings and --explain (not "opening the source").
    this.fact = "raw ts check (raw documents whose ts is no time)";
    const badTs = [...requests.keys()].some((f) => RAW_TS_FACTS.has(f)) ? await rawTimestampProblem(db, { ...scope, params: {} }, catalog).catch(() => undefined) : undefined;
    for (const [fact, params] of requests) {
      this.fact = fact;
      if (badTs && RAW_TS_FACTS.has(fact)) {
        (results as Record<string, unknown>)[fact] = { ok: false, error: badTs };
        continue;
      }
      try {
        const value = await liveCollector(fact).compute(db, { ...scope, params }, catalog);
        (results as Record<string, unknown>)[fact] = { ok: true, value };
      } catch (e) {
        const error = e instanceof QueryError ? e.message : queryErrorMessage(e, `computing ${fact}`, this.ctx);
        (results as Record<string, unknown>)[fact] = { ok: false, error };
      }
    }
    this.fact = undefined;
    return results;
  }

  /** Check pipelines (`pipeline` / `compare` checks) run on the server, one after the other (run-pipeline.ts). */
  async diffSide(databases?: readonly string[]): Promise<DiffSide> {
    const { LiveSide } = await import("../../diff/live-side.ts");
    const side = new LiveSide(this.uri, { readPreference: this.options.readPreference, connectTimeoutMS: this.options.connectTimeoutMS });
    if (!this.options.explain) return side;
    await this.explainComparison(side, databases ?? BACKUP_DATABASES);
    return new NotComparedSide(side.description);
  }

  /**
   * `--explain` of the backup comparison (matches-backup): the live side reads every document
   * of each collection of its databases (a raw `find {}` per collection; a second pass repeats
   * it for the ranges that differ). Those finds are explained here; listing the collections is
   * read-only metadata, sent for real. A listing that fails is a plan with its error.
   */
  private async explainComparison(side: DiffSide, databases: readonly string[]): Promise<void> {
    await this.open();
    const previous = this.fact;
    this.fact = "matches-backup (the backup comparison reads every document)";
    try {
      await side.open();
      for (const db of databases) {
        let names: string[] = [];
        try {
          names = (await side.collections(db)) ?? [];
        } catch (e) {
          this.explained.push({ collection: `${db}.*`, command: "find", purpose: this.purposeOf(undefined), plan: "unknown", indexes: [], collectionScan: false, error: (e as Error).message });
        }
        for (const name of names) for await (const _ of this.live(true).find({ db, name }, {})) void _;
      }
    } catch (e) {
      this.explained.push({ collection: `${databases.join(", ")}`, command: "find", purpose: this.purposeOf(undefined), plan: "unknown", indexes: [], collectionScan: false, error: (e as Error).message });
    } finally {
      this.fact = previous;
      await side.close().catch(() => undefined);
    }
  }

  async runPipelines(requests: readonly PipelineRequest[]): Promise<PipelineOutcome[]> {
    await this.open();
    this.fact = "check pipeline";
    return runPipelinesLive(this.live(), requests, (e, what) => (e instanceof QueryError ? e.message : queryErrorMessage(e, what, this.ctx)));
  }

  /** Bounded: closing sends endSessions/killCursors, which a stalled server never answers. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const closing = client.close().catch(() => undefined);
    await Promise.race([closing, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** The query's error, remembered when it says the server stopped answering. */
  private queryError(e: unknown, what: string): QueryError {
    const message = queryErrorMessage(e, what, this.ctx);
    if (isReplyTimeout(e)) this.stalled ??= message;
    return new QueryError(message, { cause: e });
  }

  activity(): string | undefined {
    return this.current ? `${this.current} on MongoDB at ${this.ctx.hosts}` : undefined;
  }

  private refuseWhenStalled(what: string): void {
    if (this.stalled) throw new QueryError(`${what}: not sent, the server stopped answering earlier in this run (${this.stalled})`);
  }

  /** The reads collectors may run, with the run's limits on every command. */
  private live(planOnly = this.options.explain === true): LiveDb {
    const client = this.client;
    if (!client) throw new Error("MongoSource: open() first");
    const collection = (ref: CollectionRef) => client.db(ref.db).collection(ref.name);
    return {
      planOnly,
      aggregate: (ref, pipeline, label) => {
        const writes = writeStagesOf(pipeline);
        if (writes.length) throw new QueryError(`aggregate on ${ref.db}.${ref.name}: ${writes.join(", ")} would write; countly-check only reads`);
        const open = () => collection(ref).aggregate(pipeline, { allowDiskUse: true, maxTimeMS: this.maxTimeMS, comment: label ? `${COMMENT}: ${label}` : COMMENT });
        const query = { ref, command: "aggregate" as const, label, filter: leadingMatch(pipeline) };
        return planOnly ? this.explain(query, open) : this.stream(query, open);
      },
      find: (ref, filter, options: FindOptions = {}) => {
        const open = () => collection(ref).find(filter, { ...options, maxTimeMS: this.maxTimeMS, comment: COMMENT });
        const query = { ref, command: "find" as const, filter, sort: options.sort, limit: options.limit };
        return planOnly ? this.explain(query, open) : this.stream(query, open);
      },
      count: async (ref, options = {}) => {
        const what = `counting ${ref.db}.${ref.name}`;
        const coll = collection(ref);
        const limits = { maxTimeMS: this.maxTimeMS, comment: COMMENT };
        if (planOnly) {
          // What the driver sends: `count` without a query (metadata), or countDocuments' aggregate.
          const query = { ref, command: "count" as const };
          if (options.estimated) await this.record(query, () => client.db(ref.db).command({ explain: { count: ref.name, ...limits }, verbosity: "queryPlanner" }, { readPreference: coll.readPreference }));
          else for await (const _ of this.explain({ ...query, filter: {} }, () => coll.aggregate([{ $match: {} }, { $group: { _id: 1, n: { $sum: 1 } } }], limits)));
          return 0;
        }
        this.refuseWhenStalled(what);
        this.current = what;
        const started = performance.now();
        try {
          return options.estimated ? await coll.estimatedDocumentCount(limits) : await coll.countDocuments({}, limits);
        } catch (e) {
          throw this.queryError(e, what);
        } finally {
          this.current = undefined;
          this.timed.push({ collection: `${ref.db}.${ref.name}`, kind: "count", purpose: this.purposeOf(options.estimated ? "collection metadata" : "countDocuments"), ms: elapsedMs(started), docs: 1 });
        }
      },
      collectionInfo: async (ref) => {
        try {
          const [info] = await client.db(ref.db).listCollections({ name: ref.name }, { nameOnly: false }).toArray();
          return info;
        } catch (e) {
          throw new QueryError(queryErrorMessage(e, `listCollections on ${ref.db}`, this.ctx), { cause: e });
        }
      },
    };
  }

  /** `--explain`: the plans of every query sent so far (find, aggregate, count), in order. */
  plans(): QueryPlan[] {
    return this.explained.map((p) => ({ ...p }));
  }

  /** `--explain` of a cursor's query: yields nothing. */
  private async *explain(query: PlannedQuery, open: () => AggregationCursor<Document> | FindCursor<Document>): AsyncGenerator<Document> {
    await this.record(query, () => open().explain("queryPlanner"));
  }

  /** Sends one explain and keeps its plan (or why there is none). */
  private async record(query: PlannedQuery, explain: () => Promise<Document>): Promise<void> {
    const { ref, command, label, ...shape } = query;
    const what = `explain of ${command} on ${ref.db}.${ref.name}`;
    const purpose = this.purposeOf(label);
    const entry = { collection: `${ref.db}.${ref.name}`, command, purpose, ...Object.fromEntries(Object.entries(shape).filter(([, v]) => v !== undefined)) };
    try {
      this.refuseWhenStalled(what);
      this.current = what;
      this.explained.push({ ...entry, ...summarizePlan(await explain()) });
    } catch (e) {
      const error = e instanceof QueryError ? e.message : this.queryError(e, what).message;
      this.explained.push({ ...entry, plan: "unknown", indexes: [], collectionScan: false, error });
    } finally {
      this.current = undefined;
    }
  }

  /** What a query is for: its label, prefixed by the fact being computed unless the label names it. */
  private purposeOf(label: string | undefined): string {
    if (!label) return this.fact ?? "opening the source (apps, event lists)";
    return this.fact && !label.startsWith(this.fact) && this.fact !== "check pipeline" ? `${this.fact}: ${label}` : label;
  }

  private async *stream(query: PlannedQuery, open: () => AggregationCursor<Document> | FindCursor<Document>): AsyncGenerator<Document> {
    const { ref, command, label } = query;
    const what = `${command} on ${ref.db}.${ref.name}`;
    await this.warnBeforeScan(query);
    this.refuseWhenStalled(what);
    const started = performance.now();
    let docs = 0;
    const cursor = open();
    this.current = label ? `${what} (${label})` : what;
    try {
      for await (const doc of cursor) {
        docs++;
        yield doc;
      }
    } catch (e) {
      throw this.queryError(e, what);
    } finally {
      this.current = undefined;
      await cursor.close().catch(() => undefined);
      this.timed.push({ collection: `${ref.db}.${ref.name}`, kind: command, purpose: this.purposeOf(label), ms: elapsedMs(started), docs });
    }
  }

  /**
   * Warns (once per collection, as soon as it is found, so before the scan starts) when a
   * query's filter is served by no index of a collection with more than
   * `scanWarningDocs` documents: MongoDB will read every document of it.
   */
  private async warnBeforeScan(query: PlannedQuery): Promise<void> {
    const limit = this.options.scanWarningDocs ?? DEFAULT_SCAN_WARNING_DOCS;
    const { ref, filter } = query;
    // An empty filter reads the whole collection by design (small metadata, or a fact that needs every document): no index would help.
    if (limit <= 0 || !filter || Object.keys(filter).length === 0) return;
    const key = `${ref.db}.${ref.name}`;
    let shape = this.shapes.get(key);
    if (!shape) this.shapes.set(key, (shape = this.collectionShape(ref)));
    const found = await shape;
    if (!found || found.docs <= limit || servingIndexes(filter, found.indexes).length > 0) return;
    const purpose = this.purposeOf(query.label);
    const known = this.scans.get(key);
    if (known) {
      if (!known.purposes.includes(purpose)) known.purposes.push(purpose);
      return;
    }
    const scan = { key, docs: found.docs, fields: filterFields(filter), indexes: found.indexes.map((i) => String(i.name)), purposes: [purpose], limit };
    this.scans.set(key, scan);
    this.options.onWarning?.(scanWarning(scan).message);
  }

  /** About how many documents a collection has (collection metadata) and its indexes: both reads; undefined when either cannot be had. */
  private async collectionShape(ref: CollectionRef): Promise<{ docs: number; indexes: IndexSpec[] } | undefined> {
    const coll = this.client!.db(ref.db).collection(ref.name);
    const what = `listIndexes on ${ref.db}.${ref.name}`;
    const started = performance.now();
    if (this.stalled) return undefined;
    this.current = `counting ${ref.db}.${ref.name} (size and indexes, for the scan warning)`;
    try {
      const docs = await coll.estimatedDocumentCount({ maxTimeMS: this.maxTimeMS, comment: `${COMMENT}: index check` });
      this.timed.push({ collection: `${ref.db}.${ref.name}`, kind: "count", purpose: "index check (collection metadata)", ms: elapsedMs(started), docs: 1 });
      if (docs <= (this.options.scanWarningDocs ?? DEFAULT_SCAN_WARNING_DOCS)) return { docs, indexes: [] };
      return { docs, indexes: (await coll.listIndexes({ maxTimeMS: this.maxTimeMS }).toArray()) as IndexSpec[] };
    } catch (e) {
      // Best effort (a user may not list indexes); a server that stopped answering still stops the run's later queries.
      if (isReplyTimeout(e)) this.queryError(e, what);
      return undefined;
    } finally {
      this.current = undefined;
    }
  }

  /** Large collections a query of this run scans for want of an index, as report warnings. */
  warnings(): SourceWarning[] {
    return [...this.scans.values()].map(scanWarning);
  }

  /** What each find, aggregate and count so far cost (the JSON report's `timings`). */
  timings(): QueryTiming[] {
    return this.timed.map((t) => ({ ...t }));
  }

  /** Collection names of a database (none when it does not exist); views and system collections are left out, as a dump has no data files for them. */
  private async collectionNames(db: string): Promise<string[]> {
    const what = `listCollections on ${db}`;
    try {
      const infos = await this.client!.db(db).listCollections({}, { nameOnly: true, authorizedCollections: true }).toArray();
      return infos
        .filter((c) => c.type !== "view" && !c.name.startsWith("system."))
        .map((c) => c.name)
        .sort();
    } catch (e) {
      throw this.queryError(e, what);
    }
  }

  private async missingDatabase(db: string): Promise<string> {
    let known = "";
    try {
      const { databases } = await this.client!.db("admin").admin().listDatabases({ nameOnly: true, authorizedDatabases: true });
      const names = databases.map((d) => d.name).filter((n) => !["admin", "local", "config"].includes(n));
      known = names.length ? ` (databases there: ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""})` : " (it has no other databases)";
    } catch {
      // listDatabases may not be allowed for this user; the message stands without the list.
    }
    return scrub(`MongoDB at ${this.ctx.hosts} has no database "${db}", or it is empty, or this user may not list its collections${known}: is this Countly's server?`, this.uri);
  }
}

/** What `--explain` gives the backup comparison once its queries are explained: a side that is not read, so the comparison (and its read of the backup) stops there. */
class NotComparedSide implements DiffSide {
  readonly location: string;
  constructor(readonly description: string) {
    this.location = description;
  }
  async open(): Promise<void> {
    throw new Error("--explain: the backup comparison is not run (the queries of its live side are explained)");
  }
  collections(): Promise<string[] | undefined> {
    return this.open().then(() => undefined);
  }
  indexes(): Promise<undefined> {
    return this.open().then(() => undefined);
  }
  scan(): Promise<number> {
    return this.open().then(() => 0);
  }
  async close(): Promise<void> {}
}
