// The dump scanner's byte-level document reader: one reused `DocFields` per collection
// read walks the top-level elements of each BSON document once, comparing element names
// as bytes against a compiled field layout, and remembers where each selected field's
// value lies (type, start, end). Nothing is decoded until a collector asks, and then only
// what it asks for: a number read from the buffer (any BSON numeric type), a string
// compared as bytes or interned by a byte hash (decoded once per distinct value), a date
// as epoch ms. Sub-fields (`up.src`) are found inside their embedded document on first
// access. `value()` and `record()` give exactly what `BSON.deserialize` (bson@7 defaults)
// gives for the field, for the cold paths that need real values (aggregate `d` trees).
//
// Validation: the walk checks every element's type and bounds (a malformed document never
// makes it run away) and throws bson's `BSONError`; a value's content (UTF-8, a boolean
// byte) is validated when it is read, as bson would. Keys are compared as raw bytes
// (bson decodes keys non-fatally; Countly never writes keys with invalid UTF-8).
// Duplicate keys: the last occurrence wins, as in bson.
import { BSON, BSONError, Decimal128, Long, ObjectId } from "bson";
import { arenaOf, BatchWalker, type WalkedBatch } from "./bson-walk-native.ts";

/** What to read of a top-level field: the whole value (`true`) or, for an embedded document, these sub-keys. */
export type FieldSpec = true | readonly string[];
/** Top-level field -> what to read of it. */
export type FieldSelection = Readonly<Record<string, FieldSpec>>;

interface Entry {
  readonly slot: number;
  readonly key: Uint8Array;
  /** Next entry with the same key byte length (keys of more than 4 bytes). */
  readonly next: Entry | null;
}

/** One level of names: keys of 1..4 bytes by their bytes packed into an int32 (open addressing), longer ones by length. */
interface Level {
  readonly byLen: ReadonlyArray<Entry | null>;
  readonly shortWords: Int32Array;
  readonly shortSlots: Int32Array;
  readonly shortShift: number;
  readonly emptySlot: number;
  readonly maxLen: number;
}


/** A compiled selection: every selected name (top-level `a`, sub-field `up.src`) has a slot number. */
export class FieldLayout {
  readonly names: string[] = [];
  /** Top-level slots of the selection, in selection order (what `record()` builds). */
  readonly recordSlots: number[] = [];
  /** Sub-field slot -> the slot of its embedded document; -1 for top-level slots. */
  readonly parent: number[] = [];
  /** Top-level slot -> the sub-field slots selected inside it (empty: the whole value). */
  readonly children: number[][] = [];
  /** Top-level slot -> its sub-level, or null. */
  readonly subLevels: (Level | null)[] = [];
  readonly top: Level;
  /** The slot of `_id`, always tracked (errors name the document). */
  readonly idSlot: number;

  /** undefined: the whole document (`record()` is the full deserialize). */
  readonly whole: boolean;

  constructor(selection: FieldSelection | undefined) {
    this.whole = selection === undefined;
    selection ??= {};
    const top: [string, number][] = [];
    const add = (name: string, parent: number): number => {
      const slot = this.names.length;
      this.names.push(name);
      this.parent.push(parent);
      this.children.push([]);
      this.subLevels.push(null);
      return slot;
    };
    for (const [name, spec] of Object.entries(selection)) {
      const slot = add(name, -1);
      top.push([name, slot]);
      this.recordSlots.push(slot);
      if (Array.isArray(spec)) {
        const subs: [string, number][] = [];
        for (const s of new Set(spec as readonly string[])) {
          const child = add(`${name}.${s}`, slot);
          this.children[slot]!.push(child);
          subs.push([s, child]);
        }
        this.subLevels[slot] = compileLevel(subs);
      }
    }
    let id = top.find(([n]) => n === "_id")?.[1];
    if (id === undefined) {
      id = add("_id", -1);
      top.push(["_id", id]);
    }
    this.idSlot = id;
    this.top = compileLevel(top);
  }

  /** The slot of a selected name (`"a"`, `"up.src"`); throws for a name the selection does not hold (a collector bug). */
  slot(name: string): number {
    const i = this.names.indexOf(name);
    if (i < 0) throw new Error(`field ${name} is not in the scan's selection (${this.names.join(", ")})`);
    return i;
  }
}

const encoder = new TextEncoder();

/** The UTF-8 bytes of a name or value, for byte comparisons. */
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** The bytes b[s, e) (1..4 of them, none 0) packed little-endian into an int32. */
function keyWord(b: Uint8Array, s: number, e: number): number {
  let w = 0;
  for (let i = e - 1; i >= s; i--) w = (w << 8) | b[i]!;
  return w;
}

