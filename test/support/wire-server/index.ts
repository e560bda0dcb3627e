/**
 * A MongoDB wire-protocol test double: a small read-only server on 127.0.0.1 that the
 * official driver can connect to. Modules:
 *   protocol.ts  framing, OP_QUERY/OP_MSG parsing, OP_REPLY/OP_MSG encoding
 *   commands.ts  command handlers (reads only; writes answer code 59)
 *   planner.ts   explain (queryPlanner): a winning plan from the collection's indexes
 *   engine.ts    filters/pipelines through mingo (with an all-operators context)
 *   store.ts     in-memory databases/collections/indexes
 *   cursors.ts   server-side cursors (int64 ids)
 *   values.ts    BSON <-> plain value normalisation for mingo
 *   server.ts    the TCP listener
 */
export { startWireServer } from "./server.ts";
export type { FailCommandSpec, RecordedCommand, WireServer, WireServerOptions } from "./types.ts";
