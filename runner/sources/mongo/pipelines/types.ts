// How a fact is computed from a live MongoDB: a collector runs read-only queries
// through LiveDb (which adds allowDiskUse, maxTimeMS, read preference and concern).
import type { Document } from "mongodb";
import type { Catalog, CollectionRef } from "../../../facts/collector.ts";
import type { FactName, FactScope, FactValues } from "../../../facts/types.ts";

export interface FindOptions {
  projection?: Document;
  sort?: Document;
  limit?: number;
}

/** The only ways a collector may touch the database: reads. */
export interface LiveDb {
  /**
   * `--explain`: queries are explained (queryPlanner), not run, and yield nothing. A
   * collector whose next query depends on what an earlier one returned (the newest
   * insert, the groups found) sends it once with a stand-in value (planningMinute), so
   * every kind of query a run sends is explained.
   */
  readonly planOnly?: boolean;
  /** An aggregation pipeline (never with $out/$merge) whose results are grouped rows. */
  aggregate(ref: CollectionRef, pipeline: Document[], label?: string): AsyncIterable<Document>;
  /** A find whose documents are streamed (aggregated month documents, metadata). */
  find(ref: CollectionRef, filter: Document, options?: FindOptions): AsyncIterable<Document>;
  /** Documents in a collection: exact (countDocuments), or from the collection's metadata (`count` without a query: O(1), but a sharded cluster may count orphans). */
  count(ref: CollectionRef, options?: { estimated?: boolean }): Promise<number>;
  /** The collection's listCollections entry (name, type, options, info with `uuid`), or undefined when it does not exist. */
  collectionInfo(ref: CollectionRef): Promise<Document | undefined>;
}

export interface LiveCollector<K extends FactName> {
  fact: K;
  compute(db: LiveDb, scope: FactScope, catalog: Catalog): Promise<FactValues[K]>;
}
