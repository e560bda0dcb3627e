// In-process harness for the scanner's wasm (issue 12, 3.5 M docs/s): times walk_batch
// (native/bson-walk.c) and raw_events_rows (native/raw-events.c) alone, in ns per document,
// for two builds of the module side by side on the same bytes (a memory each, laid out alike), and checks
// that both give the same rows and the same kernel outputs, byte for byte.
//
//   npx tsx bench/wasm-kernels.ts [--file F] [--mb 256] [--rounds 5] [--module A.wasm ...]
//
// Defaults: the first 256 MB of .bench/v2/drill-5000000/dump/countly_drill/drill_events.bson,
// this checkout's native/bson-walk.wasm against main's build (/work/wt/lead5/native/bson-walk.wasm,
// or --module). It reads the dump's countly/apps.bson for the apps and their time zones. Reads
// only; writes nothing. CPU time by process.cpuUsage() (user + system), best of the rounds, the
// modules taking turns every round so the load of the shared machine hits both alike.
//
// The walk is timed as the scanner calls it (WALK_BATCH documents a call into one small row
// area); the kernel over rows walked beforehand into one large area (so only the kernel is timed),
// with its zone offsets and keys learnt in a first untimed pass, as raw-events-kernel.ts learns
// them from JavaScript; "walk+kernel" runs both per batch, as a scan does.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { BSON } from "bson";
import { utcOffsetMs } from "../countly/time.ts";
import type { Exports } from "../runner/sources/dump/bson-walk-native.ts";

interface WasmApi {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: unknown, imports: { env: { memory: { buffer: ArrayBuffer } } }) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const argv = process.argv.slice(2);
function option(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) if (argv[i] === name && i + 1 < argv.length) out.push(argv[++i]!);
  return out;
}
const file = option("--file")[0] ?? ".bench/v2/drill-5000000/dump/countly_drill/drill_events.bson";
const megabytes = Number(option("--mb")[0] ?? 256);
const rounds = Number(option("--rounds")[0] ?? 5);
/** Passes over the input per timing (a small input, e.g. --mb 4, then stays in the caches, as a scanner's read chunk). */
const repeat = Number(option("--repeat")[0] ?? Math.max(1, Math.round(256 / megabytes)));
const modules = option("--module");
if (modules.length === 0) modules.push("native/bson-walk.wasm", "/work/wt/lead5/native/bson-walk.wasm");
const NAMES = (option("--names")[0] ?? "a,e,n,ts,cd,c,s,dur,_id").split(",");
const SLOTS = NAMES.length;
const BATCH = 256;
const QUARTER_MS = 900000;

// ---- the input: whole documents from the start of the file
const fd = openSync(file, "r");
const want = Math.floor(megabytes * 1024 * 1024);
const raw = new Uint8Array(want);
const got = readSync(fd, raw, 0, want, 0);
closeSync(fd);
let inputEnd = 0;
let docCount = 0;
{
  const v = new DataView(raw.buffer);
  while (inputEnd + 4 <= got) {
    const n = v.getInt32(inputEnd, true);
    if (n < 5 || inputEnd + n > got) break;
    inputEnd += n;
    docCount++;
  }
}

// ---- the apps of the dump
const appsFile = join(dirname(dirname(file)), "countly", "apps.bson");
const apps: { id: string; timezone: string }[] = [];
{
  const a = readFileSync(appsFile);
  for (let p = 0; p < a.length; ) {
    const n = a.readInt32LE(p);
    const d = BSON.deserialize(a.subarray(p, p + n));
    apps.push({ id: String(d._id), timezone: String(d.timezone ?? "UTC") });
    p += n;
  }
}
const zoneNames = [...new Set(apps.map((a) => a.timezone))];

// ---- a memory per module (each instance writes its own constants into its memory), laid out alike: [heap base | input | big rows | the module's region]
const align = (n: number, to = 16): number => Math.ceil(n / to) * to;
const compiled = modules.map((m) => new wasm.Module(readFileSync(m)));
const probeMem = new wasm.Memory({ initial: 4 });
const heapBase = Math.max(...compiled.map((m) => (new wasm.Instance(m, { env: { memory: probeMem } }).exports as Exports).__heap_base.value));
const inputAt = align(heapBase);
const bigDocsAt = align(inputAt + inputEnd + 16);
const bigTypesAt = align(bigDocsAt + docCount * 8);
const bigStartsAt = align(bigTypesAt + docCount * SLOTS);
const bigEndsAt = align(bigStartsAt + docCount * SLOTS * 4);
const REGION = 8 << 20;
const regionAt = align(bigEndsAt + docCount * SLOTS * 4);
const total = regionAt + REGION;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Kit {
  name: string;
  x: Exports;
  heap: Uint8Array;
  view: DataView;
  table: number;
  shift: number;
  guesses: number;
  docs: number;
  types: number;
  starts: number;
  ends: number;
  kernel: number;
  outs: { at: number; bytes: number }[];
  keysAt: number;
  keysMask: number;
  keyBytesAt: number;
  zonesAt: number;
  keyIds: Map<string, number>;
  misses: number;
}

