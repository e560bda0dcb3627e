// Source over a live MongoDB (`--source mongodb://…`), through the official driver.
//
// Read-only by construction: the only commands sent are the driver's handshake and
// authentication, listCollections/listDatabases, find (also on local.oplog.rs, for
// its oldest entry), aggregate (never with $out or $merge), getMore, killCursors and
// endSessions. Raw drill data is grouped on the
// server (pipelines/raw-*.ts); aggregated month documents are streamed with a
// projection and folded by the dump collectors' visitors (pipelines/aggregates.ts).
import { MongoClient, type AbstractCursor, type Document, type MongoClientOptions } from "mongodb";
import { COLLECTIONS, DEFAULT_DATABASES, type DatabaseNames } from "../../../countly/layout.ts";
import type { FactName, FactParams, FactScope } from "../../facts/types.ts";
import { basicsFromDocuments, SourceError, type FactResults, type PipelineOutcome, type PipelineRequest, type Source, type SourceBasics } from "../source.ts";
import { clientOptions, DEFAULT_MAX_TIME_MS, describeUri, hostsOf, selectionTimeoutOf, type MongoSourceOptions } from "./connect.ts";
import { isReplyTimeout, openError, queryErrorMessage, scrub, type ErrorContext } from "./errors.ts";
import { liveCollector } from "./pipelines/index.ts";
import type { FindOptions, LiveDb } from "./pipelines/types.ts";
import type { DiffSide } from "../../diff/side.ts";
import { runPipelinesLive } from "./run-pipeline.ts";

export type { MongoSourceOptions } from "./connect.ts";

/** Shown in the server's logs, currentOp and profiler next to every command. */
const COMMENT = "countly-check (read-only consistency checks)";
/** How long close() waits for the driver to end its sessions. */
const CLOSE_WAIT_MS = 2_000;

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
        if (countly.includes(name)) for await (const d of this.live().find({ db: this.databases.countly, name }, {}, { projection })) docs.push(d);
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
      try {
        const value = await liveCollector(fact).compute(db, { ...scope, params }, catalog);
        (results as Record<string, unknown>)[fact] = { ok: true, value };
      } catch (e) {
        const error = e instanceof QueryError ? e.message : queryErrorMessage(e, `computing ${fact}`, this.ctx);
        (results as Record<string, unknown>)[fact] = { ok: false, error };
      }
    }
    return results;
  }

  /** Check pipelines (`pipeline` / `compare` checks) run on the server, one after the other (run-pipeline.ts). */
  async diffSide(): Promise<DiffSide> {
    const { LiveSide } = await import("../../diff/live-side.ts");
    return new LiveSide(this.uri, { readPreference: this.options.readPreference, connectTimeoutMS: this.options.connectTimeoutMS });
  }

  async runPipelines(requests: readonly PipelineRequest[]): Promise<PipelineOutcome[]> {
    await this.open();
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
  private live(): LiveDb {
    const client = this.client;
    if (!client) throw new Error("MongoSource: open() first");
    return {
      aggregate: (ref, pipeline, label) =>
        this.stream(`aggregate on ${ref.db}.${ref.name}`, label, () =>
          client
            .db(ref.db)
            .collection(ref.name)
            .aggregate(pipeline, { allowDiskUse: true, maxTimeMS: this.maxTimeMS, comment: label ? `${COMMENT}: ${label}` : COMMENT }),
        ),
      find: (ref, filter, options: FindOptions = {}) =>
        this.stream(`find on ${ref.db}.${ref.name}`, undefined, () =>
          client.db(ref.db).collection(ref.name).find(filter, { ...options, maxTimeMS: this.maxTimeMS, comment: COMMENT }),
        ),
      count: async (ref, options = {}) => {
        const what = `counting ${ref.db}.${ref.name}`;
        const coll = client.db(ref.db).collection(ref.name);
        this.refuseWhenStalled(what);
        this.current = what;
        try {
          const limits = { maxTimeMS: this.maxTimeMS, comment: COMMENT };
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

  private async *stream(what: string, label: string | undefined, open: () => AbstractCursor<Document>): AsyncGenerator<Document> {
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
