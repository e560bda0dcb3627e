// Which documents differ between two sides, in bounded memory.
//
// Pass 1 (every collection, one streaming pass per side): each document goes to the
// bucket named by the top `bits` bits of a hash of its canonical `_id`, and the bucket
// keeps a count and four 32-bit sums of the documents' 128-bit digests. Sums are
// order-independent (file order, cursor order, merge order do not matter) and, unlike
// XOR, two equal documents do not cancel out. Both sides agree on bucket boundaries
// without ever seeing each other's ids: a bucket is a pure function of the `_id`.
// Memory: 20 bytes per bucket per side (1.3 MB for the default 2^16 buckets), whatever
// the collection size.
//
// Pass 2 (only when some buckets differ): the differing buckets are split into rounds of
// at most `roundBudget` documents (of the side with fewer documents there). For each
// round, one side's (id, digest) pairs of the round's buckets go into a PairTable; a pass
// over the other side then names every document only there or different, and what is
// never matched is only on the first side. Memory: about 40 bytes per held pair plus the
// id's bytes (≈ 50 MB for the default 500,000 pairs of 60-byte ids); more differences
// cost more rounds (passes), never more memory.
import { Canonicalizer, idKeyOfBytes } from "./canonical.ts";
import { PairTable } from "./pair-table.ts";
import type { RawVisitor } from "./raw-bson-file.ts";
import type { DiffSide } from "./side.ts";

export const DEFAULT_BUCKET_BITS = 16;
export const DEFAULT_ROUND_BUDGET = 500_000;

export class BucketTable {
  readonly size: number;
  readonly counts: Uint32Array;
  /** Four 32-bit sums (mod 2^32) of the digest words, per bucket. */
  readonly sums: Uint32Array;
  documents = 0;

  constructor(readonly bits: number) {
    if (!Number.isInteger(bits) || bits < 0 || bits > 24) throw new RangeError(`bucket bits must be 0..24 (got ${bits})`);
    this.size = 2 ** bits;
    this.counts = new Uint32Array(this.size);
    this.sums = new Uint32Array(this.size * 4);
  }

  bucketOf(idHash: number): number {
    return this.bits === 0 ? 0 : idHash >>> (32 - this.bits);
  }

  add(bucket: number, d: Uint32Array): void {
    this.documents++;
    this.counts[bucket]!++;
    const s = this.sums;
    const i = bucket * 4;
    s[i] = s[i]! + d[0]!;
    s[i + 1] = s[i + 1]! + d[1]!;
    s[i + 2] = s[i + 2]! + d[2]!;
    s[i + 3] = s[i + 3]! + d[3]!;
  }
}

/** Buckets whose count or digest sums differ, ascending. */
export function differingBuckets(a: BucketTable, b: BucketTable): number[] {
  if (a.bits !== b.bits) throw new RangeError("bucket tables of different sizes");
  const out: number[] = [];
  for (let k = 0; k < a.size; k++) {
    const i = k * 4;
    if (a.counts[k] !== b.counts[k] || a.sums[i] !== b.sums[i] || a.sums[i + 1] !== b.sums[i + 1] || a.sums[i + 2] !== b.sums[i + 2] || a.sums[i + 3] !== b.sums[i + 3]) out.push(k);
  }
  return out;
}

export interface ScanReport {
  side: "before" | "after";
  db: string;
  collection: string;
  pass: 1 | 2;
  documents: number;
  /** Since the scan started. */
  ms: number;
  done: boolean;
}

export interface HashOptions {
  bits?: number;
  /** Also sees every document (aggregated totals, id samples), in the same pass. */
  also?: RawVisitor;
  onScan?: (r: ScanReport) => void;
}

const REPORT_EVERY = 1 << 20;

/** Pass 1: the bucket table of one side's collection. */
export async function hashCollection(side: DiffSide, label: "before" | "after", db: string, coll: string, options: HashOptions = {}): Promise<BucketTable> {
  const table = new BucketTable(options.bits ?? DEFAULT_BUCKET_BITS);
  const c = new Canonicalizer();
  const digest = new Uint32Array(4);
  const also = options.also;
  const onScan = options.onScan;
  const t0 = Date.now();
  await side.scan(db, coll, (bytes, start, end) => {
    const bucket = table.bucketOf(c.idHashOf(bytes, start, end));
    c.digestInto(bytes, start, end, digest);
    table.add(bucket, digest);
    if (also) also(bytes, start, end);
    if (onScan && (table.documents & (REPORT_EVERY - 1)) === 0) onScan({ side: label, db, collection: coll, pass: 1, documents: table.documents, ms: Date.now() - t0, done: false });
  });
  onScan?.({ side: label, db, collection: coll, pass: 1, documents: table.documents, ms: Date.now() - t0, done: true });
  return table;
}

