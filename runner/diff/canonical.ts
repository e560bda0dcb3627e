// Canonical form of raw BSON documents, so that documents MongoDB considers equal hash
// equally on both sides of a diff, whichever engine (dump file or live cursor) produced
// their bytes.
//
// The canonical form is itself valid BSON:
// - embedded documents (at any depth) have their fields sorted by the bytes of their
//   names (field order never makes equal documents differ);
// - arrays keep their order (order is data);
// - numbers are compared by value, as MongoDB compares them: int32, int64 and double
//   become one double when the double holds the value exactly (-0 becomes 0, every NaN
//   one NaN); an int64 beyond 2^53 that a double cannot hold stays an int64;
//   decimal128 is kept as it is (so 1 and NumberDecimal("1") differ);
// - every other value is kept byte for byte (strings, ObjectIds, dates, binaries…).
//
// A document's digest is murmur3_x86_128 of its canonical bytes (128 bits; not a
// security boundary: it detects accidental differences). Its `_id` key is the canonical value of `_id`
// (type byte + value bytes) as a latin1 string: compact, exact, and the unit both sides
// agree on for buckets and for naming ids.
import { Buffer } from "node:buffer";
import { BSON, EJSON, ObjectId } from "bson";
import { murmur3x86128 } from "./murmur3.ts";

/** A document that is not well-formed BSON. */
export class CanonicalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CanonicalError";
  }
}

const TWO_32 = 4294967296;
const DIGEST_SEED = 0x636c7921; // "cly!"
const scratch = new Uint8Array(8);
const scratchF64 = new Float64Array(scratch.buffer);
const scratchI32 = new Int32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function readInt32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

function readFloat64(b: Uint8Array, p: number): number {
  if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) scratch[i] = b[p + i]!;
  else for (let i = 0; i < 8; i++) scratch[7 - i] = b[p + i]!;
  return scratchF64[0]!;
}

/** 32-bit FNV-1a with murmur3's final mix: the bucket hash of an id key (uniform, cheap; not a digest). */
export function idHash32(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return mix32(h);
}

