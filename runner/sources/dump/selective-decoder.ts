// Hand-written partial BSON decoder for the dump scanner's hot loop.
//
// `decodeSelected` walks the top-level elements of one BSON document and decodes
// only the fields named in a compiled selection, skipping every other element by
// its length. For the fields it returns, the values are exactly what
// `BSON.deserialize(bytes)` (bson@7 defaults) yields for them:
//
//   double -> number            int32 -> number          bool -> boolean
//   string -> string            null -> null             undefined -> undefined
//   UTC datetime -> Date        ObjectId -> ObjectId
//   int64 -> number when -2^53 <= v <= 2^53, else Long (bson's promoteLongs rule)
//   embedded document -> plain object (or DBRef when DBRef-shaped) via BSON.deserialize
//     (of a copy: nothing returned is a view of the input bytes, which the scanner reuses)
//   everything else (array, binary/UUID, regex, decimal128, timestamp, min/max key,
//   code, code w/ scope, symbol, DBPointer) -> delegated to BSON.deserialize on a
//   one-element document built around that element, so it is bson's own result.
//
// A selected field may be given as "epoch-ms": then a UTC datetime comes as the number
// `getTime()` of bson's Date would give (no Date is allocated; for readers that accept
// both), every other type as with `true`.
//
// A selected embedded document may instead be given a list of sub-keys
// (`{ up: ["src", "cc"] }`); then the result is a plain object holding only those
// sub-keys that are present, decoded with the same rules. If the field is not an
// embedded document (an array, a string, ...) the whole value is returned as
// bson would return it, so type anomalies stay visible to the caller.
//
// Deliberate differences from a full `BSON.deserialize` (documented, tested where
// it matters):
// - Only selected values are validated. Skipped elements are checked for their
//   length/bounds only (so a malformed document never makes the walk run away),
//   not for their content: an invalid boolean byte or invalid UTF-8 in a skipped
//   string does not throw here, whereas a full deserialize would throw.
// - Strings: bson validates string *values* as UTF-8 and throws
//   `BSONError("Invalid UTF-8 string in BSON document")`; we do the same for the
//   selected values. A leading BOM (EF BB BF) is kept as U+FEFF, like bson's
//   Node build (its web build, using a default TextDecoder, would strip it for
//   strings longer than 20 bytes).
// - Keys are compared as raw bytes against the UTF-8 encoding of the selected
//   names. bson decodes keys non-fatally, so a key with invalid UTF-8 becomes a
//   string with U+FFFD in it; such a key can only be selected by a name that
//   itself contains U+FFFD, which we do not match. (Countly never writes such keys.)
// - A document whose *top level* is DBRef-shaped ($ref/$id[/$db] only) is a DBRef
//   for `BSON.deserialize`; we return a plain object of the selected fields. The same
//   holds for a sub-key selection on a DBRef-shaped embedded document.
// - Duplicate keys: the last occurrence wins, as in bson.
// - Key order of the result is the selection's order, not the document's (bson's
//   objects follow the document). Values are what matter to the checks; `toEqual`
//   and friends ignore key order.
//
// Speed (this runs over tens of millions of raw drill events): keys of up to 4 bytes are
// packed into an int32 on the way to their terminator and looked up in a small
// open-addressing table (longer keys are compared byte by byte), skipped elements cost a
// few byte reads and no allocation, the common scalar types are decoded inline, results
// are built by object-literal factories per combination of fields found (one hidden class
// each, the recent ones in a direct-mapped cache), and short strings of each selected
// field go through a small 2-way cache compared 4 bytes at a time (see readString).
import { BSON, BSONError, Long, ObjectId } from "bson";

/**
 * What to decode of a top-level field: the whole value (`true`); for an embedded document
 * only these sub-keys; or `"epoch-ms"`: the whole value, except that a UTC datetime comes
 * as its epoch milliseconds (the number `Date#getTime()` would give) instead of a Date, for
 * readers that take both (a datetime outside Date's range still comes as the invalid Date
 * bson gives).
 */
export type FieldSpec = true | readonly string[] | "epoch-ms";

/** Top-level field -> what to decode of it. */
export type FieldSelection = Readonly<Record<string, FieldSpec>>;

