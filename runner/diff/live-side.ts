// A diff side over a live MongoDB (the restored database, usually). Read-only: it sends
// listCollections, listIndexes, find and getMore, with the read preference of the URI or
// secondaryPreferred. Documents arrive as raw BSON (`raw: true`), so they are hashed
// from the same bytes a dump would hold, never decoded.
//
// Hashing stays on the client: the aggregation language has no digest of a whole
// document that ignores field order, and correctness comes first. The cost is one
// collection scan per pass over the network (the second pass only when ranges differ).
import { MongoClient, MongoServerError, type ReadPreferenceMode } from "mongodb";
import { clientOptions, describeUri, hostsOf } from "../sources/mongo/connect.ts";
import { openError, queryErrorMessage, type ErrorContext } from "../sources/mongo/errors.ts";
import { SourceError } from "../sources/source.ts";
import type { RawVisitor } from "./raw-bson-file.ts";
import { isSystemCollection, type DiffSide, type IndexSpec } from "./side.ts";

export interface LiveSideOptions {
  /** Documents per getMore (default 2000). */
  batchSize?: number;
  /** Default: the URI's readPreference, else secondaryPreferred. */
  readPreference?: ReadPreferenceMode;
  /** Server selection and connect timeout (default: the URI's, else 10 s). */
  connectTimeoutMS?: number;
}

const NAMESPACE_NOT_FOUND = 26;

export class LiveSide implements DiffSide {
  readonly description: string;
  readonly location: string;
  private client?: MongoClient;
  private readonly ctx: ErrorContext;

  constructor(
    private readonly uri: string,
    private readonly options: LiveSideOptions = {},
  ) {
    this.description = describeUri(uri);
    this.location = this.description;
    this.ctx = { uri, hosts: hostsOf(uri), maxTimeMS: 0 };
  }

  async open(): Promise<void> {
    const opts = clientOptions(this.uri, { readPreference: this.options.readPreference, connectTimeoutMS: this.options.connectTimeoutMS });
    this.ctx.connectTimeoutMS = opts.serverSelectionTimeoutMS;
    try {
      this.client = new MongoClient(this.uri, opts);
      await this.client.connect();
    } catch (e) {
      await this.client?.close().catch(() => undefined);
      this.client = undefined;
      throw openError(e, this.ctx);
    }
  }

  async collections(db: string): Promise<string[] | undefined> {
    let list: { name: string; type?: string }[];
    try {
      list = (await this.connected().db(db).listCollections({}, { nameOnly: true, authorizedCollections: true }).toArray()) as { name: string; type?: string }[];
    } catch (e) {
      throw new SourceError(queryErrorMessage(e, `listCollections on ${db}`, this.ctx), { cause: e });
    }
    const names = list.filter((c) => (c.type === undefined || c.type === "collection") && !isSystemCollection(c.name)).map((c) => c.name);
    return list.length === 0 ? undefined : names.sort();
  }

  async indexes(db: string, coll: string): Promise<IndexSpec[] | undefined> {
    try {
      return (await this.connected().db(db).collection(coll).listIndexes().toArray()) as IndexSpec[];
    } catch (e) {
      if (e instanceof MongoServerError && e.code === NAMESPACE_NOT_FOUND) return [];
      throw new Error(queryErrorMessage(e, `listIndexes on ${db}.${coll}`, this.ctx), { cause: e });
    }
  }

  async scan(db: string, coll: string, visit: RawVisitor): Promise<number> {
    let n = 0;
    const cursor = this.connected()
      .db(db)
      .collection(coll)
      .find({}, { raw: true, batchSize: this.options.batchSize ?? 2000 });
    try {
      for await (const doc of cursor) {
        const bytes = doc as unknown as Uint8Array;
        n++;
        visit(bytes, 0, bytes.length);
      }
    } catch (e) {
      if (e instanceof Error && !(e instanceof MongoServerError) && !/^Mongo/.test(e.name)) throw e; // from visit
      throw new Error(queryErrorMessage(e, `find on ${db}.${coll}`, this.ctx), { cause: e });
    } finally {
      await cursor.close().catch(() => undefined);
    }
    return n;
  }

  async close(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }

  private connected(): MongoClient {
    if (!this.client) throw new SourceError(`${this.description}: not connected`);
    return this.client;
  }
}
