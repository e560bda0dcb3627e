// The dump scanner's inner loop in WebAssembly (native/bson-walk.c, built into
// native/bson-walk.wasm by scripts/build-wasm.ts and copied into dist/ by scripts/bundle.ts).
// A plain .bson file is read straight into buffers in the module's memory (an `Arena`, one
// per scan in flight); for each DocFields, the module walks the top-level elements of the
// chunk's documents in batches (`BatchWalker`: up to WALK_BATCH documents from the one asked
// for), so the JavaScript
// walk in bson-fields.ts only runs for documents the wasm does not vouch for (anything
// malformed, rare types), for documents cut by a chunk boundary, for .gz and in-memory
// content, and when the module is absent (no clang at build time) or turned off with
// COUNTLY_CHECK_SCANNER=js. Both give identical results (test/runner/sources/dump/bson-walk-native.test.ts).
import { readFileSync } from "node:fs";
import process from "node:process";
import { WASM_SOURCES, wasmSourceHash } from "./wasm-sources.ts";

export type ScannerName = "wasm" | "js";

/** Which scanner the plain-file reads use, and why. */
export interface ScannerChoice {
  scanner: ScannerName;
  /** Where the module came from, or why the JavaScript walk is used. */
  detail: string;
}

/** Must equal ABI_VERSION in native/bson-walk.c (a stale build is refused, not trusted). */
const ABI_VERSION = 5;
/** `COUNTLY_CHECK_SCANNER`: `js` forces the JavaScript walk, `wasm` makes a missing module an error; unset: wasm when built. */
export const SCANNER_ENV = "COUNTLY_CHECK_SCANNER";

/** The part of the WebAssembly API used here (the project's TypeScript libs, ES2023 + Node, do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: { env: { memory: WasmMemory } }) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface Exports {
  /** Where the module's own stack and constants end. */
  __heap_base: { value: number };
  abi_version(): number;
  source_hash(): number;
  layout_clear(table: number, shift: number): void;
  layout_add(table: number, shift: number, key: number, len: number, slot: number): void;
  guesses_clear(guesses: number): void;
  walk_batch(base: number, p: number, end: number, table: number, shift: number, slots: number, guesses: number, max: number, docs: number, types: number, starts: number, ends: number): number;
  /** native/raw-events.c: a byte-hash table of strings (app ids, event keys) -> ids. */
  strings_clear(table: number, mask: number): void;
  /** Returns how many strings of the table share the new one's hash (`every`: hashing every byte, else three words). */
  strings_put(table: number, mask: number, every: number, key: number, len: number, id: number): number;
  /** native/raw-events.c: rawEvents' row per walked document (runner/facts/dump/raw-events-kernel.ts). */
  zone_slot(app: number, quarter: number, mask: number): number;
  raw_events_rows(base: number, kernel: number, types: number, starts: number, ends: number, from: number, count: number): number;
  /** native/raw-facts.c: drillMeta's `sg` keys per walked document (runner/facts/dump/drill-meta-kernel.ts); returns the rows left to JavaScript. */
  drill_meta_rows(base: number, kernel: number, types: number, starts: number, ends: number, from: number, count: number): number;
}

/** Where the built module lies: next to the bundle in dist/, or native/ from the TypeScript sources. */
export function wasmLocation(): URL {
  return import.meta.url.endsWith(".ts") ? new URL("../../../native/bson-walk.wasm", import.meta.url) : new URL("./bson-walk.wasm", import.meta.url);
}

/**
 * Run from the TypeScript sources (tests, Deno, a checkout), the module must have been built
 * from the C sources beside them; the bundle ships the module built with it. Undefined when
 * it was, else why not.
 */
export function staleAgainstSources(built: number): string | undefined {
  if (!import.meta.url.endsWith(".ts")) return undefined;
  let hash: number;
  try {
    hash = wasmSourceHash((f) => readFileSync(new URL(`../../../${f}`, import.meta.url)));
  } catch {
    return undefined; // sources not shipped beside the module: nothing to compare with
  }
  return hash === built ? undefined : `was built from other C sources than ${WASM_SOURCES.join(", ")} (run npm run build)`;
}

let compiled: { module: WasmModule | undefined; detail: string } | undefined;
/** The module's __heap_base: the first byte the loader may use. */
let heapBase = 0;