interface SelEntry {
  readonly index: number;
  readonly name: string;
  readonly key: Uint8Array;
  /** Sub-key selection for an embedded document, or null for "whole value". */
  readonly sub: CompiledSelection | null;
  /** "__proto__" must be defined, not assigned (bson does the same). */
  readonly isProto: boolean;
  /** A UTC datetime comes as epoch ms (selected as "epoch-ms"). */
  readonly epochMs: boolean;
  /** Next entry with the same key byte length. */
  readonly next: SelEntry | null;
  /** Per-field cache of short string values (see readString). */
  readonly cache: StringCache;
}

export interface CompiledSelection {
  /** byLen[n] = first entry whose key is n bytes long (chained through `next`); keys of more than 4 bytes. */
  readonly byLen: ReadonlyArray<SelEntry | null>;
  /**
   * Keys of 1..4 bytes by their bytes packed little-endian into an int32 ("key word"; no key
   * byte is 0, so the word determines the key): an open-addressing table, 0 = empty slot.
   */
  readonly shortWords: Int32Array;
  readonly shortEntries: ReadonlyArray<SelEntry | null>;
  readonly shortShift: number;
  /** The entry of the empty key "", if selected. */
  readonly emptyKey: SelEntry | null;
  readonly maxLen: number;
  readonly names: readonly string[];
  /** @internal per-call scratch: decoded values by entry index, and the call stamp that found them */
  readonly values: unknown[];
  readonly stamps: number[];
  gen: number;
  /** @internal selections of at most MASK_MAX_FIELDS fields track what a document holds as a bit mask */
  readonly small: boolean;
  /**
   * @internal output factories by found-mask (small selections): an object literal of just the
   * fields found, in selection order, so every output of one combination shares a hidden class.
   * null: no factory (Function unavailable, or too many combinations seen): generic assignment.
   */
  readonly builders: Map<number, ((values: unknown[]) => Record<string, unknown>) | null>;
  /** @internal direct-mapped cache in front of `builders`: slot mask % BUILDER_SLOTS holds a mask (-1: none) and its factory */
  readonly recentMasks: Int32Array;
  readonly recentBuilders: (((values: unknown[]) => Record<string, unknown>) | null)[];
  readonly entries: readonly SelEntry[];
}

/** Selections up to this many fields use found-masks and per-mask output factories. */
const MASK_MAX_FIELDS = 30;
/** Size of the direct-mapped cache of recent output factories (a power of 2). */
const BUILDER_SLOTS = 64;
/** Distinct field combinations per selection that get their own output factory. */
const MAX_BUILDERS = 128;

const encoder = new TextEncoder();

/** The bytes b[s, e) (1..4 of them, none 0) packed little-endian into an int32. */
function keyWord(b: Uint8Array, s: number, e: number): number {
  let w = 0;
  for (let i = e - 1; i >= s; i--) w = (w << 8) | b[i]!;
  return w;
}

function compileLevel(fields: FieldSelection): CompiledSelection {
  const names = Object.keys(fields);
  let maxLen = 0;
  const keys = names.map((n) => encoder.encode(n));
  for (const k of keys) if (k.length > maxLen) maxLen = k.length;
  const byLen: (SelEntry | null)[] = new Array<SelEntry | null>(maxLen + 1).fill(null);
  const entries: SelEntry[] = new Array<SelEntry>(names.length);
  for (let i = names.length - 1; i >= 0; i--) {
    const name = names[i]!;
    const key = keys[i]!;
    const spec = fields[name];
    let sub: CompiledSelection | null = null;
    if (Array.isArray(spec)) {
      const subFields: Record<string, true> = {};
      for (const s of spec as readonly string[]) subFields[s] = true;
      sub = compileLevel(subFields);
    }
    const entry: SelEntry = {
      index: i,
      name,
      key,
      sub,
      isProto: name === "__proto__",
      epochMs: spec === "epoch-ms",
      next: byLen[key.length] ?? null,
      cache: newStringCache(),
    };
    byLen[key.length] = entry;
    entries[i] = entry;
  }
  let size = 16;
  while (size < entries.length * 4) size *= 2;
  const shortShift = 32 - Math.log2(size);
  const shortWords = new Int32Array(size);
  const shortEntries = new Array<SelEntry | null>(size).fill(null);
  let emptyKey: SelEntry | null = null;
  for (const entry of entries) {
    const k = entry.key;
    if (k.length === 0) emptyKey = entry;
    if (k.length === 0 || k.length > 4) continue;
    const word = keyWord(k, 0, k.length);
    let slot = Math.imul(word, 0x9e3779b1) >>> shortShift;
    while (shortWords[slot] !== 0) slot = (slot + 1) & (size - 1);
    shortWords[slot] = word;
    shortEntries[slot] = entry;
  }
  return {
    byLen,
    shortWords,
    shortEntries,
    shortShift,
    emptyKey,
    maxLen,
    names,
    values: new Array<unknown>(names.length).fill(undefined),
    stamps: new Array<number>(names.length).fill(0),
    gen: 0,
    small: names.length <= MASK_MAX_FIELDS,
    builders: new Map(),
    recentMasks: new Int32Array(BUILDER_SLOTS).fill(-1),
    recentBuilders: new Array<((values: unknown[]) => Record<string, unknown>) | null>(BUILDER_SLOTS).fill(null),
    entries,
  };
}

