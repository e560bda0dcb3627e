// rawEvents' batch kernel (runner/facts/collector.ts, "Batch kernels"): native/raw-events.c
// computes, for the documents of a wasm walker's batch, what rawEvents' current-layout reader
// computes from each (app, key, day, c, s, dur, cd), so the reader only adds the row to its
// groups. This side sets the kernel up in the arena of the scan (the run's app ids, the
// apps' cached zone offsets, the event keys interned so far) and, after each document the
// kernel left to JavaScript, mirrors what the JavaScript reading learnt (the app's offset
// for that quarter hour, new keys) so the kernel resumes with the same ids and days.
import { utf8Bytes, type FieldLayout, type StringInterner } from "../../sources/dump/bson-fields.ts";
import { align, WALK_BATCH, type Arena, type WalkedBatch } from "../../sources/dump/bson-walk-native.ts";
import { MirroredStrings, spaceFrom, STR_BYTES, StringTable, tableEntries } from "./kernel-tables.ts";
import { utcOffsetMs } from "../../../countly/time.ts";
import type { KernelPlacement, ScopeApps } from "./drill.ts";

/** Fields of RawKernel (native/raw-events.c), as int32 indexes (the slots of a, e, n, ts, c, s, dur, cd come first). */
const K = {
  slots: 8,
  apps: 9,
  appsMask: 10,
  appsEvery: 11,
  appZones: 12,
  zones: 13,
  zonesMask: 14,
  keys: 15,
  keysMask: 16,
  keysEvery: 17,
  customKey: 18,
  counts: 19,
  appOut: 20,
  keyOut: 21,
  dayOut: 22,
  cOut: 23,
  sOut: 24,
  durOut: 25,
  cdOut: 26,
  size: 27,
} as const;

/** Quarter hours of a zone cached from the one of a document JavaScript placed on (4 hours). */
const LEARN_AHEAD = 16;
const QUARTER_HOUR_MS = 15 * 60 * 1000;
/** Cached offsets (by zone and quarter hour), and the bytes of one (Zone in native/raw-events.c). */
const ZONES = 1 << 14;
const ZONE_BYTES = 24;
/** The event keys mirrored at most (their table is kept at most half full), and their bytes. */
const MAX_KEYS = 1 << 15;
const KEY_BYTES = 1 << 20;

/** Documents the kernel computed in this process (tests prove it ran; counted per call). */
export const kernelCounts = { rows: 0 };

export class RawEventsKernel implements KernelPlacement {
  /** Per row of the last rows computed: the app ScopeApps.place gives (-1: none) and its day; counts 1 when rawEvents counts the document (then its values below), 0 when it skips it. */
  readonly app: Int32Array;
  readonly day: Int32Array;
  readonly counts: Uint8Array;
  readonly key: Int32Array;
  readonly c: Float64Array;
  readonly s: Float64Array;
  readonly dur: Float64Array;
  /** The insert time (ms), NaN when the document has none. */
  readonly cd: Float64Array;
  /** The batch the rows are of, the rows [0, done) computed, and the row the kernel left to JavaScript (-1: none). */
  private serial = -1;
  private done = 0;
  private missAt = -1;
  private readonly lease: number;
  /** The run's apps when the kernel was set up (ScopeApps adds none in the current layout; if it did, the kernel would step aside). */
  private readonly appCount: number;
  /** Per app: its zone's number. The Zone entries (native/raw-events.c) as doubles (quarter at 3i, offset at 3i + 1) and as int32 (zone at 6i + 4). */
  private readonly appZones: Int32Array;
  private readonly zones: Float64Array;
  private readonly zoneIds: Int32Array;
  private readonly zonesMask: number;
  private readonly keyMirror: MirroredStrings;

  private readonly arena: Arena;

