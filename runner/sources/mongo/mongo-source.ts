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
import type { FactName, FactParams, FactScope } from "../../facts/types.ts";
import { basicsFromDocuments, SourceError, type FactResults, type PipelineOutcome, type PipelineRequest, type Source, type SourceBasics } from "../source.ts";
import { clientOptions, DEFAULT_MAX_TIME_MS, describeUri, hostsOf, selectionTimeoutOf, type MongoSourceOptions } from "./connect.ts";
import { isReplyTimeout, openError, queryErrorMessage, scrub, type ErrorContext } from "./errors.ts";
import { liveCollector } from "./pipelines/index.ts";
import type { FindOptions, LiveDb } from "./pipelines/types.ts";
import type { DiffSide } from "../../diff/side.ts";
import { runPipelinesLive, writeStagesOf } from "./run-pipeline.ts";
import { leadingMatch, summarizePlan, type QueryCommand, type QueryPlan } from "./explain-plan.ts";

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
    for (const [fact, params] of requests) {
      this.fact = fact;
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
  async diffSide(): Promise<DiffSide> {
    const { LiveSide } = await import("../../diff/live-side.ts");
    return new LiveSide(this.uri, { readPreference: this.options.readPreference, connectTimeoutMS: this.options.connectTimeoutMS });
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
        return planOnly ? this.explain(query, open) : this.stream(`aggregate on ${ref.db}.${ref.name}`, label, open);
      },
      find: (ref, filter, options: FindOptions = {}) => {
        const open = () => collection(ref).find(filter, { ...options, maxTimeMS: this.maxTimeMS, comment: COMMENT });
        const query = { ref, command: "find" as const, filter, sort: options.sort, limit: options.limit };
        return planOnly ? this.explain(query, open) : this.stream(`find on ${ref.db}.${ref.name}`, undefined, open);
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
        try {
          return options.estimated ? await coll.estimatedDocumentCount(limits) : await coll.countDocuments({}, limits);
        } catch (e) {
          throw this.queryError(e, what);
        } finally {
          this.current = undefined;
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
    if (!label) return this.fact ?? "reading the source";
    return this.fact && !label.startsWith(this.fact) && this.fact !== "check pipeline" ? `${this.fact}: ${label}` : label;
  }

  private async *stream(what: string, label: string | undefined, open: () => AggregationCursor<Document> | FindCursor<Document>): AsyncGenerator<Document> {
    this.refuseWhenStalled(what);
    const cursor = open();
    this.current = label ? `${what} (${label})` : what;
    try {
      for await (const doc of cursor) yield doc;
    } catch (e) {
      throw this.queryError(e, what);
    } finally {
      this.current = undefined;
      await cursor.close().catch(() => undefined);
    }
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
