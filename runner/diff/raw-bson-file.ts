// Streams the raw bytes of each document of a mongodump `.bson` / `.bson.gz` file: the
// dump scanner's framing (runner/sources/dump/bson-file-scanner.ts) without decoding,
// because the diff hashes bytes and decoding every document first would cost more than
// the hashing itself. Errors are the scanner's DumpReadError, so both readers report alike.
import { scanBsonFrames } from "../sources/dump/bson-file-scanner.ts";

export interface RawScanOptions {
  /** Read (and gunzip output) chunk size; default 2 MiB. Tests use tiny values. */
  chunkSize?: number;
  signal?: AbortSignal;
}

/** Called with `bytes[start, end)` holding one whole document; the bytes are only valid during the call. */
export type RawVisitor = (bytes: Uint8Array, start: number, end: number) => void;

/** Visits every document of `file` in file order; returns the number of documents. Errors thrown by `visit` propagate unchanged. */
export async function scanRawBsonFile(file: string, visit: RawVisitor, options: RawScanOptions = {}): Promise<number> {
  const stats = await scanBsonFrames(file, (bytes, start, end) => visit(bytes, start, end), { chunkSize: options.chunkSize, signal: options.signal, reuseBuffers: true });
  return stats.documents;
}
