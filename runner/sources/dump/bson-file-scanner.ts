// Streams the documents of one mongodump `.bson` / `.bson.gz` file.
//
// The file is read in large chunks; documents are framed synchronously inside each
// chunk by their int32 length prefix (a document cut by a chunk boundary is carried
// over into the next chunk) and handed to `visit` synchronously, decoded either fully
// (`BSON.deserialize`) or walked by the byte-level DocFields (bson-fields.ts). Nothing is ever loaded whole
// and there is no per-document async step. A plain file is read with positional reads
// into two buffers that take turns (the next chunk is read while the current one is
// scanned, and no memory is allocated per chunk); a .gz file streams through gunzip.
import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { BSON, BSONError } from "bson";
import { DocFields, DocumentProblem, FieldLayout, type FieldSelection } from "./bson-fields.ts";
import { Arena, scannerChoice, WALK_BATCH, type BatchWalker, type ScannerName } from "./bson-walk-native.ts";

export type { FieldSelection } from "./bson-fields.ts";

export interface ScanStats {
  documents: number;
  /** Uncompressed bytes read (the sum of the document sizes for a well-formed file). */
  bytes: number;
}

export interface ScanProgress {
  /** Uncompressed bytes framed so far. */
  bytes: number;
  documents: number;
  /** Bytes read from the file itself (compressed bytes for `.gz`), for percentages against its size. */
  fileBytes: number;
  /** The last call: the file has been read to its end. */
  done: boolean;
}

export interface ScanOptions {
  /** undefined = full BSON.deserialize of every document. */
  fields?: FieldSelection;
  /** Called about every 16 MiB of uncompressed data, and once at the end (`done`). Cheap: throttle in the callback. */
  onProgress?: (p: ScanProgress) => void;
  signal?: AbortSignal;
  /** Read (and gunzip output) chunk size in bytes; default 2 MiB. Tests use tiny values. */
  chunkSize?: number;
}

/** Largest document accepted: MongoDB's 16 MiB limit plus the 16 KiB the server allows internally. */
export const MAX_DOCUMENT_SIZE = 16 * 1024 * 1024 + 16 * 1024;
const DEFAULT_CHUNK_SIZE = 2 * 1024 * 1024;
const PROGRESS_EVERY = 16 * 1024 * 1024;

export class DumpReadError extends Error {
  readonly file: string;
  /** Offset, in uncompressed bytes, of the start of the document that could not be read. */
  readonly offset: number;

  constructor(file: string, offset: number, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.name = "DumpReadError";
    this.file = file;
    this.offset = offset;
  }
}

function readInt32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

function asUint8(chunk: unknown): Uint8Array {
  const c = chunk as Uint8Array;
  // Buffers are Uint8Array subclasses; a plain view keeps the hot loops monomorphic.
  return new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
}

function checkLength(file: string, offset: number, size: number): void {
  if (size < 5 || size > MAX_DOCUMENT_SIZE) {
    throw new DumpReadError(
      file,
      offset,
      `impossible document length ${size} at byte ${offset} (must be 5..${MAX_DOCUMENT_SIZE})`,
    );
  }
}

/**
 * Read every document of `file` (`.bson`, or gzip-compressed when the name ends in `.gz`)
 * and call `visit(doc, offset)` for each, in file order; `offset` is the document's byte
 * offset in the uncompressed stream. With `fields`, `doc` holds only those (see
 * DocFields.record); the hot paths use scanBsonFields instead and decode nothing.
 *
 * Throws `DumpReadError` for a truncated file, an impossible document length, a document
 * that does not end in 0x00, a document bson cannot decode, a gzip error or an I/O error.
 * Errors thrown by `visit` propagate unchanged. An empty file (0 bytes, or a gzip stream
 * of 0 bytes) is 0 documents.
 */
export async function scanBsonFile(
  file: string,
  visit: (doc: Record<string, unknown>, offset: number) => void,
  options: ScanOptions = {},
): Promise<ScanStats> {
  if (options.fields !== undefined) {
    return scanBsonFields(file, new FieldLayout(options.fields), (f) => visit(f.record(), f.offset), options);
  }
  // bson's full deserialize keeps views of its input (Binary), so it gets fresh buffers.
  return scanBsonFrames(file, documentFrameVisitor(file, visit, false), { chunkSize: options.chunkSize, signal: options.signal, onProgress: options.onProgress, reuseBuffers: false });
}

