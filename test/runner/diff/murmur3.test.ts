import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { murmur3x86128 } from "../../../runner/diff/murmur3.ts";

// Outputs of the reference implementation (smhasher's MurmurHash3_x86_128, via Python's
// mmh3.hash_bytes(data, seed, x64arch=False)).
const VECTORS: [Uint8Array, number, string][] = [
  [new Uint8Array(0), 0, "00000000000000000000000000000000"],
  [new Uint8Array(0), 42, "b62c6dafba0cc895ba0cc895ba0cc895"],
  [Buffer.from("hello"), 0, "a044242bf7de91dbb631db9ab631db9a"],
  [Buffer.from("hello"), 42, "019a4f9cf6043405959b6f88959b6f88"],
  [Buffer.from("The quick brown fox jumps over the lazy dog"), 0, "c383152f672ceeec6cf67b5d2c1de9e5"],
  [Buffer.from("The quick brown fox jumps over the lazy dog"), 42, "199cc6b0c795fdb1bd46c704eccf4fb6"],
  [Uint8Array.from({ length: 37 }, (_, i) => i), 0, "8e287f21beca2dccc3f59abdc066dda2"],
  [Uint8Array.from({ length: 37 }, (_, i) => i), 42, "ac3515b7e555ac8f04e00aef3c269834"],
];

describe("murmur3x86128", () => {
  it("matches the reference implementation", () => {
    const out = new Uint32Array(4);
    for (const [data, seed, hex] of VECTORS) {
      murmur3x86128(data, data.length, seed, out);
      expect(Buffer.from(out.buffer).toString("hex")).toBe(hex);
    }
  });

  it("hashes only the first len bytes", () => {
    const a = new Uint32Array(4);
    const b = new Uint32Array(4);
    murmur3x86128(Buffer.from("hello world"), 5, 0, a);
    murmur3x86128(Buffer.from("hello"), 5, 0, b);
    expect([...a]).toEqual([...b]);
  });
});