/** RawKernel's int32 fields (native/raw-events.c; raw-events-kernel.ts's K). */
const K = { slots: 8, apps: 9, appsMask: 10, appsEvery: 11, appZones: 12, zones: 13, zonesMask: 14, keys: 15, keysMask: 16, keysEvery: 17, customKey: 18, counts: 19, appOut: 20, keyOut: 21, dayOut: 22, cOut: 23, sOut: 24, durOut: 25, cdOut: 26, size: 27 };
const ZONES = 1 << 14;

function setUp(name: string, m: unknown): Kit {
  const memory = new wasm.Memory({ initial: Math.ceil(total / 65536) });
  const heap = new Uint8Array(memory.buffer);
  heap.set(raw.subarray(0, inputEnd), inputAt);
  const view = new DataView(memory.buffer);
  const x = new wasm.Instance(m, { env: { memory } }).exports as Exports;
  let p = regionAt;
  const take = (bytes: number): number => {
    const at = p;
    p = align(p + bytes);
    return at;
  };
  // the walker (as BatchWalker)
  const cap = 64;
  const shift = 32 - 6;
  const table = take(cap * 16);
  const guesses = take(64 * 24);
  const docs = take(BATCH * 8);
  const starts = take(BATCH * SLOTS * 4);
  const ends = take(BATCH * SLOTS * 4);
  const types = take(BATCH * SLOTS);
  x.layout_clear(table, shift);
  NAMES.forEach((n, slot) => {
    const k = encoder.encode(n);
    const at = take(k.length);
    heap.set(k, at);
    x.layout_add(table, shift, at, k.length, slot);
  });
  x.guesses_clear(guesses);
  // the kernel (as RawEventsKernel)
  const kernel = take(K.size * 4);
  const f = new Int32Array(memory.buffer, kernel, K.size);
  ["a", "e", "n", "ts", "c", "s", "dur", "cd"].forEach((n, i) => (f[i] = NAMES.indexOf(n)));
  f[K.slots] = SLOTS;
  const outs: { at: number; bytes: number }[] = [];
  const out = (field: number, bytes: number): void => {
    f[field] = take(BATCH * bytes);
    outs.push({ at: f[field]!, bytes: BATCH * bytes });
  };
  out(K.counts, 1);
  out(K.appOut, 4);
  out(K.keyOut, 4);
  out(K.dayOut, 4);
  out(K.cOut, 8);
  out(K.sOut, 8);
  out(K.durOut, 8);
  out(K.cdOut, 8);
  // the tables at most half full, as raw-events-kernel.ts keeps them
  let appEntries = 16;
  while (appEntries < apps.length * 2) appEntries *= 2;
  f[K.apps] = take(appEntries * 16);
  f[K.appsMask] = appEntries - 1;
  f[K.appsEvery] = 0;
  x.strings_clear(f[K.apps]!, appEntries - 1);
  apps.forEach((a, i) => {
    const b = encoder.encode(a.id);
    const at = take(b.length);
    heap.set(b, at);
    x.strings_put(f[K.apps]!, appEntries - 1, 0, at, b.length, i);
  });
  f[K.appZones] = take(apps.length * 4);
  apps.forEach((a, i) => view.setInt32(f[K.appZones]! + 4 * i, zoneNames.indexOf(a.timezone), true));
  f[K.zones] = take(ZONES * 24);
  f[K.zonesMask] = ZONES - 1;
  for (let i = 0; i < ZONES; i++) view.setInt32(f[K.zones]! + 24 * i + 16, -1, true);
  const keysMask = (1 << 16) - 1;
  f[K.keys] = take((keysMask + 1) * 16);
  f[K.keysMask] = keysMask;
  f[K.keysEvery] = 0;
  x.strings_clear(f[K.keys]!, keysMask);
  const kit: Kit = { name, x, heap, view, table, shift, guesses, docs, types, starts, ends, kernel, outs, keysAt: f[K.keys]!, keysMask, keyBytesAt: take(1 << 20), zonesAt: f[K.zones]!, keyIds: new Map(), misses: 0 };
  f[K.customKey] = addKey(kit, "[CLY]_custom");
  if (p > regionAt + REGION) throw new Error("harness region too small");
  return kit;
}