/**
 * The scanner's hot path: every document of `file` walked once by one reused DocFields of
 * `layout` (nothing decoded until `visit` asks; see bson-fields.ts), in file order. Errors as
 * scanBsonFile; a BSONError from a value `visit` reads makes the document corrupt, and a
 * DocumentProblem it throws becomes a DumpReadError naming the document's `_id` and offset.
 */
export async function scanBsonFields(
  file: string,
  layout: FieldLayout,
  visit: (fields: DocFields) => void,
  options: Omit<ScanOptions, "fields"> = {},
): Promise<ScanStats> {
  const onFrame = fieldsFrameVisitor(file, new DocFields(layout), visit);
  // DocFields never keeps a reference to the bytes past the visit, so read buffers are reused.
  return scanBsonFrames(file, onFrame, { chunkSize: options.chunkSize, signal: options.signal, onProgress: options.onProgress, reuseBuffers: true });
}

/**
 * The per-document step of scanBsonFields as a FrameVisitor (also run by the worker threads
 * of `--jobs`, runner/sources/dump/parallel/): `fields` loaded with the document, `visit`
 * called, and its errors made DumpReadErrors as scanBsonFields documents.
 */
export function fieldsFrameVisitor(file: string, fields: DocFields, visit: (fields: DocFields) => void, visitBatch?: BatchVisit): FrameVisitor {
  const onFrame: FrameVisitor = (b, start, end, offset) => {
    try {
      fields.offset = offset;
      fields.load(b, start, end);
      visit(fields);
    } catch (err) {
      throw documentError(file, fields, offset, end - start, err);
    }
  };
  if (visitBatch !== undefined) onFrame.batcher = new FieldsBatcher(file, fields, visitBatch);
  return onFrame;
}

/** A visitor's error at the document at `offset` (`size` bytes, loaded in `fields`) as scanBsonFields documents it. */
function documentError(file: string, fields: DocFields, offset: number, size: number, err: unknown): unknown {
  if (err instanceof BSONError) return corruptDocument(file, offset, size, err);
  if (err instanceof DocumentProblem) return new DumpReadError(file, offset, `document ${fields.describeId()} at byte ${offset}: ${err.message}`, { cause: err });
  return err;
}

/**
 * The documents of one batch the wasm walker walked (runner/sources/dump/bson-walk-native.ts),
 * rows [0, count), to every visitor of a read in one call; `at(row)` points the read's
 * DocFields at a row (for the visitors' per-document functions) and returns it. Built by
 * batchEach (runner/facts/collector.ts).
 */
export type BatchVisit = (batch: BatchWalker, count: number, at: (row: number) => DocFields) => void;

/** fieldsFrameVisitor's batch form: its DocFields' walker walks a batch, `visitBatch` visits it; errors as the per-document form's. */
class FieldsBatcher implements FrameBatcher {
  end = 0;
  bounds: Int32Array = new Int32Array(0);
  private b: Uint8Array = new Uint8Array(0);
  private base = 0;
  private walker: BatchWalker | null = null;
  private row = -1;
  private readonly at = (row: number): DocFields => {
    const fields = this.fields;
    this.row = row;
    fields.loadRow(this.b, this.walker!, row);
    fields.offset = this.base + this.bounds[2 * row]!;
    return fields;
  };

  constructor(
    private readonly file: string,
    private readonly fields: DocFields,
    private readonly visitBatch: BatchVisit,
  ) {}

  visit(b: Uint8Array, p: number, end: number, base: number, max: number): number {
    const walker = this.fields.walkerOf(b);
    if (walker === null) return 0;
    const count = walker.walk(b, p, end, max);
    if (count === 0) return 0;
    this.b = b;
    this.base = base;
    this.walker = walker;
    this.row = -1;
    const bounds = (this.bounds = walker.bounds);
    try {
      this.visitBatch(walker, count, this.at);
    } catch (err) {
      const row = Math.max(0, this.row);
      throw documentError(this.file, this.fields, base + bounds[2 * row]!, bounds[2 * row + 1]! - bounds[2 * row]!, err);
    }
    this.end = bounds[2 * count - 1]!;
    batchPass.documents += count;
    return count;
  }
}

/**
 * Each frame fully decoded (BSON.deserialize) and handed to `visit`; a document bson cannot
 * decode is a DumpReadError. With `copy`, the document is decoded from a copy of its bytes
 * (bson's values may be views of its input), so the read buffers may be reused.
 */
