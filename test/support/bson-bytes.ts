// Hand-built BSON for the scanner's tests: elements taken from bson's own encoding, put
// together in any order (duplicate keys included), so tests can also break them byte by byte.
import { BSON } from "bson";

/** One element: bson's encoding of `value` under `key` (empty for `undefined`, which BSON.serialize leaves out). */
export function element(key: string, value: unknown, options: { ignoreUndefined?: boolean } = {}): Uint8Array {
  const doc = BSON.serialize({ [key]: value }, options);
  return doc.subarray(4, doc.length - 1);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function int32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n, true);
  return b;
}

/** A document from elements: its size, the elements, the terminator. */
export function documentOf(elements: readonly Uint8Array[]): Uint8Array {
  const body = concat(elements);
  return concat([int32le(body.length + 5), body, new Uint8Array([0])]);
}