/**
 * An object literal with the given names (selection order) reading values[indices[i]],
 * compiled once per combination of found fields: V8 then creates every output of that
 * combination with one fixed shape instead of a chain of megamorphic keyed stores. Null
 * where `Function` is unavailable (e.g. a CSP-restricted runtime): generic assignment.
 */
function makeBuilder(names: readonly string[], indices: readonly number[]): ((values: unknown[]) => Record<string, unknown>) | null {
  try {
    // "__proto__" as a literal key would set the prototype; a computed key defines an own property.
    const props = names.map((n, i) => (n === "__proto__" ? `["__proto__"]: v[${indices[i]}]` : `${JSON.stringify(n)}: v[${indices[i]}]`));
    return new Function("v", `"use strict"; return { ${props.join(", ")} };`) as (values: unknown[]) => Record<string, unknown>;
  } catch {
    return null;
  }
}

function builderFor(sel: CompiledSelection, mask: number): ((values: unknown[]) => Record<string, unknown>) | null {
  let build = sel.builders.get(mask);
  if (build === undefined) {
    if (sel.builders.size >= MAX_BUILDERS) return null;
    const names: string[] = [];
    const indices: number[] = [];
    for (let i = 0; i < sel.entries.length; i++) {
      if ((mask & (1 << i)) === 0) continue;
      names.push(sel.entries[i]!.name);
      indices.push(i);
    }
    build = makeBuilder(names, indices);
    sel.builders.set(mask, build);
  }
  return build;
}

export function compileSelection(fields: FieldSelection): CompiledSelection {
  return compileLevel(fields);
}

// ---------------------------------------------------------------------------
// Byte helpers

let viewBytes: Uint8Array | null = null;
let view: DataView = new DataView(new ArrayBuffer(8));

function dataView(b: Uint8Array): DataView {
  if (b !== viewBytes) {
    view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    viewBytes = b;
  }
  return view;
}

function int32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}


function corrupt(msg: string): never {
  throw new BSONError(msg);
}

/** Size of the fixed-size types' values; -1 for variable-size or unknown types. */
const FIXED_SIZE = (() => {
  const t = new Int8Array(256).fill(-1);
  for (const [type, size] of [
    [1, 8], [6, 0], [7, 12], [8, 1], [9, 8], [10, 0], [16, 4], [17, 8], [18, 8], [19, 16], [127, 0], [255, 0],
  ] as const) t[type] = size;
  return t;
})();

/**
 * End (exclusive) of the value of type `t` starting at `p`. Throws when the value
 * would extend past `limit` (the index of the enclosing document's terminator).
 * Reads past the end of `b` yield `undefined`, which the bitwise ops in int32()
 * turn into 0; every branch's result is then > p + 4 > limit, so the bound check
 * below catches it.
 */