function addKey(kit: Kit, key: string): number {
  const { heap } = kit;
  const b = encoder.encode(key);
  const id = kit.keyIds.size;
  kit.keyIds.set(key, id);
  heap.set(b, kit.keyBytesAt);
  kit.x.strings_put(kit.keysAt, kit.keysMask, 0, kit.keyBytesAt, b.length, id);
  kit.keyBytesAt += b.length;
  return id;
}

const kits = compiled.map((m, i) => setUp(modules[i]!, m));

/** After the kernel stopped at row `r` (rows at types/starts/ends): learns what JavaScript would (the zone's offset, the key); false when there is nothing to learn (JavaScript reads the row). */
function learn(kit: Kit, types: number, starts: number, ends: number, r: number): boolean {
  const { heap, view } = kit;
  kit.misses++;
  const slot = (n: string): number => r * SLOTS + NAMES.indexOf(n);
  const str = (n: string): string | undefined => (heap[types + slot(n)] === 2 ? decoder.decode(heap.subarray(view.getInt32(starts + 4 * slot(n), true) + 4, view.getInt32(ends + 4 * slot(n), true) - 1)) : undefined);
  const a = str("a");
  const app = apps.findIndex((x) => x.id === a);
  if (app < 0) return false;
  const tt = heap[types + slot("ts")];
  const tp = view.getInt32(starts + 4 * slot("ts"), true);
  let ts = tt === 1 ? view.getFloat64(tp, true) : tt === 16 ? view.getInt32(tp, true) : tt === 9 || tt === 18 ? Number(view.getBigInt64(tp, true)) : NaN;
  if (ts !== ts) return false;
  if (ts < 1e11) ts *= 1000;
  const q = Math.floor(ts / QUARTER_MS);
  const zone = zoneNames.indexOf(apps[app]!.timezone);
  const i = kit.x.zone_slot(zone, q, ZONES - 1);
  const z = kit.zonesAt + 24 * i;
  if (view.getInt32(z + 16, true) !== zone || view.getFloat64(z, true) !== q) {
    view.setFloat64(z, q, true);
    view.setFloat64(z + 8, utcOffsetMs(apps[app]!.timezone, q * QUARTER_MS), true);
    view.setInt32(z + 16, zone, true);
    return true;
  }
  const n = str("n");
  if (n !== undefined && !kit.keyIds.has(n) && kit.keyIds.size < (kit.keysMask + 1) / 2 && kit.keyBytesAt + 4 * n.length < regionAt + REGION) {
    addKey(kit, n);
    return true;
  }
  return false;
}

/** The kernel over rows [0, count) at types/starts/ends, learning at every stop. Returns the rows left to JavaScript. */
function kernelRows(kit: Kit, types: number, starts: number, ends: number, count: number): number {
  let from = 0;
  let left = 0;
  while (from < count) {
    const done = kit.x.raw_events_rows(0, kit.kernel, types, starts, ends, from, count);
    if (done >= count) break;
    if (learn(kit, types, starts, ends, done)) from = done;
    else {
      left++;
      from = done + 1;
    }
  }
  return left;
}

/** Walks the whole input in batches into the kit's small row area; calls `each(count)` after every batch. */
function walkAll(kit: Kit, each?: (count: number) => void): number {
  const { view } = kit;
  let p = inputAt;
  const end = inputAt + inputEnd;
  let docs = 0;
  while (p < end) {
    const n = kit.x.walk_batch(0, p, end, kit.table, kit.shift, SLOTS, kit.guesses, BATCH, kit.docs, kit.types, kit.starts, kit.ends);
    if (n === 0) throw new Error(`${kit.name}: walk_batch refused the document at ${p - inputAt}`);
    docs += n;
    if (each) each(n);
    p = view.getInt32(kit.docs + 8 * (n - 1) + 4, true);
  }
  return docs;
}

/** Walks the whole input into the big row area (one call: max = all). */
function walkBig(kit: Kit): void {
  kit.x.guesses_clear(kit.guesses);
  const n = kit.x.walk_batch(0, inputAt, inputAt + inputEnd, kit.table, kit.shift, SLOTS, kit.guesses, docCount, bigDocsAt, bigTypesAt, bigStartsAt, bigEndsAt);
  if (n !== docCount) throw new Error(`${kit.name}: walked ${n} of ${docCount} documents`);
}

function kernelBig(kit: Kit): number {
  let left = 0;
  for (let r = 0; r < docCount; r += BATCH) {
    const count = Math.min(BATCH, docCount - r);
    left += kernelRows(kit, bigTypesAt + r * SLOTS, bigStartsAt + r * SLOTS * 4, bigEndsAt + r * SLOTS * 4, count);
  }
  return left;
}