export function documentFrameVisitor(file: string, visit: (doc: Record<string, unknown>, offset: number) => void, copy: boolean): FrameVisitor {
  return (b, start, end, offset) => {
    let doc: Record<string, unknown>;
    try {
      doc = BSON.deserialize(copy ? Uint8Array.prototype.slice.call(b, start, end) : b.subarray(start, end));
    } catch (err) {
      throw corruptDocument(file, offset, end - start, err);
    }
    visit(doc, offset);
  };
}

function corruptDocument(file: string, offset: number, size: number, err: unknown): DumpReadError {
  const msg = err instanceof Error ? err.message : String(err);
  return new DumpReadError(file, offset, `corrupt document at byte ${offset} (${size} bytes): ${msg}`, { cause: err });
}

/**
 * Called with `bytes[start, end)` holding one whole document that starts at uncompressed byte
 * `offset`. With a `batcher`, the wasm scanner hands it the documents of a chunk a batch at a
 * time instead, and frames in JavaScript only what the batcher does not take.
 */
export type FrameVisitor = ((bytes: Uint8Array, start: number, end: number, offset: number) => void) & { batcher?: FrameBatcher };

/** The batch pass of a FrameVisitor (plain files read into the wasm arena only: see scanBsonFrames). */
export interface FrameBatcher {
  /**
   * Visits, in file order, up to `max` whole documents of b[p, end) from the one at `p`
   * (`base`: the uncompressed offset of b[0]), each exactly as the visitor's per-document
   * call would; returns how many (0: none, the scanner frames the one at `p` itself), with
   * document i at [bounds[2i], bounds[2i + 1]) and `end` where the last one ends.
   */
  visit(b: Uint8Array, p: number, end: number, base: number, max: number): number;
  readonly end: number;
  readonly bounds: Int32Array;
}

/** Tests turn the batch pass off to compare it with the per-document pass (same results); `documents`: those handed over in batches in this process (tests prove the pass ran). */
export const batchPass = { enabled: true, documents: 0 };

export interface FrameOptions extends Omit<ScanOptions, "fields"> {
  /** The bytes handed to the visitor are only valid during the call: read buffers are reused. */
  reuseBuffers?: boolean;
  /** The file's uncompressed content, already in memory (read earlier in the run): framed instead of reading `file`, which then only names it in errors. */
  content?: Uint8Array;
  /** Plain files only: the caller owns the read buffers (`--jobs` hands them to worker threads). */
  buffers?: ChunkBuffers;
}

/** Read buffers supplied by the caller of scanBsonFrames (plain files only). */
export interface ChunkBuffers {
  /** A buffer of at least `size` bytes to read the next chunk into; may wait until one is free. */
  take(size: number): Uint8Array | Promise<Uint8Array>;
  /** Every document that starts in `chunk` (a view of a taken buffer) has been framed and visited. */
  scanned(chunk: Uint8Array): void;
}

/**
 * Which scanner frames and walks a scan of `file` with `options`: the wasm one
 * (bson-walk-native.ts) for a plain file read into reused buffers of our own, when the module
 * is built and not turned off; the JavaScript one otherwise (.gz, content in memory, buffers
 * of the caller's: the `--jobs` main thread).
 */
export function scannerOf(file: string, options: Pick<FrameOptions, "reuseBuffers" | "content" | "buffers"> = {}): ScannerName {
  if (file.endsWith(".gz") || options.reuseBuffers !== true || options.content !== undefined || options.buffers !== undefined) return "js";
  return scannerChoice().scanner;
}

/**
 * The framing under scanBsonFile: every document's raw bytes, in file order, for readers
 * that work on BSON itself (the backup diff hashes documents without decoding them).
 * Same errors as scanBsonFile, except decoding ones; errors of `onFrame` propagate unchanged.
 */
export async function scanBsonFrames(file: string, onFrame: FrameVisitor, options: FrameOptions = {}): Promise<ScanStats> {
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_CHUNK_SIZE));
  options.signal?.throwIfAborted();
  const gz = file.endsWith(".gz");
  // the read buffers in the wasm module's memory: DocFields walk the documents there (bson-walk-native.ts).
  // With the batch pass the walker frames as it walks (one pass over the chunk); JavaScript frames what it does not take.
  const arena = scannerOf(file, options) === "wasm" ? Arena.acquire(chunkSize) : undefined;
  try {
    return await frameAll(file, onFrame, options, chunkSize, gz, arena?.buffers, arena !== undefined && batchPass.enabled ? onFrame.batcher : undefined);
  } finally {
    arena?.release();
  }
}

