// drillMeta's batch kernel (runner/facts/collector.ts, "Batch kernels"): native/raw-facts.c
// lists, for the documents of a wasm walker's batch, the keys of their `sg` as ids of
// drillMeta's segment interner, as DocFields.subKeys gives them; the reader (drill-meta.ts)
// counts those ids, and calls subKeys itself for a document the kernel left to it. This side
// mirrors the interner's strings into the arena as the reader learns them, so the kernel
// finds the same ids.
import type { FieldLayout, StringInterner } from "../../sources/dump/bson-fields.ts";
import { align, WALK_BATCH, type Arena, type WalkedBatch } from "../../sources/dump/bson-walk-native.ts";
import { MirroredStrings, spaceFrom, STR_BYTES, StringTable, tableEntries } from "./kernel-tables.ts";

/** Fields of DrillMetaKernel (native/raw-facts.c), as int32 indexes. */
const K = {
  sg: 0,
  slots: 1,
  segments: 2,
  segmentsMask: 3,
  segmentsEvery: 4,
  marks: 5,
  marksSize: 6,
  mark: 7,
  foundOut: 8,
  atOut: 9,
  idsOut: 10,
  idsRoom: 11,
  size: 12,
} as const;

/** The segment keys mirrored at most, and their bytes (a key beyond makes its documents JavaScript's). */
const MAX_SEGMENTS = 1 << 13;
const SEGMENT_BYTES = 1 << 18;
/** Keys listed per batch at most (a document whose keys do not fit is JavaScript's). */
const IDS_ROOM = WALK_BATCH * 32;

/** Documents whose keys the kernel listed in this process (tests prove it ran and vouched). */
export const drillMetaKernelCounts = { listed: 0 };

export class DrillMetaKernel {
  /** Per row of the rows computed: how many keys (0: none or no embedded `sg`; -1: JavaScript's), from `at` in `ids`. */
  readonly found: Int32Array;
  readonly at: Int32Array;
  readonly ids: Int32Array;
  private readonly arena: Arena;
  private readonly lease: number;
  private readonly mirror: MirroredStrings;
  /** The batch computed, and the first row computed (rows before it are not). */
  private serial = -1;
  private from = 0;
  /** Keys mirrored since the rows were computed: rows after the one JavaScript read are computed again. */
  private stale = false;

  private constructor(
    private readonly walker: WalkedBatch,
    private readonly at0: number,
    layout: FieldLayout,
    segments: StringInterner,
  ) {
    const arena = (this.arena = walker.arena);
    this.lease = arena.lease;
    const buffer = arena.memory.buffer;
    const f = new Int32Array(buffer, at0, K.size);
    f[K.sg] = layout.slot("sg");
    f[K.slots] = layout.names.length;
    const take = spaceFrom(at0 + align(K.size * 4, 16));
    f[K.foundOut] = take(WALK_BATCH * 4);
    this.found = new Int32Array(buffer, f[K.foundOut], WALK_BATCH);
    f[K.atOut] = take(WALK_BATCH * 4);
    this.at = new Int32Array(buffer, f[K.atOut], WALK_BATCH);
    f[K.idsOut] = take(IDS_ROOM * 4);
    f[K.idsRoom] = IDS_ROOM;
    this.ids = new Int32Array(buffer, f[K.idsOut], IDS_ROOM);
    f[K.marks] = take(MAX_SEGMENTS * 4);
    f[K.marksSize] = MAX_SEGMENTS;
    f[K.mark] = 0;
    new Int32Array(buffer, f[K.marks], MAX_SEGMENTS).fill(0);
    const entries = tableEntries(MAX_SEGMENTS);
    f[K.segments] = take(entries * STR_BYTES);
    f[K.segmentsMask] = entries - 1;
    this.mirror = new MirroredStrings(arena.heap, new StringTable(arena.x, f, f[K.segments], entries - 1, K.segmentsEvery), segments, take(SEGMENT_BYTES), SEGMENT_BYTES, MAX_SEGMENTS);
  }

  private static bytes(): number {
    return align(K.size * 4, 16) + WALK_BATCH * 8 + IDS_ROOM * 4 + MAX_SEGMENTS * 4 + tableEntries(MAX_SEGMENTS) * STR_BYTES + SEGMENT_BYTES + 16 * 6;
  }

  /** A kernel for the batches of `walker` (a read with `layout`, which selects `sg`), or undefined when the arena has no room for it. */
  static create(walker: WalkedBatch, layout: FieldLayout, segments: StringInterner): DrillMetaKernel | undefined {
    const at = walker.arena.allocate(DrillMetaKernel.bytes());
    return at < 0 ? undefined : new DrillMetaKernel(walker, at, layout, segments);
  }

  /** This kernel was set up for `walker`'s batches in the scan that uses it now. */
  serves(walker: WalkedBatch): boolean {
    return this.walker === walker && this.lease === walker.arena.lease;
  }

  /** The kernel listed the keys of `batch`'s `row`-th document (computing the batch's rows from it on when new): true when they are in found/at/ids at `row`. */
  vouches(batch: WalkedBatch, row: number): boolean {
    if (batch !== this.walker) return false;
    if (batch.serial !== this.serial || (this.stale && row >= this.from)) {
      this.serial = batch.serial;
      this.from = row;
      this.stale = false;
      const left = this.arena.x.drill_meta_rows(batch.base, this.at0, batch.typesAt, batch.startsAt, batch.endsAt, row, batch.count);
      drillMetaKernelCounts.listed += batch.count - row - left;
    }
    return row >= this.from && this.found[row]! >= 0;
  }

  /** After JavaScript listed a document's keys: mirrors the keys the interner learnt. */
  learn(): void {
    if (this.mirror.learn()) this.stale = true;
  }
}

/** The reader's kernel for a document's batch: made once per walker of a scan; undefined when the arena has no room (then JavaScript reads every document). */
export function drillMetaKernelFor(layout: FieldLayout, segments: StringInterner): (batch: WalkedBatch) => DrillMetaKernel | undefined {
  let kernel: DrillMetaKernel | undefined;
  let noKernelIn: Arena | undefined;
  return (batch) => {
    if (kernel !== undefined && kernel.serves(batch)) return kernel;
    if (noKernelIn === batch.arena) return undefined;
    kernel = DrillMetaKernel.create(batch, layout, segments);
    if (kernel === undefined) noKernelIn = batch.arena;
    return kernel;
  };
}