function valueEnd(b: Uint8Array, t: number, p: number, limit: number): number {
  const fixed = FIXED_SIZE[t]!;
  if (fixed >= 0) {
    if (p + fixed > limit) corrupt("corrupt bson: element extends past the end of its document");
    return p + fixed;
  }
  let e: number;
  switch (t) {
    case 1: // double
    case 9: // UTC datetime
    case 17: // timestamp
    case 18: // int64
      e = p + 8;
      break;
    case 2: // string
    case 13: // JS code
    case 14: {
      // symbol
      const n = int32(b, p);
      if (n <= 0) corrupt("bad string length in bson");
      e = p + 4 + n;
      break;
    }
    case 3: // document
    case 4: {
      // array
      const n = int32(b, p);
      if (n < 5) corrupt(t === 3 ? "bad embedded document length in bson" : "bad embedded array length in bson");
      e = p + n;
      break;
    }
    case 5: {
      // binary
      const n = int32(b, p);
      if (n < 0) corrupt("Negative binary type element size found");
      e = p + 5 + n;
      break;
    }
    case 6: // undefined
    case 10: // null
    case 127: // maxKey
    case 255: // minKey
      e = p;
      break;
    case 7: // ObjectId
      e = p + 12;
      break;
    case 8: // bool
      e = p + 1;
      break;
    case 11: {
      // regex: two cstrings
      let i = p;
      while (i < limit && b[i] !== 0) i++;
      i++;
      while (i < limit && b[i] !== 0) i++;
      if (i >= limit) corrupt("Bad BSON Document: illegal CString");
      e = i + 1;
      break;
    }
    case 12: {
      // DBPointer: string + 12-byte ObjectId
      const n = int32(b, p);
      if (n <= 0) corrupt("bad string length in bson");
      e = p + 4 + n + 12;
      break;
    }
    case 15: {
      // code w/ scope
      const n = int32(b, p);
      if (n < 14) corrupt("code_w_scope total size shorter minimum expected length");
      e = p + n;
      break;
    }
    case 16: // int32
      e = p + 4;
      break;
    case 19: // decimal128
      e = p + 16;
      break;
    default:
      return corrupt(`Detected unknown BSON type ${t.toString(16)}`);
  }
  if (e > limit) corrupt("corrupt bson: element extends past the end of its document");
  return e;
}

// ---------------------------------------------------------------------------
// Strings

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeUtf8(b: Uint8Array, s: number, e: number): string {
  try {
    return utf8.decode(b.subarray(s, e));
  } catch (cause) {
    throw new BSONError("Invalid UTF-8 string in BSON document", { cause });
  }
}

/** ASCII fast path for short strings; null if a byte >= 0x80 is found. */
function asciiString(b: Uint8Array, s: number, e: number): string | null {
  let r = "";
  let i = s;
  for (; i + 4 <= e; i += 4) {
    const c0 = b[i]!;
    const c1 = b[i + 1]!;
    const c2 = b[i + 2]!;
    const c3 = b[i + 3]!;
    if ((c0 | c1 | c2 | c3) >= 128) return null;
    r += String.fromCharCode(c0, c1, c2, c3);
  }
  for (; i < e; i++) {
    const c = b[i]!;
    if (c >= 128) return null;
    r += String.fromCharCode(c);
  }
  return r;
}

const CACHE_BITS = 8;
const CACHE_SLOTS = 1 << CACHE_BITS; // per selected field
const CACHE_MAX_LEN = 64;
const CACHE_PROBE_WINDOW = 4096;

/**
 * Small 2-way set-associative cache of decoded short strings, one per selected field.
 * Countly's hot fields (app id, event type, event key, source, country, ...) take few
 * distinct values, so most lookups return an existing string after comparing the raw
 * bytes with the slot's copy, instead of decoding a new string. The set is picked by a
 * hash of the length and the first and last four bytes (values that collide in a full
 * set evict each other). Fields whose values are mostly distinct (ids) switch the cache
 * off after a probe window.
 */
interface StringCache {
  readonly strings: (string | null)[];
  /** Byte length of each slot's string, -1 for an empty slot. */
  readonly lengths: Int32Array;
  /**
   * Each slot's bytes as little-endian int32 words: for n >= 4 bytes, the floor(n / 4)
   * whole words and then the word of the last 4 bytes; for n < 4, the bytes packed in one.
   */
  readonly words: (Int32Array | null)[];
  /** Which way of a full set the next miss replaces. */
  flip: number;
  /** Lookups and misses since the last judgement (at the first miss after a probe window). */
  lookups: number;
  misses: number;
  enabled: boolean;
}

