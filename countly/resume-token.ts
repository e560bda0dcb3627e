// MongoDB change-stream resume tokens: the hex KeyString in a token's `_data`, read far
// enough for what a post-restore check needs (cluster time, token version and type, and
// the UUID of the watched collection), and written in the same format for fixtures.
//
// Layout (MongoDB src/mongo/db/pipeline/resume_token.cpp, ResumeToken::toDocument): the
// KeyString of the values clusterTime (Timestamp), version, tokenType (version >= 1),
// txnOpIndex, fromInvalidate (version >= 1), uuid (BinData subtype 4, absent from
// high-water-mark tokens), documentKey (version 1) / eventIdentifier (version 2), then the
// end byte 0x04. KeyString type bytes (src/mongo/db/storage/key_string.cpp CType): 0x29
// zero, 0x2B..0x32 a positive integer in 1..8 big-endian bytes shifted left by one, 0x3C
// string, 0x46 object, 0x5A BinData, 0x64 ObjectId, 0x6E/0x6F false/true, 0x82 Timestamp.
// Vectors with their decoded values: test/countly/resume-token.test.ts.

export interface ClusterTime {
  /** Seconds since the epoch. */
  t: number;
  /** Ordinal within the second. */
  i: number;
}

/** What a resume token says; the event identifier (document key) is not decoded. */
export interface ResumeTokenInfo {
  clusterTime: ClusterTime;
  version: number;
  /** 128: the token of an event; 0: a high-water mark (a point in time, no event, no UUID). Version >= 1 only. */
  tokenType?: number;
  txnOpIndex: number;
  fromInvalidate?: boolean;
  /** The watched collection's UUID, 32 lower-case hex digits (mongodump's metadata.json form). */
  uuid?: string;
}

/** The token's `_data` is not a resume token this decoder reads; the message says why. */
export class ResumeTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResumeTokenError";
  }
}

export const EVENT_TOKEN = 128;
export const HIGH_WATER_MARK_TOKEN = 0;

const T = {
  zero: 0x29,
  int1: 0x2b,
  int8: 0x32,
  string: 0x3c,
  object: 0x46,
  binData: 0x5a,
  boolFalse: 0x6e,
  boolTrue: 0x6f,
  timestamp: 0x82,
  end: 0x04,
} as const;

/** Decodes a resume token's `_data` (hex); throws ResumeTokenError on anything else. */
export function decodeResumeToken(data: string): ResumeTokenInfo {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(data)) throw new ResumeTokenError("_data is not a hex string");
  const r = new Reader(data);
  if (r.byte() !== T.timestamp) throw new ResumeTokenError("_data does not start with a cluster time (KeyString Timestamp 0x82)");
  const t = r.uint(4);
  const i = r.uint(4);
  const version = r.int("version");
  if (version > 2) throw new ResumeTokenError(`resume token version ${version} is newer than the versions this decoder knows (0, 1, 2)`);
  const out: ResumeTokenInfo = { clusterTime: { t, i }, version, txnOpIndex: 0 };
  if (version >= 1) out.tokenType = r.int("tokenType");
  out.txnOpIndex = r.int("txnOpIndex");
  if (version >= 1) {
    const b = r.byte();
    if (b !== T.boolFalse && b !== T.boolTrue) throw new ResumeTokenError(`fromInvalidate is not a boolean (type byte 0x${hex2(b)} at byte ${r.at - 1})`);
    out.fromInvalidate = b === T.boolTrue;
  }
  if (r.peek() === T.binData) {
    r.byte();
    let size = r.byte();
    if (size === 0xff) size = r.uint(4);
    const subtype = r.byte();
    const bytes = r.bytes(size);
    if (subtype !== 4 || size !== 16) throw new ResumeTokenError(`the value after fromInvalidate is BinData subtype ${subtype} of ${size} bytes, not a UUID`);
    out.uuid = bytes;
  }
  return out;
}