/** A count and the first `max` canonical ids seen. */
export class IdList {
  count = 0;
  readonly ids: string[] = [];
  constructor(private readonly max: number) {}
  add(id: string): void {
    this.count++;
    if (this.ids.length < this.max) this.ids.push(id);
  }
  /** Like add, making the id string only when it is kept. */
  addBytes(id: Uint8Array): void {
    this.count++;
    if (this.ids.length < this.max) this.ids.push(idKeyOfBytes(id));
  }
}

export interface DocumentDiff {
  onlyBefore: IdList;
  onlyAfter: IdList;
  different: IdList;
  /** Buckets whose pass-1 summaries differed. */
  buckets: number;
  /** Passes made over each side in pass 2. */
  rounds: number;
}

export interface CompareOptions {
  maxIds: number;
  roundBudget?: number;
  onScan?: (r: ScanReport) => void;
}

interface Round {
  buckets: number[];
  before: number;
  after: number;
}

/** Groups differing buckets into rounds that hold at most `budget` pairs (a single bucket over budget is a round of its own). */
export function planRounds(buckets: readonly number[], before: BucketTable, after: BucketTable, budget: number): Round[] {
  const rounds: Round[] = [];
  let cur: Round = { buckets: [], before: 0, after: 0 };
  for (const k of buckets) {
    const b = before.counts[k]!;
    const a = after.counts[k]!;
    if (cur.buckets.length > 0 && Math.min(cur.before + b, cur.after + a) > budget) {
      rounds.push(cur);
      cur = { buckets: [], before: 0, after: 0 };
    }
    cur.buckets.push(k);
    cur.before += b;
    cur.after += a;
  }
  if (cur.buckets.length > 0) rounds.push(cur);
  return rounds;
}

/** Pass 2: names the documents of the differing buckets, round by round. */
export async function compareBuckets(
  before: DiffSide,
  after: DiffSide,
  db: string,
  coll: string,
  tables: { before: BucketTable; after: BucketTable },
  buckets: readonly number[],
  options: CompareOptions,
): Promise<DocumentDiff> {
  const result: DocumentDiff = {
    onlyBefore: new IdList(options.maxIds),
    onlyAfter: new IdList(options.maxIds),
    different: new IdList(options.maxIds),
    buckets: buckets.length,
    rounds: 0,
  };
  const rounds = planRounds(buckets, tables.before, tables.after, options.roundBudget ?? DEFAULT_ROUND_BUDGET);
  const c = new Canonicalizer();
  const digest = new Uint32Array(4);
  const table = tables.before;
  for (const round of rounds) {
    result.rounds++;
    const inRound = new Uint8Array(table.size);
    for (const k of round.buckets) inRound[k] = 1;
    // hold the side with fewer documents in this round
    const holdBefore = round.before <= round.after;
    const [held, streamed] = holdBefore ? [before, after] : [after, before];
    const [heldLabel, streamedLabel] = holdBefore ? (["before", "after"] as const) : (["after", "before"] as const);
    const onlyHeld = holdBefore ? result.onlyBefore : result.onlyAfter;
    const onlyStreamed = holdBefore ? result.onlyAfter : result.onlyBefore;
    const pairs = new PairTable(holdBefore ? round.before : round.after);
    let seen = 0;
    let t0 = Date.now();
    const report = (label: "before" | "after", done: boolean) => options.onScan?.({ side: label, db, collection: coll, pass: 2, documents: seen, ms: Date.now() - t0, done });
    await held.scan(db, coll, (bytes, start, end) => {
      if (options.onScan && (++seen & (REPORT_EVERY - 1)) === 0) report(heldLabel, false);
      const h = c.idHashOf(bytes, start, end);
      if (inRound[table.bucketOf(h)] === 0) return;
      c.digestInto(bytes, start, end, digest);
      c.idHashOf(bytes, start, end);
      pairs.add(c.lastId(), h, digest);
    });
    report(heldLabel, true);
    seen = 0;
    t0 = Date.now();
    await streamed.scan(db, coll, (bytes, start, end) => {
      if (options.onScan && (++seen & (REPORT_EVERY - 1)) === 0) report(streamedLabel, false);
      const h = c.idHashOf(bytes, start, end);
      if (inRound[table.bucketOf(h)] === 0) return;
      c.digestInto(bytes, start, end, digest);
      c.idHashOf(bytes, start, end);
      const same = pairs.take(c.lastId(), h, digest);
      if (same === undefined) onlyStreamed.addBytes(c.lastId());
      else if (!same) result.different.addBytes(c.lastId());
    });
    report(streamedLabel, true);
    for (const id of pairs.unmatched()) onlyHeld.addBytes(id);
  }
  return result;
}