function newStringCache(): StringCache {
  return {
    strings: new Array<string | null>(CACHE_SLOTS).fill(null),
    lengths: new Int32Array(CACHE_SLOTS).fill(-1),
    words: new Array<Int32Array | null>(CACHE_SLOTS).fill(null),
    flip: 0,
    lookups: 0,
    misses: 0,
    enabled: true,
  };
}

let cachingAllowed = true;
/** Turn the per-field string caches on or off globally (the benchmark compares both). */
export function setStringCaching(on: boolean): void {
  cachingAllowed = on;
}

/** The bytes b[s, e) (fewer than 4) packed little-endian. */
function packShort(b: Uint8Array, s: number, e: number): number {
  let w = 0;
  for (let i = e - 1; i >= s; i--) w = (w << 8) | b[i]!;
  return w;
}

/** The string b[s, e) as the cache compares it (see StringCache.words); `dv` views the same bytes as `b`. */
function wordsOf(b: Uint8Array, dv: DataView, s: number, e: number): Int32Array {
  const n = e - s;
  if (n < 4) return Int32Array.of(packShort(b, s, e));
  const full = n >> 2;
  const w = new Int32Array(full + 1);
  for (let j = 0; j < full; j++) w[j] = dv.getInt32(s + 4 * j, true);
  w[full] = dv.getInt32(e - 4, true);
  return w;
}

/** `dv` views the same bytes as `b` (see dataView). */
function readString(b: Uint8Array, dv: DataView, s: number, e: number, cache: StringCache): string {
  const n = e - s;
  if (n === 0) return "";
  if (n <= CACHE_MAX_LEN && cache.enabled && cachingAllowed) {
    let h: number;
    let short = 0;
    if (n >= 4) {
      h = Math.imul(n ^ dv.getInt32(s, true), 0x9e3779b1);
      h = Math.imul(h ^ dv.getInt32(e - 4, true), 0x9e3779b1);
    } else {
      short = packShort(b, s, e);
      h = Math.imul(n ^ short, 0x9e3779b1);
    }
    const set = (h >>> (32 - CACHE_BITS)) & ~1;
    const lengths = cache.lengths;
    for (let slot = set; slot <= (set | 1); slot++) {
      if (lengths[slot] !== n) continue;
      const w = cache.words[slot]!;
      let same: boolean;
      if (n >= 4) {
        const full = n >> 2;
        let j = 0;
        while (j < full && w[j] === dv.getInt32(s + 4 * j, true)) j++;
        same = j === full && w[full] === dv.getInt32(e - 4, true);
      } else {
        same = w[0] === short;
      }
      if (same) {
        cache.lookups++;
        return cache.strings[slot]!;
      }
    }
    cache.lookups++;
    cache.misses++;
    if (cache.lookups >= CACHE_PROBE_WINDOW && !judge(cache)) return decodeUtf8(b, s, e);
    const str = decodeUtf8(b, s, e);
    const slot = lengths[set] === -1 ? set : lengths[set | 1] === -1 ? set | 1 : set | (cache.flip ^= 1);
    cache.strings[slot] = str;
    lengths[slot] = n;
    cache.words[slot] = wordsOf(b, dv, s, e);
    return str;
  }
  if (n <= 24) {
    const ascii = asciiString(b, s, e);
    if (ascii !== null) return ascii;
  }
  return decodeUtf8(b, s, e);
}

/**
 * At a miss after a probe window: keep the cache only if it saved work at least a quarter
 * of the time. Returns whether it stays on.
 */
function judge(cache: StringCache): boolean {
  if (cache.misses * 4 > cache.lookups * 3) {
    cache.enabled = false;
    cache.strings.fill(null);
    cache.words.fill(null);
    cache.lengths.fill(-1);
  }
  cache.lookups = 0;
  cache.misses = 0;
  return cache.enabled;
}

// ---------------------------------------------------------------------------
// Values

type ObjectIdFromOffset = new (source: Uint8Array, offset: number) => ObjectId;
const ObjectIdAt = ObjectId as unknown as ObjectIdFromOffset;
// bson@7.3 has an internal (bytes, offset) constructor used by its own deserializer;
// make sure it really reads at the offset before relying on it.
const objectIdOffsetCtorWorks = (() => {
  try {
    const probe = new Uint8Array(13);
    for (let i = 0; i < 13; i++) probe[i] = i + 1;
    return new ObjectIdAt(probe, 1).toHexString() === "02030405060708090a0b0c0d";
  } catch {
    return false;
  }
})();

