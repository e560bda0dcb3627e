// What the facts' batch kernels (runner/facts/collector.ts, "Batch kernels") share on the
// JavaScript side: their space in the arena, handed out 16-byte aligned, and tables of strings
// (Str in native/raw-events.c: strings_put / strings_find) mirrored from an interner, so a
// kernel finds the ids JavaScript gave. Used by raw-events-kernel.ts and drill-meta-kernel.ts.
import { utf8Bytes, type StringInterner } from "../../sources/dump/bson-fields.ts";
import { align, type Exports } from "../../sources/dump/bson-walk-native.ts";

/** Bytes of a table entry (Str in native/raw-events.c). */
export const STR_BYTES = 16;

/** A kernel's space from `at` on: each call hands out `bytes` from the next 16-byte boundary (the caller sized the space: Arena.allocate). */
export function spaceFrom(at: number): (bytes: number) => number {
  let p = at;
  return (bytes) => {
    const from = p;
    p = align(p + bytes, 16);
    return from;
  };
}

/** A table of at least 16 entries, at most half full with `n` strings (a power of two). */
export function tableEntries(n: number): number {
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  return cap;
}

/** Strings that share a word hash before a table hashes every byte (as StringInterner). */
const MAX_SHARING = 4;

/** A table of strings (Str entries in native/raw-events.c) whose bytes lie in the arena, rebuilt hashing every byte when too many share a hash. */
export class StringTable {
  private readonly entries: number[] = [];

  constructor(
    private readonly x: Exports,
    private readonly fields: Int32Array,
    private readonly at: number,
    private readonly mask: number,
    private readonly everyField: number,
  ) {
    fields[everyField] = 0;
    x.strings_clear(at, mask);
  }

  /** Files the bytes at key[0, len) in the memory under `id`. */
  put(key: number, len: number, id: number): void {
    this.entries.push(key, len, id);
    const every = this.fields[this.everyField]!;
    if (this.x.strings_put(this.at, this.mask, every, key, len, id) >= MAX_SHARING && every === 0) {
      this.fields[this.everyField] = 1;
      this.x.strings_clear(this.at, this.mask);
      const e = this.entries;
      for (let i = 0; i < e.length; i += 3) this.x.strings_put(this.at, this.mask, 1, e[i]!, e[i + 1]!, e[i + 2]!);
    }
  }
}

/** An interner's strings mirrored in id order into a StringTable, their bytes in the arena: at most `max` strings in `bytes` bytes from `at` (a string not mirrored makes its documents JavaScript's). */
export class MirroredStrings {
  private mirrored = 0;
  private full = false;
  private at: number;
  private readonly end: number;

  constructor(
    private readonly heap: Uint8Array,
    private readonly table: StringTable,
    private readonly strings: StringInterner,
    at: number,
    bytes: number,
    private readonly max: number,
  ) {
    this.at = at;
    this.end = at + bytes;
    this.learn();
  }

  /** Mirrors the strings interned since the last call, while there is room; true when it mirrored any. */
  learn(): boolean {
    const before = this.mirrored;
    while (!this.full && this.mirrored < this.strings.size) {
      const bytes = utf8Bytes(this.strings.text(this.mirrored));
      if (this.mirrored >= this.max || this.at + bytes.length > this.end) {
        this.full = true;
        break;
      }
      this.heap.set(bytes, this.at);
      this.table.put(this.at, bytes.length, this.mirrored);
      this.at += bytes.length;
      this.mirrored++;
    }
    return this.mirrored !== before;
  }
}