function compile(): { module: WasmModule | undefined; detail: string } {
  if (compiled) return compiled;
  const url = wasmLocation();
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(url);
  } catch {
    return (compiled = { module: undefined, detail: `${url.pathname} is not built (scripts/build-wasm.ts needs clang-14 and lld-14)` });
  }
  try {
    const module = new wasm.Module(bytes);
    const probe = new wasm.Instance(module, { env: { memory: new wasm.Memory({ initial: 4 }) } }).exports as Exports;
    const version = probe.abi_version();
    heapBase = probe.__heap_base.value;
    if (version !== ABI_VERSION) return (compiled = { module: undefined, detail: `${url.pathname} is a stale build (ABI ${version}, expected ${ABI_VERSION}: run npm run build)` });
    const stale = staleAgainstSources(probe.source_hash() >>> 0);
    if (stale) return (compiled = { module: undefined, detail: `${url.pathname} ${stale}` });
    return (compiled = { module, detail: url.pathname });
  } catch (e) {
    return (compiled = { module: undefined, detail: `${url.pathname} could not be loaded: ${(e as Error).message}` });
  }
}

/** The scanner plain-file reads use now (COUNTLY_CHECK_SCANNER is read every time: tests and the bench switch it). */
export function scannerChoice(): ScannerChoice {
  const wanted = process.env[SCANNER_ENV];
  if (wanted === "js") return { scanner: "js", detail: `${SCANNER_ENV}=js` };
  if (wanted !== undefined && wanted !== "" && wanted !== "wasm") throw new Error(`${SCANNER_ENV}=${wanted}: expected wasm or js`);
  const { module, detail } = compile();
  if (module) return { scanner: "wasm", detail };
  if (wanted === "wasm") throw new Error(`${SCANNER_ENV}=wasm, but ${detail}`);
  return { scanner: "js", detail };
}

/** The scanner plain .bson files are read with, as one line for --progress (error: COUNTLY_CHECK_SCANNER is not understood or cannot be honoured). */
export function describeScanner(): { text: string; error: boolean } {
  try {
    const { scanner, detail } = scannerChoice();
    return { text: scanner === "wasm" ? `scanner: wasm (${detail})` : `scanner: JavaScript (${detail})`, error: false };
  } catch (e) {
    return { text: (e as Error).message, error: true };
  }
}

/** Documents walked per call of the module's `walk_batch` (the most rows a WalkedBatch holds). */
export const WALK_BATCH = 256;
/** Memory for the BatchWalkers of one scan (each: its name table, and WALK_BATCH rows) and the facts' batch kernels (their tables: `Arena.allocate`). */
const WALKER_SPACE = 6 << 20;
const PAGE = 65536;
/** Bytes after each read buffer: the module reads up to 7 bytes past a name (never deciding on them). */
const SLACK = 16;
/** Room for the names a walker learns (at least sizeof(Guesses) in bson-walk.c, which checks it). */
const GUESS_BYTES = 64 * 24;

/** Documents the module walked in this process (tests prove the wasm path ran; cheap: counted per batch). */
export const nativeCounts = { walked: 0 };

const arenas = new WeakMap<ArrayBufferLike, Arena>();
const idle: Arena[] = [];
const KEEP_IDLE = 4;

/**
 * The module's memory for one scan: its two read buffers and the space of its walkers.
 * Never grown (that would detach the buffers' views); taken with `acquire`, given back with `release`.
 */
export class Arena {
  readonly memory: WasmMemory;
  /** The module's exports (batch kernels call theirs on a walker's rows: see WalkedBatch). */
  readonly x: Exports;
  /** Read buffers: one is read into while the other is scanned. */
  readonly buffers: [Uint8Array, Uint8Array];
  /** Changes with every release: walkers of an earlier scan are not reused. */
  lease = 0;
  readonly heap: Uint8Array;
  private readonly walkersFrom: number;
  private readonly walkersEnd: number;
  private top: number;

  private constructor(readonly chunkSize: number, module: WasmModule) {
    const buffersAt = align(heapBase, 16);
    const chunk = align(chunkSize + SLACK, 16);
    const walkersFrom = buffersAt + 2 * chunk;
    const total = walkersFrom + WALKER_SPACE;
    this.memory = new wasm.Memory({ initial: Math.ceil(total / PAGE) });
    this.x = new wasm.Instance(module, { env: { memory: this.memory } }).exports as Exports;
    const buffer = this.memory.buffer;
    this.heap = new Uint8Array(buffer);
    this.buffers = [new Uint8Array(buffer, buffersAt, chunkSize), new Uint8Array(buffer, buffersAt + chunk, chunkSize)];
    this.walkersFrom = this.top = walkersFrom;
    this.walkersEnd = total;
    arenas.set(buffer, this);
  }