  private constructor(
    private readonly walker: WalkedBatch,
    private readonly at: number,
    layout: FieldLayout,
    private readonly apps: ScopeApps,
    keys: StringInterner,
    customKey: number,
    appBytes: readonly Uint8Array[],
  ) {
    const arena = (this.arena = walker.arena);
    this.lease = arena.lease;
    this.appCount = appBytes.length;
    const buffer = arena.memory.buffer;
    const heap = arena.heap;
    const x = arena.x;
    const f = new Int32Array(buffer, at, K.size);
    const names = ["a", "e", "n", "ts", "c", "s", "dur", "cd"];
    for (let i = 0; i < names.length; i++) f[i] = layout.slot(names[i]!);
    f[K.slots] = layout.names.length;
    const take = spaceFrom(at + align(K.size * 4, 16));
    f[K.counts] = take(WALK_BATCH);
    this.counts = new Uint8Array(buffer, f[K.counts], WALK_BATCH);
    f[K.appOut] = take(WALK_BATCH * 4);
    this.app = new Int32Array(buffer, f[K.appOut], WALK_BATCH);
    f[K.keyOut] = take(WALK_BATCH * 4);
    this.key = new Int32Array(buffer, f[K.keyOut], WALK_BATCH);
    f[K.dayOut] = take(WALK_BATCH * 4);
    this.day = new Int32Array(buffer, f[K.dayOut], WALK_BATCH);
    const f64 = (field: number): Float64Array => {
      f[field] = take(WALK_BATCH * 8);
      return new Float64Array(buffer, f[field], WALK_BATCH);
    };
    this.c = f64(K.cOut);
    this.s = f64(K.sOut);
    this.dur = f64(K.durOut);
    this.cd = f64(K.cdOut);
    // the app ids (ScopeApps.ids: id i <-> app i) and their cached offsets
    const appEntries = tableEntries(appBytes.length);
    f[K.apps] = take(appEntries * STR_BYTES);
    f[K.appsMask] = appEntries - 1;
    const appTable = new StringTable(x, f, f[K.apps], appEntries - 1, K.appsEvery);
    for (let i = 0; i < appBytes.length; i++) {
      const bytes = appBytes[i]!;
      const keyAt = take(bytes.length);
      heap.set(bytes, keyAt);
      appTable.put(keyAt, bytes.length, i);
    }
    // the apps' zones (apps of one zone share its LocalDays: localDaysByZone), and the offsets by
    // zone and quarter hour (Zone: quarter, offset, zone), empty (zone -1)
    f[K.appZones] = take(appBytes.length * 4);
    this.appZones = new Int32Array(buffer, f[K.appZones], appBytes.length);
    const zoneOf = new Map<unknown, number>();
    for (let i = 0; i < appBytes.length; i++) {
      const days = apps.localDays[i]!;
      let z = zoneOf.get(days);
      if (z === undefined) zoneOf.set(days, (z = zoneOf.size));
      this.appZones[i] = z;
    }
    f[K.zones] = take(ZONES * ZONE_BYTES);
    this.zonesMask = f[K.zonesMask] = ZONES - 1;
    this.zones = new Float64Array(buffer, f[K.zones], ZONES * 3);
    this.zoneIds = new Int32Array(buffer, f[K.zones], ZONES * 6);
    for (let i = 0; i < ZONES; i++) this.zoneIds[i * 6 + 4] = -1;
    for (let i = 0; i < appBytes.length; i++) this.learnZone(i);
    // the event keys: mirrored as rawEvents' interner learns them
    const keyEntries = tableEntries(MAX_KEYS);
    f[K.keys] = take(keyEntries * STR_BYTES);
    f[K.keysMask] = keyEntries - 1;
    const keyTable = new StringTable(x, f, f[K.keys], keyEntries - 1, K.keysEvery);
    f[K.customKey] = customKey;
    this.keyMirror = new MirroredStrings(heap, keyTable, keys, take(KEY_BYTES), KEY_BYTES, MAX_KEYS);
  }