/** What a fixture's resume token encodes: an insert event into a collection, identified by its document `_id` (a string, as Countly's drill `_id`s are). */
export interface ResumeTokenSpec {
  clusterTime: ClusterTime;
  /** 1 (MongoDB 4.2-6.x, `documentKey`) or 2 (7.0+, `eventIdentifier`). */
  version: 1 | 2;
  uuid: string;
  documentId: string;
}

/** `_data` of the resume token MongoDB gives an insert event (the inverse of decodeResumeToken for these tokens). */
export function encodeResumeToken(spec: ResumeTokenSpec): string {
  if (!/^[0-9a-f]{32}$/.test(spec.uuid)) throw new Error(`uuid must be 32 lower-case hex digits: ${spec.uuid}`);
  const documentKey = [T.object, ...field("_id", spec.documentId), 0x00];
  const identifier = spec.version === 1 ? documentKey : [T.object, ...field("operationType", "insert"), T.object, ...cstring("documentKey"), ...documentKey, 0x00];
  const bytes = [
    T.timestamp,
    ...uint32(spec.clusterTime.t),
    ...uint32(spec.clusterTime.i),
    ...int(spec.version),
    ...int(EVENT_TOKEN),
    ...int(0), // txnOpIndex
    T.boolFalse,
    T.binData,
    16,
    4,
    ...spec.uuid.match(/../g)!.map((h) => parseInt(h, 16)),
    ...identifier,
    T.end,
  ];
  return bytes.map(hex2).join("").toUpperCase();
}

/** A cluster time as ms since the epoch, rounded up to the end of its second (cluster times have second resolution). */
export function clusterTimeEndMs(ct: ClusterTime): number {
  return ct.t * 1000 + 999;
}

/** Orders two cluster times. */
export function compareClusterTimes(a: ClusterTime, b: ClusterTime): number {
  return a.t - b.t || a.i - b.i;
}

/** `8f3c…` → `8f3c…-…` (the form MongoDB prints UUIDs in). */
export function formatUuid(hex: string): string {
  return /^[0-9a-f]{32}$/.test(hex) ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : hex;
}

class Reader {
  at = 0;
  private readonly buf: Uint8Array;
  constructor(data: string) {
    this.buf = Uint8Array.from(data.match(/../g)!.map((h) => parseInt(h, 16)));
  }
  peek(): number | undefined {
    return this.buf[this.at];
  }
  byte(): number {
    const b = this.buf[this.at];
    if (b === undefined) throw new ResumeTokenError(`_data ends early (${this.buf.length} bytes)`);
    this.at++;
    return b;
  }
  uint(n: number): number {
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 256 + this.byte();
    return v;
  }
  bytes(n: number): string {
    let s = "";
    for (let k = 0; k < n; k++) s += hex2(this.byte());
    return s;
  }
  /** A non-negative integer (zero, or 1..8 bytes holding value << 1; the low bit would announce a fraction). */
  int(what: string): number {
    const type = this.byte();
    if (type === T.zero) return 0;
    if (type < T.int1 || type > T.int8) throw new ResumeTokenError(`${what} is not a non-negative integer (type byte 0x${hex2(type)} at byte ${this.at - 1})`);
    const raw = this.uint(type - T.int1 + 1);
    if (raw % 2 === 1) throw new ResumeTokenError(`${what} has a fractional part`);
    return raw / 2;
  }
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, "0");
}

function uint32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function int(v: number): number[] {
  if (v === 0) return [T.zero];
  const bytes: number[] = [];
  for (let x = v * 2; x > 0; x = Math.floor(x / 256)) bytes.unshift(x % 256);
  return [T.int1 + bytes.length - 1, ...bytes];
}

/** A KeyString C string: NUL bytes escaped as 0x00 0xFF, then a terminating NUL. */
function cstring(text: string): number[] {
  const out: number[] = [];
  for (const b of new TextEncoder().encode(text)) out.push(...(b === 0 ? [0x00, 0xff] : [b]));
  return [...out, 0x00];
}

/** An object field whose value is a string: value type, name, value type, value. */
function field(name: string, value: string): number[] {
  return [T.string, ...cstring(name), T.string, ...cstring(value)];
}