function idHash32Bytes(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return mix32(h);
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Reusable canonicaliser (one per scan; not re-entrant). Its output buffer grows to the
 * largest canonical document seen (at most about twice a 16 MiB document).
 */
export class Canonicalizer {
  private out = new Uint8Array(64 * 1024);
  private outBuf = Buffer.from(this.out.buffer, this.out.byteOffset, this.out.byteLength);
  private pos = 0;

  /** The canonical `_id` key of the document in `src[start, end)` ("" when it has none), without hashing the rest. */
  idOf(src: Uint8Array, start: number, end: number): string {
    return this.writeId(src, start, end) ? this.outBuf.toString("latin1", 0, this.pos) : "";
  }

  /** `idHash32(idOf(...))` without making the string. */
  idHashOf(src: Uint8Array, start: number, end: number): number {
    if (!this.writeId(src, start, end)) this.pos = 0;
    return idHash32Bytes(this.out, 0, this.pos);
  }

  /** The canonical `_id` bytes written by the last idHashOf (empty when the document had none); valid until the next call. */
  lastId(): Uint8Array {
    return this.out.subarray(0, this.pos);
  }

  /** Writes the canonical `_id` at the start of the output; false when there is none. */
  private writeId(src: Uint8Array, start: number, end: number): boolean {
    const size = this.checkDocument(src, start, end);
    const last = start + size - 1;
    let p = start + 4;
    while (p < last) {
      const type = src[p]!;
      const keyStart = p + 1;
      const keyEnd = this.keyEnd(src, keyStart, last);
      const valueEnd = this.valueEnd(type, src, keyEnd + 1, last);
      if (keyEnd - keyStart === 3 && src[keyStart] === 0x5f && src[keyStart + 1] === 0x69 && src[keyStart + 2] === 0x64) {
        this.pos = 0;
        this.writeValue(type, src, keyEnd + 1, valueEnd, true);
        return true;
      }
      p = valueEnd;
    }
    return false;
  }

  /** The canonical bytes of the document (valid until the next call). */
  canonical(src: Uint8Array, start: number, end: number): Uint8Array {
    this.pos = 0;
    this.writeDocument(src, start, end);
    return this.out.subarray(0, this.pos);
  }

  /** The 128-bit digest of the canonical form of the document in `src[start, end)`, as four words in `out`. */
  digestInto(src: Uint8Array, start: number, end: number, out: Uint32Array): void {
    this.pos = 0;
    this.writeDocument(src, start, end);
    murmur3x86128(this.out, this.pos, DIGEST_SEED, out);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.out.length) return;
    let size = this.out.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.out.subarray(0, this.pos));
    this.out = next;
    this.outBuf = Buffer.from(next.buffer, next.byteOffset, next.byteLength);
  }

  private writeByte(b: number): void {
    this.ensure(1);
    this.out[this.pos++] = b;
  }

  private copy(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.ensure(n);
    const out = this.out;
    let q = this.pos;
    if (n > 64) out.set(src.subarray(from, to), q);
    else for (let i = from; i < to; i++) out[q++] = src[i]!;
    this.pos += n;
  }

  private writeInt32At(at: number, v: number): void {
    this.out[at] = v & 0xff;
    this.out[at + 1] = (v >>> 8) & 0xff;
    this.out[at + 2] = (v >>> 16) & 0xff;
    this.out[at + 3] = (v >>> 24) & 0xff;
  }

  private writeDouble(v: number): void {
    scratchF64[0] = v === 0 ? 0 : Number.isNaN(v) ? Number.NaN : v;
    this.ensure(8);
    if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) this.out[this.pos + i] = scratch[i]!;
    else for (let i = 0; i < 8; i++) this.out[this.pos + i] = scratch[7 - i]!;
    this.pos += 8;
  }

  private checkDocument(src: Uint8Array, start: number, end: number): number {
    if (end - start < 5) throw new CanonicalError(`document of ${end - start} bytes is too short`);
    const size = readInt32(src, start);
    if (size < 5 || start + size > end) throw new CanonicalError(`document length ${size} does not fit in ${end - start} bytes`);
    if (src[start + size - 1] !== 0) throw new CanonicalError("document does not end with 0x00");
    return size;
  }

  private keyEnd(src: Uint8Array, from: number, limit: number): number {
    let p = from;
    while (p < limit && src[p] !== 0) p++;
    if (p >= limit) throw new CanonicalError("field name runs past the end of its document");
    return p;
  }

  /** End of the value of `type` starting at `p`, bounded by `limit` (the parent's terminating 0x00). */
  private valueEnd(type: number, src: Uint8Array, p: number, limit: number): number {
    let end: number;
    switch (type) {
      case 0x01 /* double */:
      case 0x09 /* date */:
      case 0x11 /* timestamp */:
      case 0x12 /* int64 */:
        end = p + 8;
        break;
      case 0x02 /* string */:
      case 0x0d /* code */:
      case 0x0e /* symbol */:
        if (p + 4 > limit) throw new CanonicalError("string length runs past the end of its document");
        end = p + 4 + readInt32(src, p);
        if (end <= p + 4) throw new CanonicalError("impossible string length");
        break;
      case 0x03 /* document */:
      case 0x04 /* array */:
      case 0x0f /* codeWithScope */:
        if (p + 4 > limit) throw new CanonicalError("embedded length runs past the end of its document");
        end = p + readInt32(src, p);
        if (end < p + 5) throw new CanonicalError("impossible embedded document length");
        break;
      case 0x05 /* binary */:
        if (p + 4 > limit) throw new CanonicalError("binary length runs past the end of its document");
        end = p + 5 + readInt32(src, p);
        if (end < p + 5) throw new CanonicalError("impossible binary length");
        break;
      case 0x06 /* undefined */:
      case 0x0a /* null */:
      case 0xff /* minKey */:
      case 0x7f /* maxKey */:
        end = p;
        break;
      case 0x07 /* objectId */:
        end = p + 12;
        break;
      case 0x08 /* bool */:
        end = p + 1;
        break;
      case 0x10 /* int32 */:
        end = p + 4;
        break;
      case 0x13 /* decimal128 */:
        end = p + 16;
        break;
      case 0x0b /* regex */:
        end = this.keyEnd(src, this.keyEnd(src, p, limit) + 1, limit) + 1;
        break;
      case 0x0c /* dbPointer */:
        if (p + 4 > limit) throw new CanonicalError("DBPointer length runs past the end of its document");
        end = p + 4 + readInt32(src, p) + 12;
        break;
      default:
        throw new CanonicalError(`unknown BSON type 0x${type.toString(16).padStart(2, "0")}`);
    }
    if (end > limit) throw new CanonicalError(`value of type 0x${type.toString(16).padStart(2, "0")} runs past the end of its document`);
    return end;
  }

  private writeDocument(src: Uint8Array, start: number, end: number): void {
    const size = this.checkDocument(src, start, end);
    const last = start + size - 1;
    // (element start, key end, value end) triples, in document order
    const els: number[] = [];
    let sorted = true;
    let p = start + 4;
    while (p < last) {
      const keyEnd = this.keyEnd(src, p + 1, last);
      const valueEnd = this.valueEnd(src[p]!, src, keyEnd + 1, last);
      if (els.length > 0 && sorted && compareKeys(src, els[els.length - 3]! + 1, els[els.length - 2]!, p + 1, keyEnd) > 0) sorted = false;
      els.push(p, keyEnd, valueEnd);
      p = valueEnd;
    }
    if (!sorted) sortTriples(src, els);
    const at = this.pos;
    this.ensure(4);
    this.pos += 4;
    for (let i = 0; i < els.length; i += 3) this.writeElement(src, els[i]!, els[i + 1]!, els[i + 2]!);
    this.writeByte(0);
    this.writeInt32At(at, this.pos - at);
  }

  private writeArray(src: Uint8Array, start: number, end: number): void {
    const size = this.checkDocument(src, start, end);
    const last = start + size - 1;
    const at = this.pos;
    this.ensure(4);
    this.pos += 4;
    let p = start + 4;
    while (p < last) {
      const keyEnd = this.keyEnd(src, p + 1, last);
      const valueEnd = this.valueEnd(src[p]!, src, keyEnd + 1, last);
      this.writeElement(src, p, keyEnd, valueEnd);
      p = valueEnd;
    }
    this.writeByte(0);
    this.writeInt32At(at, this.pos - at);
  }

  /** Writes type, name and canonical value of the element at `p` (name ends at `keyEnd`). */
  private writeElement(src: Uint8Array, p: number, keyEnd: number, valueEnd: number): void {
    const type = src[p]!;
    if (type !== 0x01 && type !== 0x10 && type !== 0x12 && type !== 0x03 && type !== 0x04) {
      // kept byte for byte: type, name and value in one copy
      this.copy(src, p, valueEnd);
      return;
    }
    const mark = this.pos;
    this.writeByte(type);
    this.copy(src, p + 1, keyEnd + 1);
    const written = this.writeValue(type, src, keyEnd + 1, valueEnd, false);
    this.out[mark] = written;
  }

  /** Writes the canonical value; returns the type it was written as. With `withType`, the type byte goes first. */
  private writeValue(type: number, src: Uint8Array, vs: number, ve: number, withType: boolean): number {
    let as: number = type;
    switch (type) {
      case 0x01 /* double */:
        as = 0x01 /* double */;
        if (withType) this.writeByte(as);
        this.writeDouble(readFloat64(src, vs));
        break;
      case 0x10 /* int32 */:
        as = 0x01 /* double */;
        if (withType) this.writeByte(as);
        this.writeDouble(readInt32(src, vs));
        break;
      case 0x12 /* int64 */: {
        const lo = readInt32(src, vs) >>> 0;
        const hi = readInt32(src, vs + 4);
        // |v| < 2^53 exactly when hi is within ±2^21; otherwise check the double round trip.
        let exact: number | undefined;
        if (hi >= -0x200000 && hi < 0x200000) exact = hi * TWO_32 + lo;
        else {
          const big = (BigInt(hi) << 32n) | BigInt(lo);
          const n = Number(big);
          if (BigInt(n) === big) exact = n;
        }
        if (exact !== undefined) {
          as = 0x01 /* double */;
          if (withType) this.writeByte(as);
          this.writeDouble(exact);
        } else {
          if (withType) this.writeByte(as);
          this.copy(src, vs, ve);
        }
        break;
      }
      case 0x03 /* document */:
        if (withType) this.writeByte(as);
        this.writeDocument(src, vs, ve);
        break;
      case 0x04 /* array */:
        if (withType) this.writeByte(as);
        this.writeArray(src, vs, ve);
        break;
      default:
        if (withType) this.writeByte(as);
        this.copy(src, vs, ve);
    }
    return as;
  }
}

