// Messages between the main thread (parallel-facts.ts) and the scan workers (scan-worker.ts).
import type { Catalog, CollectionRef } from "../../../facts/collector.ts";
import type { FactName, FactParams, FactScope } from "../../../facts/types.ts";
import type { FieldSelection } from "../bson-fields.ts";

/** What every worker starts with (structured-cloned as `workerData`). */
export interface WorkerSetup {
  /** This worker's number, 0 .. jobs-1. */
  me: number;
  jobs: number;
  /** The facts the workers build, in request order, with their parameters. */
  facts: [FactName, FactParams][];
  scope: Omit<FactScope, "params" | "budget">;
  /** What the workers' facts may hold, each worker on its own (the main thread checks the sum). */
  budgetBytes: number;
  catalog: Catalog;
}

/** Main -> worker. */
export type ToWorker =
  /** The next collection: its file, the fields one thread would select, the facts (indexes in `facts`) reading it, and whether its documents come routed by app (else: the whole collection is this worker's). */
  | { type: "collection"; ref: CollectionRef; file: string; selection: FieldSelection | undefined; byApp: boolean; facts: number[] }
  /**
   * Documents `bytes[docs[3i], docs[3i+1])` with their routing hint `docs[3i+2]` (app-owner.ts
   * routeHint), each at file offset `base + docs[3i]`; `chunk` is handed back with "release"
   * (-1: nothing to hand back).
   */
  | { type: "documents"; chunk: number; bytes: SharedArrayBuffer; docs: Int32Array; base: number }
  | { type: "finish" };

/** A worker's error, rebuilt on the main thread. */
export interface WorkerError {
  name: string;
  message: string;
  file?: string;
  offset?: number;
}

/** Worker -> main. */
export type FromWorker =
  | { type: "release"; chunk: number }
  | { type: "error"; error: WorkerError }
  | { type: "done"; values: Record<string, unknown>; usedBytes: number };