  /** An arena for a scan with read chunks of `chunkSize` bytes, or undefined when the JavaScript walk is to be used. */
  static acquire(chunkSize: number): Arena | undefined {
    const choice = scannerChoice();
    if (choice.scanner !== "wasm") return undefined;
    const i = idle.findIndex((a) => a.chunkSize === chunkSize);
    if (i >= 0) return idle.splice(i, 1)[0];
    return new Arena(chunkSize, compiled!.module!);
  }

  release(): void {
    this.lease++;
    this.top = this.walkersFrom;
    // the most recently used first (a later scan of the same chunk size takes it)
    idle.unshift(this);
    if (idle.length > KEEP_IDLE) idle.pop();
  }

  /** Space for a walker or a batch kernel's tables, or -1 when this scan's space is used up (that reader walks in JavaScript, that kernel leaves its documents to JavaScript). */
  allocate(bytes: number): number {
    const at = align(this.top, 16);
    if (at + bytes > this.walkersEnd) return -1;
    this.top = at + bytes;
    return at;
  }
}

/** n rounded up to a multiple of `to` (positions in the arena). */
export function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The arena whose memory `b` views, if any. */
export function arenaOf(b: Uint8Array): Arena | undefined {
  return arenas.get(b.buffer);
}

/** What a walker needs of a FieldLayout (bson-fields.ts): its slots, and which are top-level names. */
export interface WalkedLayout {
  readonly names: readonly string[];
  /** -1 for a top-level slot. */
  readonly parent: readonly number[];
}

const encoder = new TextEncoder();

/**
 * The batch of documents a wasm walker walked last, for batch kernels (runner/facts/collector.ts,
 * "Batch kernels"): row r (0 <= r < count) is the r-th document of the batch; its slot s
 * lies at entry r * slots + s of the rows at typesAt (u8), startsAt and endsAt (i32), as
 * byte positions from `base` in the arena's memory. Valid while the walker's `serial` stays.
 */
export interface WalkedBatch {
  readonly arena: Arena;
  /** Changes with every batch any walker walks (a kernel's results of an older serial are stale). */
  readonly serial: number;
  readonly count: number;
  readonly slots: number;
  readonly base: number;
  readonly typesAt: number;
  readonly startsAt: number;
  readonly endsAt: number;
  /** Document r of the batch lies at [bounds[2r], bounds[2r + 1]) of the chunk it was walked in (positions from the chunk's start). */
  readonly bounds: Int32Array;
}

/** Batches walked in this process: every batch gets a serial of its own. */
let batchSerial = 0;

/**
 * The module's walk for one DocFields in one arena: walks up to WALK_BATCH documents from the
 * one asked for, then hands out their rows while the reader asks for those documents in order.
 */
export class BatchWalker implements WalkedBatch {
  readonly slots: number;
  private readonly table: number;
  private readonly shift: number;
  private readonly guessesAt: number;
  private readonly docsAt: number;
  readonly typesAt: number;
  readonly startsAt: number;
  readonly endsAt: number;
  serial = 0;
  base = 0;
  readonly bounds: Int32Array;
  /** Row r (entries r * slots ..) holds the fields of the r-th document of the batch; see `next`. */
  readonly types: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  private readonly lease: number;
  private batchOf: Uint8Array | null = null;
  count = 0;
  private cursor = 0;
  /** Where the last walk found no document to vouch for (`walk` and `next` then do not walk there again). */
  private refusedIn: Uint8Array | null = null;
  private refusedAt = -1;