const TWO_32 = 4294967296;
/** The largest |time value| a Date holds (ECMA-262 TimeClip). */
const MAX_DATE_MS = 8.64e15;

/** Delegate one element to bson: wrap it in a one-element document with key "". */
function deserializeElement(b: Uint8Array, t: number, p: number, e: number): unknown {
  const size = 4 + 1 + 1 + (e - p) + 1;
  const mini = new Uint8Array(size);
  mini[0] = size & 0xff;
  mini[1] = (size >>> 8) & 0xff;
  mini[2] = (size >>> 16) & 0xff;
  mini[3] = (size >>> 24) & 0xff;
  mini[4] = t;
  mini[5] = 0;
  mini.set(b.subarray(p, e), 6);
  mini[size - 1] = 0;
  return BSON.deserialize(mini)[""];
}

function decodeValue(b: Uint8Array, t: number, p: number, e: number, cache: StringCache): unknown {
  switch (t) {
    case 2: {
      if (b[e - 1] !== 0) corrupt("bad string length in bson");
      return readString(b, dataView(b), p + 4, e - 1, cache);
    }
    case 16:
      return int32(b, p);
    case 1:
      return dataView(b).getFloat64(p, true);
    case 9: {
      const lo = int32(b, p);
      const hi = int32(b, p + 4);
      return new Date(hi * TWO_32 + (lo >>> 0));
    }
    case 18: {
      const lo = int32(b, p);
      const hi = int32(b, p + 4);
      // bson promotes when -2^53 <= v <= 2^53
      if ((hi >= -0x200000 && hi < 0x200000) || (hi === 0x200000 && lo === 0)) {
        return hi * TWO_32 + (lo >>> 0);
      }
      return new Long(lo, hi);
    }
    case 8: {
      const v = b[p];
      if (v !== 0 && v !== 1) corrupt("illegal boolean type value");
      return v === 1;
    }
    case 7:
      return objectIdOffsetCtorWorks ? new ObjectIdAt(b, p) : new ObjectId(b.slice(p, p + 12));
    case 10:
      return null;
    case 6:
      return undefined;
    case 3:
      // from a copy: bson's values may be views of its input (Binary), and the scanner reuses its buffers
      // (Uint8Array's slice copies; a Buffer's would not)
      return BSON.deserialize(Uint8Array.prototype.slice.call(b, p, e));
    default:
      return deserializeElement(b, t, p, e);
  }
}

