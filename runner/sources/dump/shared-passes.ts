// One read per collection file per run: every reader of a dump collection (the facts, the
// checks' pipelines, the backup comparison's after side) is served by the same framing
// pass over the file. Readers that read while the run goes on (pipelines, the diff) "hold"
// the passes: while any holds, the facts' collections wait, and each collection is read
// when every holder is waiting for one (the first of those asked for, in database and
// collection order), together with everyone else who wants it then. A
// reader that asks for a collection already read (the diff's second pass over differing
// buckets, a second matches-backup check) gets a read of its own.
//
// Each consumer of a pass is isolated: its errors (a document it cannot decode, its own
// exception, a stop it asks for) detach it alone and reject its request; an error of the
// file itself (truncated, gzip, I/O) rejects every request of the pass.
import type { FrameBatcher, FrameVisitor } from "./bson-file-scanner.ts";

export interface PassRef {
  db: string;
  name: string;
}

/** A reader's part of a pass: the frame visitor to call per document, prepared when the pass begins (undefined: nothing to read after all). */
export type PreparePass = () => FrameVisitor | undefined;

/** Frames one collection, calling `onFrame` per document; resolves to the number of documents. */
export type FramePass = (ref: PassRef, onFrame: FrameVisitor) => Promise<number>;

interface Request {
  ref: PassRef;
  prepare: PreparePass;
  resolve(documents: number): void;
  reject(error: unknown): void;
}

/** Thrown inside a pass once no consumer is left: ends the read early. */
const NO_CONSUMER = new Error("no consumer left");

export class SharedPasses {
  private holders = 0;
  /** While > 0, nothing is read: the facts are still registering their reads. */
  private gates = 0;
  /** Requests of holders, in arrival order. */
  private waiting: Request[] = [];
  /** The facts' reads, in their order, until served. */
  private readonly pending = new Map<string, Request>();
  private pumping = false;
  /** Collections read so far (by id): later requests for them read again. */
  private readonly done = new Set<string>();

  constructor(private readonly frame: FramePass) {}

  /** A reader that will ask for collections while the run goes on; call the returned function when it is done (idempotent). */
  hold(): () => void {
    return this.lease("holders");
  }

  /** Holds every read back until the returned function is called (idempotent): taken while the facts register theirs. */
  gate(): () => void {
    return this.lease("gates");
  }

  /** Counts one more holder or gate; the returned function counts it out once and lets the waiting reads go on. */
  private lease(counter: "holders" | "gates"): () => void {
    this[counter]++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this[counter]--;
      void this.pump();
    };
  }

  /** A holder's read of `ref`: served when every holder is waiting (merged with the others' reads of `ref`). */
  read(ref: PassRef, prepare: PreparePass): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ref, prepare, resolve, reject });
      void this.pump();
    });
  }

  /** The facts' reads: served once no holder is left, or with a holder's read of the same collection. */
  readLater(ref: PassRef, prepare: PreparePass): Promise<number> {
    return new Promise((resolve, reject) => {
      const id = idOf(ref);
      if (this.pending.has(id)) throw new Error(`internal error: ${id} requested twice by the facts`);
      this.pending.set(id, { ref, prepare, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const batch = this.nextBatch();
        if (batch === undefined) break;
        await this.run(batch);
      }
    } finally {
      this.pumping = false;
    }
  }

  private nextBatch(): Request[] | undefined {
    let ref: PassRef | undefined;
    if (this.gates > 0) return undefined;
    if (this.waiting.length > 0 && this.waiting.length >= this.holders) {
      // the first in (database, collection) order: holders that read in that order (the
      // diff, the pipelines) then meet at every collection they both read
      for (const r of this.waiting) if (ref === undefined || before(r.ref, ref)) ref = r.ref;
    }
    else if (this.holders === 0 && this.waiting.length === 0 && this.pending.size > 0) ref = this.pending.values().next().value!.ref;
    if (ref === undefined) return undefined;
    const id = idOf(ref);
    const batch: Request[] = [];
    const fact = this.pending.get(id);
    if (fact !== undefined) {
      this.pending.delete(id);
      batch.push(fact);
    }
    const rest: Request[] = [];
    for (const r of this.waiting) (idOf(r.ref) === id ? batch : rest).push(r);
    this.waiting = rest;
    return batch;
  }

  private async run(batch: readonly Request[]): Promise<void> {
    const ref = batch[0]!.ref;
    this.done.add(idOf(ref));
    const consumers: { request: Request; visit: FrameVisitor; error?: { e: unknown } }[] = [];
    for (const request of batch) {
      let visit: FrameVisitor | undefined;
      try {
        visit = request.prepare();
      } catch (e) {
        request.reject(e);
        continue;
      }
      if (visit === undefined) request.resolve(0);
      else consumers.push({ request, visit });
    }
    if (consumers.length === 0) return;
    let attached = consumers.length;
    const onFrame: FrameVisitor =
      consumers.length === 1
        ? consumers[0]!.visit
        : (b, start, end, offset) => {
            for (const c of consumers) {
              if (c.error !== undefined) continue;
              try {
                c.visit(b, start, end, offset);
              } catch (e) {
                c.error = { e };
                if (--attached === 0) throw NO_CONSUMER;
              }
            }
          };
    if (consumers.length > 1) onFrame.batcher = sharedBatcher(consumers, () => {
      if (--attached === 0) throw NO_CONSUMER;
    });
    let documents = 0;
    let failure: { e: unknown } | undefined;
    try {
      documents = await this.frame(ref, onFrame);
    } catch (e) {
      if (e !== NO_CONSUMER) failure = { e };
    }
    for (const c of consumers) {
      const error = consumers.length === 1 ? failure : (c.error ?? failure);
      if (error !== undefined) c.request.reject(error.e);
      else c.request.resolve(documents);
    }
  }
}

/**
 * The batch pass of several consumers: the first attached one with a batcher visits the
 * batch, the others get its documents one by one from the batch's bounds (each consumer
 * keeps its own order; their errors detach them alone, as per document).
 */
function sharedBatcher(consumers: readonly { visit: FrameVisitor; error?: { e: unknown } }[], detached: () => void): FrameBatcher {
  const batcher = {
    end: 0,
    bounds: new Int32Array(0) as Int32Array,
    visit(b: Uint8Array, p: number, end: number, base: number, max: number): number {
      const lead = consumers.find((c) => c.error === undefined && c.visit.batcher !== undefined);
      if (lead === undefined) return 0;
      const inner = lead.visit.batcher!;
      let k: number;
      try {
        k = inner.visit(b, p, end, base, max);
      } catch (e) {
        lead.error = { e };
        detached();
        return 0; // the others get the batch's documents one by one
      }
      if (k === 0) return 0;
      const bounds = (batcher.bounds = inner.bounds);
      batcher.end = inner.end;
      for (const c of consumers) {
        if (c === lead) continue;
        for (let i = 0; i < k && c.error === undefined; i++) {
          const start = bounds[2 * i]!;
          try {
            c.visit(b, start, bounds[2 * i + 1]!, base + start);
          } catch (e) {
            c.error = { e };
            detached();
          }
        }
      }
      return k;
    },
  };
  return batcher;
}

function before(a: PassRef, b: PassRef): boolean {
  return a.db < b.db || (a.db === b.db && a.name < b.name);
}

function idOf(ref: PassRef): string {
  return `${ref.db}.${ref.name}`;
}