async function frameAll(file: string, onFrame: FrameVisitor, options: FrameOptions, chunkSize: number, gz: boolean, wasmBuffers: readonly [Uint8Array, Uint8Array] | undefined, batcher: FrameBatcher | undefined): Promise<ScanStats> {
  const { signal, onProgress } = options;

  let documents = 0;
  let base = 0; // uncompressed offset of the current chunk's first byte
  // A document cut by a chunk boundary: `head` holds up to 4 bytes while its length is
  // unknown, then `carry` holds the whole document as it fills.
  const head = new Uint8Array(4);
  let headLen = 0;
  let carry: Uint8Array | null = null;
  let carryLen = 0;
  let pendingStart = -1; // offset of the document in `head`/`carry`, or -1
  let nextProgress = PROGRESS_EVERY;
  let compressedBytes = 0;
  const fileBytes = (): number => (gz ? compressedBytes : base);

  const emit = (b: Uint8Array, start: number, size: number, offset: number): void => {
    const end = start + size;
    if (b[end - 1] !== 0) {
      throw new DumpReadError(file, offset, `document at byte ${offset} does not end with 0x00 (declared ${size} bytes)`);
    }
    documents++;
    onFrame(b, start, end, offset);
  };

  /** Frames (and visits) the documents of the next chunk of the uncompressed stream. */
  const consume = (b: Uint8Array): void => {
    if (signal?.aborted) signal.throwIfAborted();
    const n = b.length;
    let p = 0;

    // finish a document carried over from the previous chunk(s)
    if (pendingStart >= 0) {
      if (carry === null) {
        while (headLen < 4 && p < n) head[headLen++] = b[p++]!;
        if (headLen === 4) {
          const size = readInt32(head, 0);
          checkLength(file, pendingStart, size);
          carry = new Uint8Array(size);
          carry.set(head, 0);
          carryLen = 4;
        }
      }
      if (carry !== null) {
        const take = Math.min(carry.length - carryLen, n - p);
        carry.set(b.subarray(p, p + take), carryLen);
        carryLen += take;
        p += take;
        if (carryLen === carry.length) {
          const doc = carry;
          const offset = pendingStart;
          carry = null;
          headLen = 0;
          pendingStart = -1;
          emit(doc, 0, doc.length, offset);
        }
      }
    }

    // frame the documents that lie wholly inside this chunk (a batch at a time where the batcher takes them)
    while (p < n) {
      if (batcher !== undefined) {
        // no document longer than MAX_DOCUMENT_SIZE is taken (JavaScript refuses it below)
        const k = batcher.visit(b, p, n - p > MAX_DOCUMENT_SIZE ? p + MAX_DOCUMENT_SIZE : n, base, WALK_BATCH);
        if (k > 0) {
          documents += k;
          p = batcher.end;
          continue;
        }
      }
      if (n - p < 4) {
        pendingStart = base + p;
        headLen = 0;
        while (p < n) head[headLen++] = b[p++]!;
        break;
      }
      const size = readInt32(b, p);
      if (size < 5 || size > MAX_DOCUMENT_SIZE) checkLength(file, base + p, size);
      if (size > n - p) {
        pendingStart = base + p;
        carry = new Uint8Array(size);
        carry.set(b.subarray(p, n), 0);
        carryLen = n - p;
        p = n;
        break;
      }
      emit(b, p, size, base + p);
      p += size;
    }

    base += n;
    if (onProgress !== undefined && base >= nextProgress) {
      nextProgress = base + PROGRESS_EVERY;
      onProgress({ bytes: base, documents, fileBytes: fileBytes(), done: false });
    }
  };

  /** Errors of the file or of gunzip (as opposed to those of `visit` or of the data). */
  const readError = (err: unknown): DumpReadError => {
    const at = pendingStart >= 0 ? pendingStart : base;
    const what = gz && isZlibError(err) ? "gzip error" : "read error";
    return new DumpReadError(
      file,
      at,
      `${what} at uncompressed byte ${base}${pendingStart >= 0 ? ` (in the document starting at byte ${pendingStart})` : ""}: ${(err as Error).message}`,
      { cause: err },
    );
  };

  if (options.content !== undefined) {
    consume(options.content);
  } else if (gz) {
    const empty = await scanGzip(file, chunkSize, consume, readError, (n) => (compressedBytes = n));
    if (empty) {
      onProgress?.({ bytes: 0, documents: 0, fileBytes: 0, done: true });
      return { documents: 0, bytes: 0 };
    }
  } else {
    // With reused buffers, two take turns: one is read into while the other is scanned.
    await readPlain(file, chunkSize, wasmBuffers ?? (options.reuseBuffers === true ? [new Uint8Array(chunkSize), new Uint8Array(chunkSize)] : null), consume, readError, options.buffers);
  }

  if (pendingStart >= 0) {
    const left = carry !== null ? carryLen : headLen;
    const declared = carry !== null ? `declared ${(carry as Uint8Array).length} bytes` : "length prefix incomplete";
    throw new DumpReadError(file, pendingStart, `truncated document at byte ${pendingStart} (${declared}, ${left} left)`);
  }
  onProgress?.({ bytes: base, documents, fileBytes: fileBytes(), done: true });
  return { documents, bytes: base };
}

