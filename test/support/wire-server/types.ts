/** Public types of the wire double (re-exported from index.ts). */

export interface FailCommandSpec {
  code: number;
  codeName: string;
  errmsg: string;
}

export interface WireServerOptions {
  /** initial data: database name -> collection name -> documents (plain objects or bson values). */
  databases?: Record<string, Record<string, Record<string, unknown>[]>>;
  /** indexes to report from listIndexes: db -> coll -> index specs ({v, key, name, ...}); _id_ is always reported for existing collections. */
  indexes?: Record<string, Record<string, Record<string, unknown>[]>>;
  /** Make every command named here fail with this error (e.g. { aggregate: { code: 50, codeName: "MaxTimeMSExpired", errmsg: "operation exceeded time limit" } }). */
  failCommands?: Record<string, FailCommandSpec>;
  /** Databases this user may not read: every command on them fails with code 13 Unauthorized (e.g. ["local"], as for a user with only Countly's roles). */
  unauthorizedDatabases?: string[];
  /** When true, any authentication attempt (saslStart) fails with code 18 AuthenticationFailed. */
  rejectAuth?: boolean;
  /**
   * Fault: the server stops answering. Each connection still answers its handshake (its
   * first hello), but once `afterCommands` other commands have been answered (default 0),
   * nothing more is answered, later hellos included: the socket stays open and silent
   * until `limitMs` (default 30 s) have passed since the stall began, then it is closed.
   */
  stall?: { afterCommands?: number; limitMs?: number };
  /** default cursor batch size cap for find/aggregate first batches when the client gives none (MongoDB uses 101). */
  defaultBatchSize?: number;
}

export interface RecordedCommand {
  db: string;
  name: string;
  body: Record<string, unknown>;
}

export interface WireServer {
  /** e.g. mongodb://127.0.0.1:PORT/?directConnection=true */
  uri: string;
  port: number;
  /** every command received, in order (handshake included) */
  commands: RecordedCommand[];
  setCollection(db: string, coll: string, docs: Record<string, unknown>[]): void;
  stop(): Promise<void>;
}