  private constructor(readonly arena: Arena, layout: WalkedLayout, at: number, size: number) {
    this.lease = arena.lease;
    const slots = (this.slots = layout.names.length);
    const tops: number[] = [];
    for (let s = 0; s < slots; s++) if (layout.parent[s]! < 0) tops.push(s);
    const { cap, shift } = tableSize(tops.length);
    this.shift = shift;
    this.table = at;
    let p = at + cap * 16;
    const heap = arena.heap;
    const keys: [number, number, number][] = [];
    for (const s of tops) {
      const k = encoder.encode(layout.names[s]!);
      heap.set(k, p);
      keys.push([p, k.length, s]);
      p += k.length;
    }
    p = align(p, 16);
    this.guessesAt = p;
    p += GUESS_BYTES;
    this.docsAt = p;
    p += WALK_BATCH * 8;
    this.startsAt = p;
    p += WALK_BATCH * slots * 4;
    this.endsAt = p;
    p += WALK_BATCH * slots * 4;
    this.typesAt = p;
    p += WALK_BATCH * slots;
    if (p - at > size) throw new Error("internal error: BatchWalker space miscounted");
    const buffer = arena.memory.buffer;
    this.bounds = new Int32Array(buffer, this.docsAt, WALK_BATCH * 2);
    this.starts = new Int32Array(buffer, this.startsAt, WALK_BATCH * slots);
    this.ends = new Int32Array(buffer, this.endsAt, WALK_BATCH * slots);
    this.types = new Uint8Array(buffer, this.typesAt, WALK_BATCH * slots);
    arena.x.layout_clear(this.table, shift);
    for (const [key, len, slot] of keys) arena.x.layout_add(this.table, shift, key, len, slot);
    arena.x.guesses_clear(this.guessesAt);
  }

  /** A walker of `layout` in `arena`, or undefined when the arena's walker space is used up. */
  static create(arena: Arena, layout: WalkedLayout): BatchWalker | undefined {
    const slots = layout.names.length;
    let keyBytes = 0;
    let tops = 0;
    for (let s = 0; s < slots; s++) {
      if (layout.parent[s]! >= 0) continue;
      tops++;
      keyBytes += encoder.encode(layout.names[s]!).length;
    }
    const size = tableSize(tops).cap * 16 + align(keyBytes, 16) + GUESS_BYTES + WALK_BATCH * (8 + slots * 9) + 16;
    const at = arena.allocate(size);
    return at < 0 ? undefined : new BatchWalker(arena, layout, at, size);
  }

  /** This walker is of `arena` and of the scan that uses it now. */
  belongsTo(arena: Arena): boolean {
    return this.arena === arena && this.lease === arena.lease;
  }

  /**
   * The row of the document at b[start, end) in types/starts/ends (the index of its slot 0):
   * its fields as the JavaScript walk finds them, all its sub-field types 0; -1 when the
   * wasm does not vouch for the document (the caller walks it). Valid until the next call.
   */
  next(b: Uint8Array, start: number, end: number): number {
    const i = this.cursor;
    if (i < this.count && b === this.batchOf && this.bounds[2 * i] === start && this.bounds[2 * i + 1] === end) {
      this.cursor = i + 1;
      return i * this.slots;
    }
    return this.refill(b, start, end);
  }

  /**
   * A new batch of the documents of b[start, end) from the one at `start` (at most `max`,
   * WALK_BATCH at most): how many were walked (0: the wasm does not vouch for the one at
   * `start`), their bounds in `bounds`, their rows in types/starts/ends. For the batch pass
   * (bson-file-scanner.ts): `next` then hands out no row of it.
   */
  walk(b: Uint8Array, start: number, end: number, max: number): number {
    this.count = 0;
    this.cursor = 0;
    if (b === this.refusedIn && start === this.refusedAt) return 0;
    this.walkFrom(b, start, end, Math.min(max, WALK_BATCH));
    this.cursor = this.count;
    return this.count;
  }

  private walkFrom(b: Uint8Array, start: number, end: number, max: number): void {
    this.batchOf = b;
    this.base = b.byteOffset;
    this.serial = ++batchSerial;
    this.count = this.arena.x.walk_batch(b.byteOffset, start, end, this.table, this.shift, this.slots, this.guessesAt, max, this.docsAt, this.typesAt, this.startsAt, this.endsAt);
    nativeCounts.walked += this.count;
    if (this.count === 0) {
      this.refusedIn = b;
      this.refusedAt = start;
    } else {
      this.refusedIn = null;
    }
  }

  /** A new batch from the document at `start` (the reader asked for another than the next one walked). */
  private refill(b: Uint8Array, start: number, end: number): number {
    this.count = 0;
    this.cursor = 0;
    if (start < 0 || end > b.length) return -1;
    if (b === this.refusedIn && start === this.refusedAt) return -1;
    this.walkFrom(b, start, b.length, WALK_BATCH);
    if (this.count === 0 || this.bounds[1] !== end) {
      this.count = 0;
      return -1;
    }
    this.cursor = 1;
    return 0;
  }
}

/** The name table: a power of two of at least 16 entries and 4 per name (shift: 32 - log2 of it). */
function tableSize(names: number): { cap: number; shift: number } {
  let cap = 16;
  while (cap < names * 4) cap *= 2;
  return { cap, shift: 32 - Math.log2(cap) };
}