/** Reads a plain file chunk by chunk into `consume`, the next chunk's read overlapping the scan of the current one. */
async function readPlain(
  file: string,
  chunkSize: number,
  buffers: readonly [Uint8Array, Uint8Array] | null,
  consume: (b: Uint8Array) => void,
  readError: (err: unknown) => DumpReadError,
  given?: ChunkBuffers,
): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(file, "r");
  } catch (err) {
    throw readError(err);
  }
  let turn = 0;
  let position = 0;
  const read = (into: Uint8Array, at: number): Promise<Uint8Array> =>
    fh.read(into, 0, chunkSize, at).then(
      ({ bytesRead }) => {
        position = at + bytesRead;
        return into.subarray(0, bytesRead);
      },
      (err: unknown) => {
        throw readError(err);
      },
    );
  const readNext = (): Promise<Uint8Array> => {
    const at = position;
    if (given !== undefined) return Promise.resolve(given.take(chunkSize)).then((into) => read(into, at));
    const into = buffers !== null ? buffers[turn]! : new Uint8Array(chunkSize);
    turn ^= 1;
    return read(into, at);
  };
  let pending: Promise<Uint8Array> | null = null;
  try {
    pending = readNext();
    for (;;) {
      const b: Uint8Array = await pending;
      pending = null;
      if (b.length === 0) {
        given?.scanned(b);
        break;
      }
      // the next read may only start once `position` is known, i.e. after this one ended
      pending = readNext();
      consume(b);
      given?.scanned(b);
    }
  } finally {
    // a read still in flight (consume threw): let it finish before closing, and ignore its outcome
    if (pending !== null) await pending.catch(() => undefined);
    await fh.close().catch(() => undefined);
  }
}

/**
 * Streams a gzip file through gunzip into `consume`. Returns true when the file is empty
 * (0 bytes: as empty as a 0-byte .bson; zlib calls it "unexpected end of file").
 */
async function scanGzip(
  file: string,
  chunkSize: number,
  consume: (b: Uint8Array) => void,
  readError: (err: unknown) => DumpReadError,
  compressed: (bytes: number) => void,
): Promise<boolean> {
  // Errors emitted by the read/gunzip streams (as opposed to thrown by `consume`).
  const streamErrors = new WeakSet<object>();
  const noteError = (err: unknown): void => {
    if (typeof err === "object" && err !== null) streamErrors.add(err);
  };
  const raw = createReadStream(file, { highWaterMark: chunkSize });
  raw.on("error", noteError);
  const gunzip = createGunzip({ chunkSize: Math.max(64, chunkSize) });
  gunzip.on("error", noteError);
  raw.on("error", (err) => gunzip.destroy(err));
  const stream: Readable = raw.pipe(gunzip);
  let produced = 0;
  try {
    for await (const chunk of stream) {
      compressed(raw.bytesRead);
      const b = asUint8(chunk);
      produced += b.length;
      consume(b);
    }
  } catch (err) {
    stream.destroy();
    raw.destroy();
    if (typeof err === "object" && err !== null && streamErrors.has(err)) {
      if (raw.bytesRead === 0 && produced === 0 && isZlibError(err)) return true;
      throw readError(err);
    }
    throw err; // from consume
  }
  compressed(raw.bytesRead);
  return false;
}

function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("Z_");
}
