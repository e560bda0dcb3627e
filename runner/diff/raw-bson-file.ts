// Streams the raw bytes of each document of a mongodump `.bson` / `.bson.gz` file.
//
// The same framing as runner/sources/dump/bson-file-scanner.ts (large chunks, documents
// framed by their int32 length prefix, a document cut by a chunk boundary carried over),
// but the visitor gets the document's bytes instead of a decoded object: the diff hashes
// bytes, and decoding every document first would cost more than the hashing itself.
// Errors are the scanner's DumpReadError, so both readers report alike.
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { DumpReadError, MAX_DOCUMENT_SIZE } from "../sources/dump/bson-file-scanner.ts";

export interface RawScanOptions {
  /** Read (and gunzip output) chunk size; default 2 MiB. Tests use tiny values. */
  chunkSize?: number;
  signal?: AbortSignal;
}

/** Called with `bytes[start, end)` holding one whole document; the bytes are only valid during the call. */
export type RawVisitor = (bytes: Uint8Array, start: number, end: number) => void;

function readInt32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** Visits every document of `file` in file order; returns the number of documents. Errors thrown by `visit` propagate unchanged. */
export async function scanRawBsonFile(file: string, visit: RawVisitor, options: RawScanOptions = {}): Promise<number> {
  const chunkSize = Math.max(16, Math.floor(options.chunkSize ?? 2 * 1024 * 1024));
  options.signal?.throwIfAborted();
  const streamErrors = new WeakSet<object>();
  const note = (err: unknown) => {
    if (typeof err === "object" && err !== null) streamErrors.add(err);
  };
  const raw = createReadStream(file, { highWaterMark: chunkSize });
  raw.on("error", note);
  const gz = file.endsWith(".gz");
  let stream: Readable = raw;
  if (gz) {
    const gunzip = createGunzip({ chunkSize: Math.max(64, chunkSize) });
    gunzip.on("error", note);
    raw.on("error", (err) => gunzip.destroy(err));
    stream = raw.pipe(gunzip);
  }

  let documents = 0;
  let base = 0; // uncompressed offset of the current chunk
  // A document cut by a chunk boundary: its first bytes (`pending`, grown to its full size once known).
  let pending: Uint8Array | null = null;
  let pendingLen = 0;
  let pendingStart = -1;

  const checkSize = (size: number, offset: number) => {
    if (size < 5 || size > MAX_DOCUMENT_SIZE) throw new DumpReadError(file, offset, `impossible document length ${size} at byte ${offset} (must be 5..${MAX_DOCUMENT_SIZE})`);
  };
  const emit = (b: Uint8Array, start: number, end: number, offset: number) => {
    if (b[end - 1] !== 0) throw new DumpReadError(file, offset, `document at byte ${offset} does not end with 0x00 (declared ${end - start} bytes)`);
    documents++;
    visit(b, start, end);
  };

  try {
    for await (const chunk of stream) {
      options.signal?.throwIfAborted();
      const c = chunk as Uint8Array;
      const b = new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
      const n = b.length;
      let p = 0;
      if (pending !== null) {
        // grow the head to 4 bytes, then to the whole document
        if (pendingLen < 4) {
          while (pendingLen < 4 && p < n) pending[pendingLen++] = b[p++]!;
          if (pendingLen === 4) {
            const size = readInt32(pending, 0);
            checkSize(size, pendingStart);
            const whole = new Uint8Array(size);
            whole.set(pending.subarray(0, 4));
            pending = whole;
          }
        }
        if (pendingLen >= 4) {
          const take = Math.min(pending.length - pendingLen, n - p);
          pending.set(b.subarray(p, p + take), pendingLen);
          pendingLen += take;
          p += take;
          if (pendingLen === pending.length) {
            const doc = pending;
            pending = null;
            emit(doc, 0, doc.length, pendingStart);
            pendingStart = -1;
          }
        }
      }
      while (p < n) {
        if (n - p < 4) {
          pendingStart = base + p;
          pending = new Uint8Array(4);
          pendingLen = 0;
          while (p < n) pending[pendingLen++] = b[p++]!;
          break;
        }
        const size = readInt32(b, p);
        checkSize(size, base + p);
        if (size > n - p) {
          pendingStart = base + p;
          pending = new Uint8Array(size);
          pending.set(b.subarray(p, n));
          pendingLen = n - p;
          p = n;
          break;
        }
        emit(b, p, p + size, base + p);
        p += size;
      }
      base += n;
    }
  } catch (err) {
    stream.destroy();
    if (gz) raw.destroy();
    if (typeof err === "object" && err !== null && streamErrors.has(err)) {
      const what = gz && String((err as { code?: unknown }).code ?? "").startsWith("Z_") ? "gzip error" : "read error";
      throw new DumpReadError(file, pendingStart >= 0 ? pendingStart : base, `${what} at uncompressed byte ${base}: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
  if (pending !== null) {
    throw new DumpReadError(file, pendingStart, `truncated document at byte ${pendingStart} (${pendingLen >= 4 ? `declared ${pending.length} bytes` : "length prefix incomplete"}, ${pendingLen} left)`);
  }
  return documents;
}
