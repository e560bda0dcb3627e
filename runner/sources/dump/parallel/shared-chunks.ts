// The read buffers of a `--jobs` scan: a few chunks in SharedArrayBuffers that the file
// is read into (`take`, for bson-file-scanner.ts ChunkBuffers) and that the workers read the
// documents from without a copy. A chunk is reused once every worker it was sent to has
// released it; the reader waits for one when all are out (that bounds the memory).
export class SharedChunks {
  private readonly chunks: SharedArrayBuffer[] = [];
  /** Per chunk: workers still holding it, or -1 while the reader has it. */
  private readonly holders: number[] = [];
  private readonly free: number[] = [];
  private waiting: { size: number; resolve: (b: Uint8Array) => void; reject: (e: unknown) => void }[] = [];
  private broken: unknown;

  constructor(private readonly count: number) {}

  take(size: number): Uint8Array | Promise<Uint8Array> {
    if (this.broken !== undefined) throw this.broken;
    const i = this.free.pop() ?? (this.chunks.length < this.count ? this.grow(size) : -1);
    if (i >= 0) return this.hand(i, size);
    return new Promise((resolve, reject) => this.waiting.push({ size, resolve, reject }));
  }

  /** The index of a chunk's buffer, or -1 for bytes that are not one of ours. */
  indexOf(bytes: Uint8Array): number {
    return bytes.buffer instanceof SharedArrayBuffer ? this.chunks.indexOf(bytes.buffer) : -1;
  }

  buffer(i: number): SharedArrayBuffer {
    return this.chunks[i]!;
  }

  /** The chunk went to `to` workers (0: nobody needs it, it is free again). */
  sent(i: number, to: number): void {
    this.holders[i] = to;
    if (to === 0) this.release(i);
  }

  /** One worker is done with chunk `i`. */
  release(i: number): void {
    if (this.holders[i]! > 0) this.holders[i]!--;
    if (this.holders[i]! > 0) return;
    const next = this.waiting.shift();
    if (next) next.resolve(this.hand(i, next.size));
    else this.free.push(i);
  }

  /** Fails the reads waiting for a chunk (the scan is being abandoned). */
  fail(e: unknown): void {
    this.broken = e;
    for (const w of this.waiting) w.reject(e);
    this.waiting = [];
  }

  private grow(size: number): number {
    this.chunks.push(new SharedArrayBuffer(size));
    this.holders.push(0);
    return this.chunks.length - 1;
  }

  private hand(i: number, size: number): Uint8Array {
    if (this.chunks[i]!.byteLength < size) this.chunks[i] = new SharedArrayBuffer(size);
    this.holders[i] = -1;
    return new Uint8Array(this.chunks[i]!, 0, size);
  }
}
