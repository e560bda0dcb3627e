// One side of a diff (the backup, or the restored database): a dump folder or a live
// MongoDB. Both hand out raw BSON documents, so one hashing code path serves both and
// the same data hashes the same whichever engine read it.
import type { RawVisitor } from "./raw-bson-file.ts";

/** The four databases `countly backup` dumps (bin/commands/countly.sh). */
export const BACKUP_DATABASES = ["countly", "countly_drill", "countly_fs", "countly_out"] as const;

/** An index as both sides describe it (mongodump's metadata.json, or listIndexes). */
export type IndexSpec = Record<string, unknown> & { name?: unknown; key?: unknown };

export interface DiffSide {
  /** Where the data comes from, safe to print (credentials removed). */
  readonly description: string;
  /** The folder, or the URI without credentials and query: what JUnit's `file` attribute shows. */
  readonly location: string;
  /** Connects / finds the dump root. Throws SourceError (runner/sources/source.ts) when the side cannot be read at all (exit code 3). */
  open(): Promise<void>;
  /** Collection names of `db` (views and system.* left out), or undefined when the database is absent. Throws SourceError. */
  collections(db: string): Promise<string[] | undefined>;
  /** The collection's indexes, or undefined when this side does not record them (a dump without metadata.json). */
  indexes(db: string, coll: string): Promise<IndexSpec[] | undefined>;
  /** Visits every document's raw bytes; resolves to the number of documents. Rejects on a read error. */
  scan(db: string, coll: string, visit: RawVisitor): Promise<number>;
  close(): Promise<void>;
}

/** Collections the diff leaves out on both sides: the server's own bookkeeping, which mongodump does not copy as data. */
export function isSystemCollection(name: string): boolean {
  return name.startsWith("system.");
}