function compileLevel(names: readonly (readonly [string, number])[]): Level {
  let maxLen = 0;
  const keys = names.map(([n]) => encoder.encode(n));
  for (const k of keys) if (k.length > maxLen) maxLen = k.length;
  const byLen: (Entry | null)[] = new Array<Entry | null>(maxLen + 1).fill(null);
  let size = 16;
  while (size < names.length * 4) size *= 2;
  const shortShift = 32 - Math.log2(size);
  const shortWords = new Int32Array(size);
  const shortSlots = new Int32Array(size).fill(-1);
  let emptySlot = -1;
  for (let i = 0; i < names.length; i++) {
    const key = keys[i]!;
    const slot = names[i]![1];
    if (key.length === 0) {
      emptySlot = slot;
    } else if (key.length <= 4) {
      const word = keyWord(key, 0, key.length);
      let h = Math.imul(word, 0x9e3779b1) >>> shortShift;
      while (shortWords[h] !== 0) h = (h + 1) & (size - 1);
      shortWords[h] = word;
      shortSlots[h] = slot;
    } else {
      byLen[key.length] = { slot, key, next: byLen[key.length] ?? null };
    }
  }
  return { byLen, shortWords, shortSlots, shortShift, emptySlot, maxLen };
}

// ---------------------------------------------------------------------------
// Element bounds

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
 * End (exclusive) of the variable-size value of type `t` starting at `p`; throws when it would
 * extend past `limit` (the enclosing document's terminator). Reads past the end of `b` give
 * `undefined`, which int32() turns into 0, and the bound check catches the result.
 */
function variableEnd(b: Uint8Array, t: number, p: number, limit: number): number {
  let e: number;
  switch (t) {
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
    default:
      return corrupt(`Detected unknown BSON type ${t.toString(16)}`);
  }
  if (e > limit) corrupt("corrupt bson: element extends past the end of its document");
  return e;
}

// ---------------------------------------------------------------------------
// Strings

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 like bson does for string values (fatal; a leading BOM kept as U+FEFF, as bson's Node build). */
export function decodeUtf8(b: Uint8Array, s: number, e: number): string {
  if (e - s <= 24) {
    let r = "";
    let i = s;
    for (; i < e; i++) {
      const c = b[i]!;
      if (c >= 128) break;
      r += String.fromCharCode(c);
    }
    if (i === e) return r;
  }
  try {
    return utf8.decode(b.subarray(s, e));
  } catch (cause) {
    throw new BSONError("Invalid UTF-8 string in BSON document", { cause });
  }
}

/**
 * Strings by their bytes: `id()` hashes the bytes and returns a small integer, the same for
 * the same bytes, decoding (and validating) a string only the first time it sees them;
 * `find()` looks up without adding. Countly's hot string fields (app ids, event keys,
 * sources) take few distinct values, so this replaces a string per document by a hash.
 *
 * The hash first reads three words only (the first, middle and last 4 bytes, and the
 * length: every byte of strings up to 12 bytes, and the parts of longer ones that tell app
 * ids and event keys apart), so a lookup costs the same for any length. Bytes are always
 * compared in full, so the hash only decides speed; when strings that differ elsewhere
 * share it (`item_0001_view`, `item_0002_view`...), the table switches once to a hash of
 * every byte. Bytes are read four at a time (DataView reads of the document and of the
 * interner's own arena of the strings' bytes).
 */
export class StringInterner {
  private slots: Int32Array = new Int32Array(64).fill(-1);
  private hashes: Int32Array = new Int32Array(32);
  private starts: Int32Array = new Int32Array(32);
  private lengths: Int32Array = new Int32Array(32);
  private arena = new Uint8Array(1024);
  private arenaView = new DataView(this.arena.buffer);
  private used = 0;
  /** Hashing every byte (hashBytes) instead of three words (wordHash), after too many strings shared a word hash. */
  private everyByte = false;
  // the DataView of the last buffer looked up through find()/id() (DocFields passes its own)
  private lastBytes: Uint8Array | null = null;
  private lastView: DataView = this.arenaView;
  readonly texts: string[] = [];

  get size(): number {
    return this.texts.length;
  }

  /** Bytes held for the strings (for memory budgets). */
  get bytes(): number {
    return this.used + this.slots.length * 4 + this.hashes.length * 12;
  }

  /** How ids are hashed now: "words" (three words and the length) or, once strings collided there, "bytes" (every byte). For tests and diagnostics. */
  get hashing(): "words" | "bytes" {
    return this.everyByte ? "bytes" : "words";
  }

  text(id: number): string {
    return this.texts[id]!;
  }

  /** The id of the string b[s, e), or -1 when it was never added. */
  find(b: Uint8Array, s: number, e: number): number {
    return this.findIn(this.viewOf(b), b, s, e);
  }

  /** The id of the string b[s, e), adding it (decoded, validated as UTF-8) when new. */
  id(b: Uint8Array, s: number, e: number): number {
    return this.idIn(this.viewOf(b), b, s, e);
  }

  /** find() with `v`, a DataView over exactly `b`'s bytes. */
  findIn(v: DataView, b: Uint8Array, s: number, e: number): number {
    const h = this.everyByte ? hashBytes(v, b, s, e) : wordHash(v, b, s, e);
    const slots = this.slots;
    const hashes = this.hashes;
    const mask = slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const id = slots[i]!;
      if (id < 0) return -1;
      if (hashes[id] === h && this.same(id, v, b, s, e)) return id;
    }
  }

  /** id() with `v`, a DataView over exactly `b`'s bytes. */
  idIn(v: DataView, b: Uint8Array, s: number, e: number): number {
    const h = this.everyByte ? hashBytes(v, b, s, e) : wordHash(v, b, s, e);
    const slots = this.slots;
    const hashes = this.hashes;
    const mask = slots.length - 1;
    let i = h & mask;
    let sharing = 0;
    for (; ; i = (i + 1) & mask) {
      const id = slots[i]!;
      if (id < 0) break;
      if (hashes[id] === h) {
        if (this.same(id, v, b, s, e)) return id;
        sharing++;
      }
    }
    return this.insert(decodeUtf8(b, s, e), b, s, e, h, i, sharing);
  }

  /** The id of a string given as text. */
  add(text: string): number {
    const bytes = encoder.encode(text);
    const v = this.viewOf(bytes);
    const found = this.findIn(v, bytes, 0, bytes.length);
    if (found >= 0) return found;
    const h = this.everyByte ? hashBytes(v, bytes, 0, bytes.length) : wordHash(v, bytes, 0, bytes.length);
    const mask = this.slots.length - 1;
    let i = h & mask;
    let sharing = 0;
    for (let id = this.slots[i]!; id >= 0; id = this.slots[i]!) {
      if (this.hashes[id] === h) sharing++;
      i = (i + 1) & mask;
    }
    return this.insert(text, bytes, 0, bytes.length, h, i, sharing);
  }

  private viewOf(b: Uint8Array): DataView {
    if (b !== this.lastBytes) {
      this.lastBytes = b;
      this.lastView = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    return this.lastView;
  }

  private same(id: number, v: DataView, b: Uint8Array, s: number, e: number): boolean {
    const n = e - s;
    if (this.lengths[id] !== n) return false;
    const av = this.arenaView;
    const at = this.starts[id]!;
    let k = 0;
    for (; k + 4 <= n; k += 4) if (av.getInt32(at + k, true) !== v.getInt32(s + k, true)) return false;
    const a = this.arena;
    for (; k < n; k++) if (a[at + k] !== b[s + k]) return false;
    return true;
  }

  /** Adds the string b[s, e) with hash `h` at free slot `slot`; `sharing`: how many other strings have hash `h`. */
  private insert(text: string, b: Uint8Array, s: number, e: number, h: number, slot: number, sharing: number): number {
    const id = this.texts.length;
    const n = e - s;
    if (id === this.hashes.length) {
      this.hashes = grow(this.hashes, id * 2);
      this.starts = grow(this.starts, id * 2);
      this.lengths = grow(this.lengths, id * 2);
    }
    if (this.used + n > this.arena.length) {
      const a = new Uint8Array(Math.max(this.arena.length * 2, this.used + n));
      a.set(this.arena.subarray(0, this.used));
      this.arena = a;
      this.arenaView = new DataView(a.buffer);
    }
    this.arena.set(b.subarray(s, e), this.used);
    this.starts[id] = this.used;
    this.lengths[id] = n;
    this.hashes[id] = h;
    this.used += n;
    this.texts.push(text);
    this.slots[slot] = id;
    if (sharing >= MAX_SHARING && !this.everyByte) {
      // strings that differ outside the three words: hash every byte from now on
      this.everyByte = true;
      const arena = this.arena;
      for (let k = 0; k <= id; k++) this.hashes[k] = hashBytes(this.arenaView, arena, this.starts[k]!, this.starts[k]! + this.lengths[k]!);
      this.rehash(this.slots.length);
    } else if (this.texts.length * 2 > this.slots.length) {
      this.rehash(this.slots.length * 2);
    }
    return id;
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.texts.length; id++) {
      let i = this.hashes[id]! & mask;
      while (slots[i]! >= 0) i = (i + 1) & mask;
      slots[i] = id;
    }
    this.slots = slots;
  }
}

/** Strings with one word hash before a StringInterner hashes every byte (by chance, 31-bit hashes of 5 strings agree next to never). */
const MAX_SHARING = 4;

function grow(a: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n);
  out.set(a);
  return out;
}