/** Stable sort of (element start, key end, value end) triples by key bytes: insertion sort (documents are small), merge sort above 32 fields. */
function sortTriples(src: Uint8Array, els: number[]): void {
  const n = els.length / 3;
  if (n > 32) {
    const idx = Array.from({ length: n }, (_, i) => i * 3);
    idx.sort((a, b) => compareKeys(src, els[a]! + 1, els[a + 1]!, els[b]! + 1, els[b + 1]!) || a - b);
    const copy = els.slice();
    for (let i = 0; i < n; i++) {
      els[i * 3] = copy[idx[i]!]!;
      els[i * 3 + 1] = copy[idx[i]! + 1]!;
      els[i * 3 + 2] = copy[idx[i]! + 2]!;
    }
    return;
  }
  for (let i = 3; i < els.length; i += 3) {
    const a = els[i]!;
    const b = els[i + 1]!;
    const c = els[i + 2]!;
    let j = i - 3;
    while (j >= 0 && compareKeys(src, els[j]! + 1, els[j + 1]!, a + 1, b) > 0) {
      els[j + 3] = els[j]!;
      els[j + 4] = els[j + 1]!;
      els[j + 5] = els[j + 2]!;
      j -= 3;
    }
    els[j + 3] = a;
    els[j + 4] = b;
    els[j + 5] = c;
  }
}

