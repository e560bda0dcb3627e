// The (id, digest) pairs one side holds while a pass over the other side names the
// differing documents: an open-addressing hash table over typed arrays, with the id
// bytes in an arena of fixed-size blocks. About 40 bytes per pair plus the id's own
// bytes, and nothing for the garbage collector to chase (a Map of strings costs ~250
// bytes per pair). Ids are compared byte for byte, so a match is exact.

const BLOCK = 4 * 1024 * 1024;

export class PairTable {
  private n = 0;
  private cap: number;
  private hashes: Uint32Array;
  private digests: Uint32Array;
  private blockOf: Uint32Array;
  private offsetOf: Uint32Array;
  private lengthOf: Uint32Array;
  private matched: Uint8Array;
  /** Open addressing: entry index + 1, 0 = empty. */
  private slots: Int32Array;
  private readonly blocks: Uint8Array[] = [];
  private blockUsed = BLOCK;

  constructor(expected: number) {
    this.cap = Math.max(16, expected);
    this.hashes = new Uint32Array(this.cap);
    this.digests = new Uint32Array(this.cap * 4);
    this.blockOf = new Uint32Array(this.cap);
    this.offsetOf = new Uint32Array(this.cap);
    this.lengthOf = new Uint32Array(this.cap);
    this.matched = new Uint8Array(this.cap);
    this.slots = new Int32Array(slotCount(this.cap));
  }

  get size(): number {
    return this.n;
  }

  /** Adds a pair (the id bytes are copied). A repeated id is added again (a side should not have one). */
  add(id: Uint8Array, hash: number, digest: Uint32Array): void {
    if (this.n === this.cap) this.grow();
    const e = this.n++;
    this.hashes[e] = hash;
    this.digests.set(digest.subarray(0, 4), e * 4);
    if (this.blockUsed + id.length > BLOCK || this.blocks.length === 0) {
      this.blocks.push(new Uint8Array(Math.max(BLOCK, id.length)));
      this.blockUsed = 0;
    }
    const b = this.blocks.length - 1;
    this.blocks[b]!.set(id, this.blockUsed);
    this.blockOf[e] = b;
    this.offsetOf[e] = this.blockUsed;
    this.lengthOf[e] = id.length;
    this.blockUsed += id.length;
    this.insertSlot(e);
  }

  /**
   * Finds the unmatched pair with this id, marks it matched and returns whether its digest
   * equals `digest`; undefined when there is none.
   */
  take(id: Uint8Array, hash: number, digest: Uint32Array): boolean | undefined {
    const mask = this.slots.length - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s]!;
      if (v === 0) return undefined;
      const e = v - 1;
      if (this.hashes[e] !== hash || this.matched[e] === 1 || !this.idEquals(e, id)) continue;
      this.matched[e] = 1;
      const i = e * 4;
      const d = this.digests;
      return d[i] === digest[0] && d[i + 1] === digest[1] && d[i + 2] === digest[2] && d[i + 3] === digest[3];
    }
  }

  /** The ids (bytes) never taken, in insertion order. */
  *unmatched(): Generator<Uint8Array> {
    for (let e = 0; e < this.n; e++) {
      if (this.matched[e] === 1) continue;
      const o = this.offsetOf[e]!;
      yield this.blocks[this.blockOf[e]!]!.subarray(o, o + this.lengthOf[e]!);
    }
  }

  private idEquals(e: number, id: Uint8Array): boolean {
    const len = this.lengthOf[e]!;
    if (len !== id.length) return false;
    const block = this.blocks[this.blockOf[e]!]!;
    const o = this.offsetOf[e]!;
    for (let i = 0; i < len; i++) if (block[o + i] !== id[i]) return false;
    return true;
  }

  private insertSlot(e: number): void {
    const mask = this.slots.length - 1;
    let s = this.hashes[e]! & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = e + 1;
  }

  /** More pairs than the pass-1 counts said (a live side changed): double everything. */
  private grow(): void {
    const cap = this.cap * 2;
    const widen = <T extends Uint32Array | Uint8Array>(a: T, k = 1): T => {
      const b = new (a.constructor as new (n: number) => T)(cap * k);
      b.set(a);
      return b;
    };
    this.hashes = widen(this.hashes);
    this.digests = widen(this.digests, 4);
    this.blockOf = widen(this.blockOf);
    this.offsetOf = widen(this.offsetOf);
    this.lengthOf = widen(this.lengthOf);
    this.matched = widen(this.matched);
    this.cap = cap;
    this.slots = new Int32Array(slotCount(cap));
    for (let e = 0; e < this.n; e++) this.insertSlot(e);
  }
}

/** A power of two at least twice the capacity (load factor ≤ 0.5). */
function slotCount(cap: number): number {
  let n = 16;
  while (n < cap * 2) n *= 2;
  return n;
}