/** The hash a new StringInterner files b[s, e) under (exported for its tests: strings that collide). */
export function stringHash(b: Uint8Array, s: number, e: number): number {
  return wordHash(new DataView(b.buffer, b.byteOffset, b.byteLength), b, s, e);
}

/** The hash of every byte, which a StringInterner uses once too many strings share a word hash (exported for its tests). */
export function stringHashOfEveryByte(b: Uint8Array, s: number, e: number): number {
  return hashBytes(new DataView(b.buffer, b.byteOffset, b.byteLength), b, s, e);
}

/**
 * A 31-bit hash of the length and three words of b[s, e) (`v` views the same bytes): the
 * first, the middle and the last 4 bytes (overlapping in short strings), so every byte of a
 * string of up to 12 bytes; shorter than 4 bytes, the bytes themselves.
 */
function wordHash(v: DataView, b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  let x: number;
  let y = 0;
  let z = 0;
  if (n >= 4) {
    x = v.getInt32(s, true);
    y = v.getInt32(e - 4, true);
    if (n > 8) z = v.getInt32(s + ((n - 4) >>> 1), true);
  } else {
    x = n === 0 ? 0 : n === 1 ? b[s]! : n === 2 ? b[s]! | (b[s + 1]! << 8) : b[s]! | (b[s + 1]! << 8) | (b[s + 2]! << 16);
  }
  let h = Math.imul(x ^ Math.imul(n, 0x27d4eb2f), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ y, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ z, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x7fffffff;
}

/**
 * A 31-bit hash of the bytes b[s, e) (`v` views the same bytes): 4 bytes at a time in two
 * independent lanes (half the chain of multiplications for app ids and event keys), every
 * input bit mixed into the low bits a table index uses.
 */
function hashBytes(v: DataView, b: Uint8Array, s: number, e: number): number {
  let h1 = 0x811c9dc5 ^ (e - s);
  let h2 = 0x9e3779b9;
  let i = s;
  for (; i + 8 <= e; i += 8) {
    h1 = Math.imul(h1 ^ v.getInt32(i, true), 0x5bd1e995);
    h2 = Math.imul(h2 ^ v.getInt32(i + 4, true), 0x5bd1e995);
    h1 ^= h1 >>> 15;
    h2 ^= h2 >>> 15;
  }
  if (i + 4 <= e) {
    h1 = Math.imul(h1 ^ v.getInt32(i, true), 0x5bd1e995);
    h1 ^= h1 >>> 15;
    i += 4;
  }
  for (; i < e; i++) h2 = Math.imul(h2 ^ b[i]!, 0x01000193);
  let h = h1 ^ Math.imul(h2 ^ (h2 >>> 16), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x7fffffff;
}

// ---------------------------------------------------------------------------
// Values

type ObjectIdFromOffset = new (source: Uint8Array, offset: number) => ObjectId;
const ObjectIdAt = ObjectId as unknown as ObjectIdFromOffset;
// bson@7.3 has an internal (bytes, offset) constructor; make sure it reads at the offset before relying on it.
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

/** Delegate one element to bson: wrap it in a one-element document with key "". */
function deserializeElement(b: Uint8Array, t: number, p: number, e: number): unknown {
  const size = 4 + 1 + 1 + (e - p) + 1;
  const mini = new Uint8Array(size);
  mini[0] = size & 0xff;
  mini[1] = (size >>> 8) & 0xff;
  mini[2] = (size >>> 16) & 0xff;
  mini[3] = (size >>> 24) & 0xff;
  mini[4] = t;
  mini.set(b.subarray(p, e), 6);
  return BSON.deserialize(mini)[""];
}

/** The int64 at p as bson promotes it: a number when -2^53 <= v <= 2^53, else a Long. */
function int64Value(b: Uint8Array, p: number): number | Long {
  const lo = int32(b, p);
  const hi = int32(b, p + 4);
  if ((hi >= -0x200000 && hi < 0x200000) || (hi === 0x200000 && lo === 0)) return hi * TWO_32 + (lo >>> 0);
  return new Long(lo, hi);
}

/** What BSON.deserialize gives for the value of type t at b[p, e). Nothing returned is a view of `b` (the scanner reuses its buffers). */
function decodeValue(b: Uint8Array, t: number, p: number, e: number): unknown {
  switch (t) {
    case 2:
      if (b[e - 1] !== 0) corrupt("bad string length in bson");
      return decodeUtf8(b, p + 4, e - 1);
    case 16:
      return int32(b, p);
    case 1:
      return new DataView(b.buffer, b.byteOffset + p, 8).getFloat64(0, true);
    case 9:
      return new Date(int32(b, p + 4) * TWO_32 + (int32(b, p) >>> 0));
    case 18:
      return int64Value(b, p);
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
      // from a copy: bson's values may be views of its input (Binary)
      return BSON.deserialize(Uint8Array.prototype.slice.call(b, p, e));
    default:
      return deserializeElement(b, t, p, e);
  }
}

/** The number a Decimal128's 16 bytes stand for (NaN for NaN, ±Infinity for infinities). */
function decimal128Number(b: Uint8Array, p: number): number {
  return Number(new Decimal128(Uint8Array.prototype.slice.call(b, p, p + 16)).toString());
}

// ---------------------------------------------------------------------------
// The document view

/**
 * Where the selected fields of the current document lie. One instance per collection
 * read, reused for every document: `load()` walks a document, the accessors read from it
 * until the next `load()`. Never keep a DocFields (or the bytes) past the visit.
 */
export class DocFields {
  bytes: Uint8Array = new Uint8Array(0);
  /** The current document's offset in the uncompressed file (set by the file scanner). */
  offset = 0;
  private view: DataView = new DataView(new ArrayBuffer(8));
  /**
   * Slot `s` of the current document is entry `base + s` of these: the BSON type of the field
   * (0 while not found; all reset by `load()`), where its value starts and ends. They are
   * this reader's own (base 0) after the JavaScript walk, or a row of the wasm walker's
   * batch (bson-walk-native.ts) after its walk.
   */
  private types: Uint8Array;
  private starts: Int32Array;
  private ends: Int32Array;
  private base = 0;
  private readonly ownTypes: Uint8Array;
  private readonly ownStarts: Int32Array;
  private readonly ownEnds: Int32Array;
  /** Slot -> the slot of its embedded document, -1 for top-level slots (layout.parent). */
  private readonly parents: Int32Array;
  /** Top-level slot -> the generation its sub-fields were found in. */
  private readonly subStamps: Int32Array;
  private gen = 0;
  private start = 0;
  private end = 0;
  /** The wasm walk of `bytes`' arena (bson-walk-native.ts), when they lie in one; null: this walk only. */
  private walker: BatchWalker | null = null;
  /** The walker made for the last arena seen (kept while the bytes are elsewhere: a document cut by a chunk boundary). */
  private arenaWalker: BatchWalker | null = null;
  /**
   * The wasm walker's batch holding the current document, null when the JavaScript walk
   * read it; `row` is the document's row in it (-1 with null). For batch kernels
   * (runner/facts/collector.ts, "Batch kernels"): fields read here and by a kernel over
   * the batch's rows are the same.
   */
  batch: WalkedBatch | null = null;
  row = -1;

  constructor(readonly layout: FieldLayout) {
    const n = layout.names.length;
    this.types = this.ownTypes = new Uint8Array(n);
    this.starts = this.ownStarts = new Int32Array(n);
    this.ends = this.ownEnds = new Int32Array(n);
    this.parents = Int32Array.from(layout.parent);
    this.subStamps = new Int32Array(n);
  }

  /** Changes with every `load()`: what a per-document cache compares (with the DocFields itself) to know it holds the current document. */
  get generation(): number {
    return this.gen;
  }

  /** Walks the document at bytes[start, end): throws a BSONError when it is malformed. */
  load(b: Uint8Array, start: number, end: number): void {
    if (b !== this.bytes) {
      this.bytes = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      this.walker = this.walkerFor(b);
    }
    let gen = this.gen + 1;
    if (gen > 0x3fffffff) {
      gen = 1;
      this.subStamps.fill(0);
    }
    this.gen = gen;
    this.start = start;
    this.end = end;
    // the wasm walk gives the same slots; a document it does not vouch for is walked here
    const walker = this.walker;
    if (walker !== null) {
      const row = walker.next(b, start, end);
      if (row >= 0) {
        this.types = walker.types;
        this.starts = walker.starts;
        this.ends = walker.ends;
        this.base = row;
        this.batch = walker;
        this.row = row / walker.slots;
        return;
      }
    }
    this.batch = null;
    this.row = -1;
    const types = (this.types = this.ownTypes);
    this.starts = this.ownStarts;
    this.ends = this.ownEnds;
    this.base = 0;
    for (let i = 0; i < types.length; i++) types[i] = 0;
    this.walk(b, start, end, this.layout.top);
  }

  /**
   * Points this reader at row `row` of the batch `walker` walked last in `b` (the batch pass,
   * bson-file-scanner.ts): the document walked there, as `load` would give it, without walking it again.
   */
  loadRow(b: Uint8Array, walker: BatchWalker, row: number): void {
    if (b !== this.bytes) {
      this.bytes = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      this.walker = walker;
    }
    let gen = this.gen + 1;
    if (gen > 0x3fffffff) {
      gen = 1;
      this.subStamps.fill(0);
    }
    this.gen = gen;
    this.start = walker.bounds[2 * row]!;
    this.end = walker.bounds[2 * row + 1]!;
    this.types = walker.types;
    this.starts = walker.starts;
    this.ends = walker.ends;
    this.base = row * walker.slots;
    this.batch = walker;
    this.row = row;
  }

  /** The wasm walker of this reader for documents in `b` (a read buffer of the scan's arena), or null (they are walked in JavaScript). */
  walkerOf(b: Uint8Array): BatchWalker | null {
    if (b !== this.bytes) {
      this.bytes = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      this.walker = this.walkerFor(b);
    }
    return this.walker;
  }

  /** The wasm walker for documents in `b`: the one of b's arena (made once per scan), or null. */
  private walkerFor(b: Uint8Array): BatchWalker | null {
    const arena = arenaOf(b);
    if (arena === undefined) return null;
    if (this.arenaWalker === null || !this.arenaWalker.belongsTo(arena)) this.arenaWalker = BatchWalker.create(arena, this.layout) ?? null;
    return this.arenaWalker;
  }

  private walk(b: Uint8Array, start: number, end: number, level: Level): void {
    if (start < 0 || end > b.length || end - start < 5) corrupt("corrupt bson message");
    if (int32(b, start) !== end - start) corrupt(`bson size ${int32(b, start)} does not match the ${end - start} bytes given`);
    const last = end - 1;
    if (b[last] !== 0) corrupt("One object, sized correctly, with a spot for an EOO, but the EOO isn't 0x00");
    const dv = this.view;
    const blen = b.length;
    const { byLen, shortWords, shortSlots, shortShift, maxLen } = level;
    const slotMask = shortWords.length - 1;
    const types = this.types;
    const starts = this.starts;
    const ends = this.ends;
    const base = this.base;
    let p = start + 4;
    while (p < last) {
      const t = b[p]!;
      if (t === 0) corrupt("corrupt object bson");
      // the key: its first 4 bytes packed into `word` on the way to its terminator (which
      // exists: the scan stops at the document's own terminator at `last` at the latest)
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
      if (t === 2 || t === 3) {
        // strings and embedded documents (sg, up) are most elements of Countly documents: size them inline
        const n = p + 4 <= blen ? dv.getInt32(p, true) : int32(b, p);
        if (t === 2) {
          ve = p + 4 + n;
          if (n <= 0 || ve > last) corrupt("bad string length in bson");
        } else {
          if (n < 5) corrupt("bad embedded document length in bson");
          ve = p + n;
          if (ve > last) corrupt("corrupt bson: element extends past the end of its document");
        }
      } else {
        const fixed = FIXED_SIZE[t]!;
        if (fixed >= 0) {
          ve = p + fixed;
          if (ve > last) corrupt("corrupt bson: element extends past the end of its document");
        } else {
          ve = variableEnd(b, t, p, last);
        }
      }
      let slot = -1;
      if (klen <= 4) {
        if (klen === 0) {
          slot = level.emptySlot;
        } else {
          let h = Math.imul(word, 0x9e3779b1) >>> shortShift;
          for (;;) {
            const w = shortWords[h]!;
            if (w === word) {
              slot = shortSlots[h]!;
              break;
            }
            if (w === 0) break;
            h = (h + 1) & slotMask;
          }
        }
      } else if (klen <= maxLen) {
        for (let cand = byLen[klen] ?? null; cand !== null; cand = cand.next) {
          const key = cand.key;
          let i = 0;
          while (i < klen && key[i] === b[ks + i]) i++;
          if (i === klen) {
            slot = cand.slot;
            break;
          }
        }
      }
      if (slot >= 0) {
        types[base + slot] = t;
        starts[base + slot] = p;
        ends[base + slot] = ve;
      }
      p = ve;
    }
  }

  /** The field's BSON type, 0 when absent; a sub-field's embedded document is walked on first access (its last occurrence, as in bson). */
  private present(slot: number): number {
    const parent = this.parents[slot]!;
    if (parent >= 0 && this.subStamps[parent] !== this.gen) this.findSubFields(parent);
    return this.types[this.base + slot]!;
  }

  private findSubFields(parent: number): void {
    this.subStamps[parent] = this.gen;
    if (this.types[this.base + parent] === 3) this.walk(this.bytes, this.starts[this.base + parent]!, this.ends[this.base + parent]!, this.layout.subLevels[parent]!);
  }

  has(slot: number): boolean {
    return this.present(slot) !== 0;
  }

  /** The BSON type of the field, 0 when absent. */
  type(slot: number): number {
    return this.present(slot);
  }

  isString(slot: number): boolean {
    return this.present(slot) === 2;
  }

  /** The field is a string of exactly these UTF-8 bytes. */
  stringIs(slot: number, bytes: Uint8Array): boolean {
    if (this.present(slot) !== 2) return false;
    const s = this.starts[this.base + slot]! + 4;
    const n = this.ends[this.base + slot]! - 1 - s;
    if (n !== bytes.length) return false;
    const b = this.bytes;
    for (let i = 0; i < n; i++) if (b[s + i] !== bytes[i]) return false;
    return true;
  }

  /** The field's string value, or undefined when it is not a string. */
  string(slot: number): string | undefined {
    if (this.present(slot) !== 2) return undefined;
    const e = this.ends[this.base + slot]!;
    if (this.bytes[e - 1] !== 0) corrupt("bad string length in bson");
    return decodeUtf8(this.bytes, this.starts[this.base + slot]! + 4, e - 1);
  }

  /** The interned id of the field's string value (`table.id`), or -1 when it is not a string. */
  intern(slot: number, table: StringInterner): number {
    if (this.present(slot) !== 2) return -1;
    const e = this.ends[this.base + slot]!;
    if (this.bytes[e - 1] !== 0) corrupt("bad string length in bson");
    return table.idIn(this.view, this.bytes, this.starts[this.base + slot]! + 4, e - 1);
  }

  /** The id of the field's string value in `table` without adding it; -1 when absent there or not a string. */
  lookup(slot: number, table: StringInterner): number {
    if (this.present(slot) !== 2) return -1;
    return table.findIn(this.view, this.bytes, this.starts[this.base + slot]! + 4, this.ends[this.base + slot]! - 1);
  }

  /**
   * The field as a number when it is one of BSON's numeric types: double, int32, int64 (Long:
   * the nearest double beyond ±2^53) or Decimal128 (NaN and infinities included); else undefined.
   */
  number(slot: number): number | undefined {
    const t = this.present(slot);
    const p = this.starts[this.base + slot]!;
    switch (t) {
      case 1:
        return this.view.getFloat64(p, true);
      case 16:
        return this.view.getInt32(p, true);
      case 18:
        return this.view.getInt32(p + 4, true) * TWO_32 + this.view.getUint32(p, true);
      case 19:
        return decimal128Number(this.bytes, p);
      default:
        return undefined;
    }
  }

  /**
   * number() for the hot loops: the field's number, NaN when it is absent or of another type
   * (always a number, so nothing is boxed per call). Where NaN itself matters, ask type() first.
   */
  numeric(slot: number): number {
    const t = this.present(slot);
    const p = this.starts[this.base + slot]!;
    if (t === 1) return this.view.getFloat64(p, true);
    if (t === 16) return this.view.getInt32(p, true);
    if (t === 18) return this.view.getInt32(p + 4, true) * TWO_32 + this.view.getUint32(p, true);
    if (t === 19) return decimal128Number(this.bytes, p);
    return NaN;
  }

  /** The field's value as epoch ms when it is a UTC datetime (possibly beyond Date's range), NaN otherwise. */
  dateMsOrNaN(slot: number): number {
    if (this.present(slot) !== 9) return NaN;
    const p = this.starts[this.base + slot]!;
    return this.view.getInt32(p + 4, true) * TWO_32 + this.view.getUint32(p, true);
  }

  /** A UTC datetime as epoch ms (possibly beyond Date's range); undefined for other types. */
  dateMs(slot: number): number | undefined {
    if (this.present(slot) !== 9) return undefined;
    const p = this.starts[this.base + slot]!;
    return this.view.getInt32(p + 4, true) * TWO_32 + this.view.getUint32(p, true);
  }

  /** Where the field's value starts in `bytes` (an embedded document: at its length prefix), for readers that walk a value themselves; ask type() first. */
  valueStart(slot: number): number {
    return this.present(slot) === 0 ? -1 : this.starts[this.base + slot]!;
  }

  /** Where the field's value ends in `bytes` (exclusive); ask type() first. */
  valueEnd(slot: number): number {
    return this.present(slot) === 0 ? -1 : this.ends[this.base + slot]!;
  }

  /** Loads the field's embedded document into `into` (a DocFields of that document's own layout); false when it is no embedded document. */
  loadEmbedded(slot: number, into: DocFields): boolean {
    if (this.type(slot) !== 3) return false;
    into.offset = this.offset;
    into.load(this.bytes, this.starts[this.base + slot]!, this.ends[this.base + slot]!);
    return true;
  }

  /** The field's value as BSON.deserialize gives it (undefined when absent). */
  value(slot: number): unknown {
    if (this.present(slot) === 0) return undefined;
    return decodeValue(this.bytes, this.types[this.base + slot]!, this.starts[this.base + slot]!, this.ends[this.base + slot]!);
  }

  /**
   * The selected fields as an object, as a projection of BSON.deserialize: a field selected
   * with sub-keys holds only those (when it is an embedded document; any other value whole).
   * For cold paths: an object and its values per call.
   */
  record(): Record<string, unknown> {
    if (this.layout.whole) return this.document();
    const out: Record<string, unknown> = {};
    const { names, children } = this.layout;
    for (const slot of this.layout.recordSlots) {
      if (this.present(slot) === 0) continue;
      const kids = children[slot]!;
      let v: unknown;
      if (this.layout.subLevels[slot] !== null && this.types[this.base + slot] === 3) {
        const sub: Record<string, unknown> = {};
        const prefix = names[slot]!.length + 1;
        for (const k of kids) if (this.present(k) !== 0) define(sub, names[k]!.slice(prefix), this.value(k));
        v = sub;
      } else {
        v = this.value(slot);
      }
      define(out, names[slot]!, v);
    }
    return out;
  }

  /** The document's `_id` as text for messages (`ObjectId("…")`, a string in quotes, or "(no _id)"). */
  describeId(): string {
    const slot = this.layout.idSlot;
    if (this.present(slot) === 0) return "(no _id)";
    try {
      const v = this.value(slot);
      if (v instanceof ObjectId) return `ObjectId("${v.toHexString()}")`;
      return typeof v === "string" ? JSON.stringify(v) : String(v);
    } catch {
      return "(unreadable _id)";
    }
  }

  /**
   * Scratch of `subKeys()`: the key ids it found are `keyIds[0, n)`, valid until its next call
   * (the array is replaced when it grows: read it after the call).
   */
  keyIds: Int32Array = new Int32Array(16);
  private keyMarks: Int32Array = new Int32Array(64);
  private keyMark = 0;

  /**
   * The keys of the embedded document in `slot` as ids of `table`, exactly as
   * `Object.keys(value(slot))` gives them: integer-like keys first in ascending order, then
   * the others in the order of their first occurrence, a duplicate key once, `__proto__` an
   * own key like any other (bson defines it). The ids are in `keyIds[0, n)`; returns n, or -1
   * when the field is no embedded document. Reads the keys only and checks each value as
   * bson's decode does; a sub-document this walk cannot vouch for (a `$` key, which may make
   * it a DBRef, nested documents, rare types, anything malformed) is decoded by bson instead,
   * so it gives the same keys or throws bson's error.
   */
  subKeys(slot: number, table: StringInterner): number {
    if (!this.present(slot) || this.types[this.base + slot] !== 3) return -1;
    const n = this.walkKeys(this.bytes, this.starts[this.base + slot]!, this.ends[this.base + slot]!, table);
    return n >= 0 ? n : this.decodedKeys(slot, table);
  }

  /** subKeys() from the bytes; -1 when bson must decide. Sizes elements as `walk` does. */
  private walkKeys(b: Uint8Array, start: number, end: number, table: StringInterner): number {
    if (start < 0 || end > b.length || end - start < 5 || int32(b, start) !== end - start) return -1;
    const last = end - 1;
    if (b[last] !== 0) return -1;
    let mark = this.keyMark + 1;
    if (mark > 0x3fffffff) {
      mark = 1;
      this.keyMarks.fill(0);
    }
    this.keyMark = mark;
    let count = 0;
    let indexKeys = 0;
    let p = start + 4;
    while (p < last) {
      const t = b[p]!;
      if (t === 0) return -1;
      const ks = ++p;
      let high = 0;
      let c = b[p]!;
      // bson looks for a DBRef when a key starts with `$`
      if (c === 36) return -1;
      for (; c !== 0; c = b[++p]!) high |= c;
      if (p >= last) return -1;
      const ke = p++;
      let ve: number;
      switch (t) {
        case 1: // double
        case 9: // date
        case 18: // int64
          ve = p + 8;
          break;
        case 16: // int32
          ve = p + 4;
          break;
        case 7: // ObjectId
          ve = p + 12;
          break;
        case 10: // null
          ve = p;
          break;
        case 8: // boolean
          ve = p + 1;
          if (ve <= last && b[p]! > 1) return -1;
          break;
        case 2: {
          const n = int32(b, p);
          ve = p + 4 + n;
          if (n <= 0 || ve > last || b[ve - 1] !== 0 || !validUtf8(b, p + 4, ve - 1)) return -1;
          break;
        }
        default:
          return -1;
      }
      if (ve > last) return -1;
      p = ve;
      let id: number;
      if (high < 128) {
        id = table.id(b, ks, ke);
      } else {
        // bson decodes keys leniently: invalid UTF-8 becomes U+FFFD, which bson's decode gives
        if (!validUtf8(b, ks, ke)) return -1;
        id = table.id(b, ks, ke);
      }
      if (id >= this.keyMarks.length) this.keyMarks = grow(this.keyMarks, Math.max(id + 1, this.keyMarks.length * 2));
      if (this.keyMarks[id] === mark) continue;
      this.keyMarks[id] = mark;
      if (count === this.keyIds.length) this.keyIds = grow(this.keyIds, count * 2);
      this.keyIds[count++] = id;
      if (isArrayIndex(b, ks, ke)) indexKeys++;
    }
    if (indexKeys > 0) this.orderIndexKeys(count, table);
    return count;
  }

  /** JS objects list integer-like keys first, ascending: reorders keyIds[0, count) so. */
  private orderIndexKeys(count: number, table: StringInterner): void {
    const ids = Array.from(this.keyIds.subarray(0, count));
    const index = ids.filter((id) => isArrayIndexText(table.text(id))).sort((x, y) => Number(table.text(x)) - Number(table.text(y)));
    const rest = ids.filter((id) => !isArrayIndexText(table.text(id)));
    this.keyIds.set(index, 0);
    this.keyIds.set(rest, index.length);
  }

  /** subKeys() by bson's decode (throws bson's error for a malformed sub-document). */
  private decodedKeys(slot: number, table: StringInterner): number {
    const keys = Object.keys(this.value(slot) as object);
    if (keys.length > this.keyIds.length) this.keyIds = new Int32Array(keys.length);
    for (let i = 0; i < keys.length; i++) this.keyIds[i] = table.add(keys[i]!);
    return keys.length;
  }

  /** The whole current document, decoded by bson. */
  document(): Record<string, unknown> {
    return BSON.deserialize(Uint8Array.prototype.slice.call(this.bytes, this.start, this.end));
  }
}

/** b[s, e) is valid UTF-8 (what bson's fatal decode accepts). */
function validUtf8(b: Uint8Array, s: number, e: number): boolean {
  let high = 0;
  for (let i = s; i < e; i++) high |= b[i]!;
  if (high < 128) return true;
  try {
    utf8.decode(b.subarray(s, e));
    return true;
  } catch {
    return false;
  }
}

/** The key b[s, e) is a canonical array index ("0", or no leading zero, up to 2^32 - 2): JS orders such keys first. */
function isArrayIndex(b: Uint8Array, s: number, e: number): boolean {
  const n = e - s;
  if (n === 0 || n > 10) return false;
  const first = b[s]!;
  if (first < 48 || first > 57 || (first === 48 && n > 1)) return false;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) return false;
    v = v * 10 + (c - 48);
  }
  return v <= 4294967294;
}