function compareKeys(src: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): number {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < n; i++) {
    const d = src[a + i]! - src[b + i]!;
    if (d !== 0) return d;
  }
  return aEnd - a - (bEnd - b);
}

/** Canonical id bytes as the id key string (latin1: one char per byte). */
export function idKeyOfBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** Four digest words as a compact string (a Map value: 8 UTF-16 units, 16 bytes). */
export function digestString(d: Uint32Array): string {
  return String.fromCharCode(d[0]! & 0xffff, d[0]! >>> 16, d[1]! & 0xffff, d[1]! >>> 16, d[2]! & 0xffff, d[2]! >>> 16, d[3]! & 0xffff, d[3]! >>> 16);
}

/** The `_id` value of a canonical id key, decoded (for reports and tests). */
export function idValue(key: string): unknown {
  if (key === "") return undefined;
  const value = Buffer.from(key, "latin1");
  const doc = Buffer.alloc(4 + 1 + 4 + (value.length - 1) + 1);
  doc.writeInt32LE(doc.length, 0);
  doc[4] = value[0]!;
  doc.write("_id\0", 5, "latin1");
  value.copy(doc, 9, 1);
  return BSON.deserialize(doc, { promoteLongs: false, promoteValues: true })._id;
}

/** An `_id` as a person reads it: "text" for strings, ObjectId("…"), numbers, else relaxed Extended JSON. */
export function formatId(key: string): string {
  if (key === "") return "(no _id)";
  let v: unknown;
  try {
    v = idValue(key);
  } catch {
    return `<undecodable _id 0x${Buffer.from(key, "latin1").toString("hex")}>`;
  }
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof ObjectId) return `ObjectId("${v.toHexString()}")`;
  if (typeof v === "number") return String(v);
  return EJSON.stringify(v, { relaxed: true });
}

/** The canonical id key of a JS value (tests, and callers that hold decoded documents). */
export function idKeyOf(value: unknown): string {
  const bytes = BSON.serialize({ _id: value });
  return new Canonicalizer().idOf(bytes, 0, bytes.length);
}