/** CPU ns per pass of `f` over the input (`repeat` passes). */
function cpu(f: () => unknown): number {
  const t = process.cpuUsage();
  for (let i = 0; i < repeat; i++) f();
  const d = process.cpuUsage(t);
  return ((d.user + d.system) * 1000) / repeat;
}

// ---- equality: the rows (walk) and the kernel's outputs (per batch) of every module are the same bytes
function fnv(parts: Uint8Array[], h = 0x811c9dc5): number {
  for (const p of parts) for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p[i]!, 0x01000193);
  return h;
}
const digest = (parts: Uint8Array[]): string => (fnv(parts) >>> 0).toString(16);
const rowBytes = (kit: Kit) => [kit.heap.subarray(bigDocsAt, bigEndsAt + docCount * SLOTS * 4)];
const digests: string[] = [];
const kernelDigests: string[] = [];
const left: number[] = [];
for (const kit of kits) {
  const { heap } = kit;
  walkBig(kit);
  digests.push(digest(rowBytes(kit)));
  // first pass: learns the zones and keys; second: the outputs, hashed batch by batch
  kernelBig(kit);
  kit.misses = 0;
  let h = 0x811c9dc5;
  let l = 0;
  for (let r = 0; r < docCount; r += BATCH) {
    const count = Math.min(BATCH, docCount - r);
    for (const o of kit.outs) heap.fill(0, o.at, o.at + o.bytes);
    l += kernelRows(kit, bigTypesAt + r * SLOTS, bigStartsAt + r * SLOTS * 4, bigEndsAt + r * SLOTS * 4, count);
    h = fnv(kit.outs.map((o) => heap.subarray(o.at, o.at + o.bytes)), h);
  }
  left.push(l);
  kernelDigests.push((h >>> 0).toString(16));
}
process.stdout.write(`input: ${file}, ${(inputEnd / 1048576).toFixed(0)} MB, ${docCount} documents (${(inputEnd / docCount).toFixed(0)} bytes each), layout ${NAMES.join(",")}\n`);
kits.forEach((k, i) => process.stdout.write(`  ${k.name}: rows ${digests[i]}, kernel outputs ${kernelDigests[i]}, rows left to JavaScript ${left[i]}\n`));
const same = digests.every((d) => d === digests[0]) && kernelDigests.every((d) => d === kernelDigests[0]) && left.every((l) => l === left[0]);
process.stdout.write(same ? "  identical rows and kernel outputs\n" : "  DIFFERENT rows or kernel outputs\n");

// ---- timings: the modules take turns every round
kits.forEach((k) => (k.misses = 0));
const times = kits.map(() => ({ walk: Infinity, kernel: Infinity, both: Infinity }));
for (let round = 0; round < rounds; round++) {
  kits.forEach((kit, i) => {
    kit.x.guesses_clear(kit.guesses);
    times[i]!.walk = Math.min(times[i]!.walk, cpu(() => walkAll(kit)));
    walkBig(kit);
    times[i]!.kernel = Math.min(times[i]!.kernel, cpu(() => kernelBig(kit)));
    kit.x.guesses_clear(kit.guesses);
    times[i]!.both = Math.min(times[i]!.both, cpu(() => walkAll(kit, (n) => kernelRows(kit, kit.types, kit.starts, kit.ends, n))));
  });
}
kits.forEach((k) => process.stdout.write(`  ${k.name}: the kernel stopped for JavaScript ${(k.misses / Math.max(1, rounds * 2 * repeat)).toFixed(0)} times a pass (timed passes: the zones' offsets and keys it then learns, as raw-events-kernel.ts would)\n`));
const per = (ns: number) => (ns / docCount).toFixed(1).padStart(6);
process.stdout.write(`ns per document, CPU (user + system), best of ${rounds} (${repeat} passes each):\n`);
process.stdout.write(`  ${"module".padEnd(40)} ${"walk".padStart(6)} ${"kernel".padStart(6)} ${"w+k".padStart(6)}\n`);
kits.forEach((k, i) => process.stdout.write(`  ${k.name.padEnd(40)} ${per(times[i]!.walk)} ${per(times[i]!.kernel)} ${per(times[i]!.both)}\n`));
if (kits.length >= 2) {
  const r = (a: number, b: number) => (b / a).toFixed(2);
  process.stdout.write(`  speed-up of ${kits[0]!.name} over ${kits[1]!.name}: walk ${r(times[0]!.walk, times[1]!.walk)}x, kernel ${r(times[0]!.kernel, times[1]!.kernel)}x, walk+kernel ${r(times[0]!.both, times[1]!.both)}x\n`);
}
process.exitCode = same ? 0 : 1;