function isArrayIndexText(k: string): boolean {
  const bytes = encoder.encode(k);
  return isArrayIndex(bytes, 0, bytes.length);
}

/** "__proto__" must be defined, not assigned (bson does the same). */
function define(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/**
 * A problem of one document's data that makes a fact uncomputable (a raw `ts` beyond any
 * date). The file scanner turns it into an error naming the collection file, the document's
 * `_id` and its byte offset.
 */
export class DocumentProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DocumentProblem";
  }
}

/**
 * For documents that are already objects (generated fixtures, rows the live driver
 * returns): each is serialised and walked by one reused DocFields, so the collectors have
 * one way to read documents. `offset` counts the serialised bytes, as in a .bson file.
 */
export function objectReader(layout: FieldLayout, visit: (doc: DocFields) => void): (doc: Record<string, unknown>) => void {
  const fields = new DocFields(layout);
  let offset = 0;
  return (doc) => {
    const bytes = BSON.serialize(doc);
    fields.offset = offset;
    offset += bytes.length;
    fields.load(bytes, 0, bytes.length);
    try {
      visit(fields);
    } catch (err) {
      if (err instanceof DocumentProblem) throw new Error(`document ${fields.describeId()}: ${err.message}`, { cause: err });
      throw err;
    }
  };
}