  /** The bytes a kernel of `apps` takes in an arena. */
  private static bytes(appBytes: readonly Uint8Array[]): number {
    let ids = 0;
    for (const b of appBytes) ids += align(b.length, 16);
    return align(K.size * 4, 16) + WALK_BATCH * (1 + 3 * 4 + 4 * 8) + 16 * 8 + tableEntries(appBytes.length) * STR_BYTES + ids + align(appBytes.length * 4, 16) + ZONES * ZONE_BYTES + tableEntries(MAX_KEYS) * STR_BYTES + KEY_BYTES;
  }

  /**
   * A kernel for the batches of `walker` (a read with `layout`, in the arena of the scan), or
   * undefined when the arena has no room for it (the reader then reads every document in JavaScript).
   */
  static create(walker: WalkedBatch, layout: FieldLayout, apps: ScopeApps, keys: StringInterner, customKey: number): RawEventsKernel | undefined {
    const appBytes = apps.ids.texts.map(utf8Bytes);
    const at = walker.arena.allocate(RawEventsKernel.bytes(appBytes));
    return at < 0 ? undefined : new RawEventsKernel(walker, at, layout, apps, keys, customKey, appBytes);
  }

  /** This kernel was set up for `walker`'s batches in the scan that uses it now. */
  serves(walker: WalkedBatch): boolean {
    return this.walker === walker && this.lease === walker.arena.lease;
  }

  /**
   * The row of `batch` holding its `row`-th document computed (computing it and the rows after
   * it, up to the first the kernel cannot vouch for): true when the kernel vouched for it
   * (its values are in the outputs at `row`), false when JavaScript must read it (then call `learn`).
   */
  vouches(batch: WalkedBatch, row: number): boolean {
    if (batch !== this.walker) return false; // another read's (ScopeApps.place asks for any)
    if (batch.serial !== this.serial) {
      this.serial = batch.serial;
      this.done = 0;
      this.missAt = -1;
    }
    if (row < this.done) return true;
    if (row === this.missAt) return false;
    if (this.apps.ids.size !== this.appCount) return false; // the run's apps changed (never in the current layout)
    const x = this.arena.x;
    const done = x.raw_events_rows(batch.base, this.at, batch.typesAt, batch.startsAt, batch.endsAt, row, batch.count);
    kernelCounts.rows += done - row;
    this.done = done;
    this.missAt = done < batch.count ? done : -1;
    return row < done;
  }

  /** The first row from `row` on the kernel does not vouch for (`row`: that one; batch.count: none), the rows before it computed. */
  vouchedTo(batch: WalkedBatch, row: number): number {
    return this.vouches(batch, row) ? this.done : row;
  }

  /** After JavaScript read a document the kernel left to it: the offset it cached for `app` (-1: none placed), the keys it added. */
  learn(app: number): void {
    if (app >= 0) this.learnZone(app);
    this.keyMirror.learn();
  }

  /**
   * Caches the offset ScopeApps holds for `app` (the one of the quarter hour of its last
   * document), and the app zone's offsets of the quarter hours after it: documents mostly come
   * in time order, and an offset depends on the quarter hour only (utcOffsetMs, as dayOf).
   */
  private learnZone(app: number): void {
    const quarter = this.apps.cachedQuarter(app);
    if (quarter !== quarter) return;
    const zone = this.appZones[app]!;
    this.cacheZone(zone, quarter, this.apps.cachedOffset(app));
    const timezone = this.apps.localDays[app]!.timezone;
    for (let q = quarter + 1; q < quarter + LEARN_AHEAD; q++) {
      let offset: number;
      try {
        offset = utcOffsetMs(timezone, q * QUARTER_HOUR_MS);
      } catch {
        return; // beyond the Date range: left to dayOf
      }
      this.cacheZone(zone, q, offset);
    }
  }

  private cacheZone(zone: number, quarter: number, offset: number): void {
    const i = this.arena.x.zone_slot(zone, quarter, this.zonesMask);
    this.zones[i * 3] = quarter;
    this.zones[i * 3 + 1] = offset;
    this.zoneIds[i * 6 + 4] = zone;
  }
}
