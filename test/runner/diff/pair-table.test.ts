import { describe, expect, it } from "vitest";
import { idHash32 } from "../../../runner/diff/canonical.ts";
import { PairTable } from "../../../runner/diff/pair-table.ts";

const enc = new TextEncoder();
const d = (n: number) => Uint32Array.of(n, n + 1, n + 2, n + 3);

describe("PairTable", () => {
  it("matches ids exactly, compares digests, and yields the unmatched in insertion order", () => {
    const t = new PairTable(2);
    const ids = Array.from({ length: 100 }, (_, i) => `id-${i}`);
    ids.forEach((id, i) => t.add(enc.encode(id), idHash32(id), d(i)));
    expect(t.size).toBe(100);
    expect(t.take(enc.encode("id-3"), idHash32("id-3"), d(3))).toBe(true);
    expect(t.take(enc.encode("id-3"), idHash32("id-3"), d(3))).toBeUndefined(); // taken once
    expect(t.take(enc.encode("id-4"), idHash32("id-4"), d(99))).toBe(false);
    expect(t.take(enc.encode("nope"), idHash32("nope"), d(0))).toBeUndefined();
    const left = [...t.unmatched()].map((b) => new TextDecoder().decode(b));
    expect(left).toEqual(ids.filter((id) => id !== "id-3" && id !== "id-4"));
  });

  it("does not confuse different ids with the same hash", () => {
    const t = new PairTable(4);
    t.add(enc.encode("a"), 7, d(1));
    t.add(enc.encode("b"), 7, d(2));
    expect(t.take(enc.encode("b"), 7, d(2))).toBe(true);
    expect(t.take(enc.encode("c"), 7, d(2))).toBeUndefined();
    expect([...t.unmatched()].map((b) => String.fromCharCode(...b))).toEqual(["a"]);
  });

  it("keeps ids larger than an arena block", () => {
    const t = new PairTable(1);
    const big = new Uint8Array(5 * 1024 * 1024).fill(65);
    t.add(big, 1, d(1));
    t.add(enc.encode("small"), 2, d(2));
    expect(t.take(big, 1, d(1))).toBe(true);
    expect(t.take(enc.encode("small"), 2, d(2))).toBe(true);
  });
});
