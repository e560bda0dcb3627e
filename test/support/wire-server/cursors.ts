/**
 * Server-side cursors. Results are computed eagerly; a cursor holds what the first
 * batch did not return. Ids are int64 (`Long`) and deliberately above 2^32 so that a
 * client treating them as int32 would break visibly.
 */
import { Long } from "bson";
import type { Document } from "bson";

export const DEFAULT_BATCH_SIZE = 101;

interface OpenCursor {
  ns: string;
  remaining: Document[];
}

export interface CursorReply {
  cursor: { id: Long; ns: string; firstBatch?: Document[]; nextBatch?: Document[] };
  ok: 1;
}

export class CursorRegistry {
  readonly #open = new Map<string, OpenCursor>();
  #nextId = 2n ** 32n + 1n;

  /**
   * Builds the `{cursor: {id, ns, firstBatch}}` reply. `batchSize` undefined means
   * "everything in one batch"; `singleBatch` closes the cursor after the first batch.
   */
  open(ns: string, results: Document[], batchSize: number | undefined, singleBatch = false): CursorReply {
    const size = batchSize === undefined ? results.length : batchSize;
    const firstBatch = results.slice(0, size);
    const remaining = results.slice(size);
    let id = Long.ZERO;
    if (!singleBatch && remaining.length > 0) {
      const key = this.#nextId;
      this.#nextId += 1n;
      this.#open.set(key.toString(), { ns, remaining });
      id = Long.fromBigInt(key);
    }
    return { cursor: { id, ns, firstBatch }, ok: 1 };
  }

  /** Next batch for `getMore`, or undefined when the cursor does not exist. */
  next(id: bigint, batchSize: number | undefined): CursorReply | undefined {
    const key = id.toString();
    const c = this.#open.get(key);
    if (!c) return undefined;
    const size = batchSize === undefined || batchSize <= 0 ? c.remaining.length : batchSize;
    const nextBatch = c.remaining.slice(0, size);
    c.remaining = c.remaining.slice(size);
    let replyId = Long.fromBigInt(id);
    if (c.remaining.length === 0) {
      this.#open.delete(key);
      replyId = Long.ZERO;
    }
    return { cursor: { id: replyId, ns: c.ns, nextBatch }, ok: 1 };
  }

  kill(id: bigint): boolean {
    return this.#open.delete(id.toString());
  }

  get openCount(): number {
    return this.#open.size;
  }

  clear(): void {
    this.#open.clear();
  }
}