function decodeDoc(b: Uint8Array, start: number, end: number, sel: CompiledSelection): Record<string, unknown> {
  if (start < 0 || end > b.length || end - start < 5) corrupt("corrupt bson message");
  if (int32(b, start) !== end - start) corrupt(`bson size ${int32(b, start)} does not match the ${end - start} bytes given`);
  const last = end - 1;
  if (b[last] !== 0) corrupt("One object, sized correctly, with a spot for an EOO, but the EOO isn't 0x00");
  const dv = b === viewBytes ? view : dataView(b);
  const blen = b.length;
  const byLen = sel.byLen;
  const shortWords = sel.shortWords;
  const shortEntries = sel.shortEntries;
  const shortShift = sel.shortShift;
  const slotMask = shortWords.length - 1;
  const maxLen = sel.maxLen;
  const values = sel.values;
  const stamps = sel.stamps;
  const small = sel.small;
  let gen = 0;
  if (!small) {
    gen = sel.gen + 1;
    if (gen > 0x3fffffff) {
      gen = 1;
      stamps.fill(0);
    }
    sel.gen = gen;
  }
  let mask = 0;
  let p = start + 4;
  while (p < last) {
    const t = b[p]!;
    if (t === 0) corrupt("corrupt object bson");
    // the key: up to its first 4 bytes packed into `word` on the way to its terminator
    // (which exists: the scan stops at the document's own terminator at `last` at the latest)
    const ks = ++p;
    let word = 0;
    let c = b[p]!;
    if (c !== 0) {
      word = c;
      c = b[++p]!;
      if (c !== 0) {
        word |= c << 8;
        c = b[++p]!;
        if (c !== 0) {
          word |= c << 16;
          c = b[++p]!;
          if (c !== 0) {
            word |= c << 24;
            while (b[++p] !== 0);
          }
        }
      }
    }
    if (p >= last) corrupt("Bad BSON Document: illegal CString");
    const klen = p - ks;
    p++;
    let ve: number;
    if (t === 2) {
      // strings are most elements in Countly documents: size them inline
      const n = p + 4 <= blen ? dv.getInt32(p, true) : int32(b, p);
      ve = p + 4 + n;
      if (n <= 0 || ve > last) corrupt("bad string length in bson");
    } else {
      const fixed = FIXED_SIZE[t]!;
      if (fixed >= 0) {
        ve = p + fixed;
        if (ve > last) corrupt("corrupt bson: element extends past the end of its document");
      } else if (t === 3 && p + 4 <= blen) {
        // embedded documents (sg, up...) inline too
        const n = dv.getInt32(p, true);
        if (n < 5) corrupt("bad embedded document length in bson");
        ve = p + n;
        if (ve > last) corrupt("corrupt bson: element extends past the end of its document");
      } else {
        ve = valueEnd(b, t, p, last);
      }
    }
    let entry: SelEntry | null = null;
    if (klen <= 4) {
      if (klen === 0) {
        entry = sel.emptyKey;
      } else {
        let slot = Math.imul(word, 0x9e3779b1) >>> shortShift;
        for (;;) {
          const w = shortWords[slot]!;
          if (w === word) {
            entry = shortEntries[slot]!;
            break;
          }
          if (w === 0) break;
          slot = (slot + 1) & slotMask;
        }
      }
    } else if (klen <= maxLen) {
      for (let cand = byLen[klen] ?? null; cand !== null; cand = cand.next) {
        const key = cand.key;
        let i = 0;
        while (i < klen && key[i] === b[ks + i]) i++;
        if (i === klen) {
          entry = cand;
          break;
        }
      }
    }
    if (entry !== null) {
      // a repeated key overwrites: the last occurrence wins, as in bson
      const index = entry.index;
      // the common scalar types inline, the rest through decodeValue
      if (t === 2) {
        if (b[ve - 1] !== 0) corrupt("bad string length in bson");
        values[index] = readString(b, dv, p + 4, ve - 1, entry.cache);
      } else if (t === 16) {
        values[index] = dv.getInt32(p, true);
      } else if (t === 1) {
        values[index] = dv.getFloat64(p, true);
      } else if (t === 9) {
        const ms = dv.getInt32(p + 4, true) * TWO_32 + dv.getUint32(p, true);
        values[index] = entry.epochMs && ms <= MAX_DATE_MS && ms >= -MAX_DATE_MS ? ms : new Date(ms);
      } else {
        values[index] = entry.sub !== null && t === 3 ? decodeDoc(b, p, ve, entry.sub) : decodeValue(b, t, p, ve, entry.cache);
      }
      if (small) mask |= 1 << index;
      else stamps[index] = gen;
    }
    p = ve;
  }
  const entries = sel.entries;
  if (small) {
    if (mask === 0) return {};
    const slot = mask & (BUILDER_SLOTS - 1);
    let build = sel.recentBuilders[slot] ?? null;
    if (sel.recentMasks[slot] !== mask) {
      build = builderFor(sel, mask);
      sel.recentMasks[slot] = mask;
      sel.recentBuilders[slot] = build;
    }
    if (build !== null) return build(values);
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < entries.length; i++) {
    if (small ? (mask & (1 << i)) === 0 : stamps[i] !== gen) continue;
    const entry = entries[i]!;
    if (entry.isProto) {
      Object.defineProperty(out, entry.name, { value: values[i], writable: true, enumerable: true, configurable: true });
    } else {
      out[entry.name] = values[i];
    }
  }
  return out;
}

/**
 * Decode the selected fields of the BSON document occupying `bytes[start, end)`.
 * Throws a `BSONError` when the document is malformed (bad size, element running past
 * its document, unknown type) or a selected value is invalid (bad UTF-8, bad boolean).
 */
export const decodeSelected: (bytes: Uint8Array, start: number, end: number, sel: CompiledSelection) => Record<string, unknown> = decodeDoc;
