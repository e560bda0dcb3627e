// StringInterner: one id per distinct byte string whatever the hash does. Its first hash
// reads three words of the bytes (first, middle, last 4) and the length, so strings that
// differ only elsewhere share it; past a few of those it hashes every byte. Both ways must
// give the ids, texts and lookups a Map of the decoded strings gives.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StringInterner, stringHash, stringHashOfEveryByte, utf8Bytes } from "../../../../runner/sources/dump/bson-fields.ts";

const SEED = 20261202;

/** Bytes of `s` at offset `at` of a larger buffer whose view starts at an odd byteOffset. */
function placed(s: string, at: number): { b: Uint8Array; start: number; end: number } {
  const bytes = utf8Bytes(s);
  const b = new Uint8Array(new ArrayBuffer(bytes.length + at + 9), 1, bytes.length + at + 5).fill(0xcc);
  b.set(bytes, at);
  return { b, start: at, end: at + bytes.length };
}

/** Event keys that share length, first, middle and last 4 bytes: all one word hash. */
function sameWords(count: number): string[] {
  // 17 bytes: words at 0, 6 and 13 are "item", "0_0a" and "view"; bytes 4-5 and 10-12 vary
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) out.push(`it${"em"}${String.fromCharCode(65 + (i % 26), 65 + Math.floor(i / 26) % 26)}0_0a${String(i).padStart(3, "0").slice(-3)}view`);
  return out;
}

describe("StringInterner", () => {
  it("strings sharing their word hash make the table hash every byte, and keep their own ids and texts", () => {
    const keys = sameWords(300);
    const hashes = new Set(keys.map((k) => stringHash(utf8Bytes(k), 0, utf8Bytes(k).length)));
    expect(hashes.size).toBe(1); // the test really has strings with one word hash
    expect(new Set(keys.map((k) => stringHashOfEveryByte(utf8Bytes(k), 0, utf8Bytes(k).length))).size).toBe(keys.length);
    const table = new StringInterner();
    const ids: number[] = [];
    for (const [i, k] of keys.entries()) {
      const { b, start, end } = placed(k, i % 7);
      expect(table.find(b, start, end)).toBe(-1);
      ids.push(table.id(b, start, end));
      if (i < 4) expect(table.hashing).toBe("words");
    }
    expect(table.hashing).toBe("bytes");
    expect(ids).toEqual(keys.map((_, i) => i));
    for (const [i, k] of keys.entries()) {
      const { b, start, end } = placed(k, (i * 3) % 5);
      expect([table.find(b, start, end), table.id(b, start, end), table.add(k)]).toEqual([i, i, i]);
      expect(table.text(i)).toBe(k);
    }
    expect(table.find(utf8Bytes("itemZZ0_0a999view"), 0, 17)).toBe(-1);
  });

  it("event keys and app ids that differ in their words stay on the word hash", () => {
    const table = new StringInterner();
    for (let i = 0; i < 5000; i++) table.add(`Event ${i}`);
    for (let i = 0; i < 2000; i++) table.add(`65f0c0ffee${i.toString(16).padStart(14, "0")}`);
    expect(table.hashing).toBe("words");
    expect(table.size).toBe(7000);
    const b = utf8Bytes("65f0c0ffee00000000000007cf");
    expect([table.find(b, 0, 24), table.find(b, 2, 26), table.find(b, 0, 26)]).toEqual([5007, -1, -1]); // bytes 0-24 are app 7
  });

  it(`ids, finds and texts equal a Map's for any strings, through rehashes and the switch to every byte (seed ${SEED})`, () => {
    console.log(`string interner: fast-check seed ${SEED}`);
    // short strings over few letters share words often; long ones around one stem share the three words
    const digits = (n: number) => fc.string({ minLength: n, maxLength: n, unit: fc.constantFrom("1", "2", "3") });
    const text = fc.oneof(
      fc.string({ maxLength: 3, unit: fc.constantFrom("a", "b", "\u00e9", "\u65e5") }),
      fc.string({ maxLength: 40 }),
      { arbitrary: fc.tuple(fc.constantFrom("ab", "é"), digits(3)).map(([c, t]) => `item${c}0_0a${t}view`), weight: 3 },
      fc.constantFrom("", "[CLY]_custom", "65f0c0ffee00000000000001", "65f0c0ffee00000000000002"),
    );
    let switched = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(text, fc.nat({ max: 9 }), fc.boolean()), { maxLength: 300 }), (items) => {
        const table = new StringInterner();
        const ids = new Map<string, number>();
        for (const [s, at, viaText] of items) {
          const { b, start, end } = placed(s, at);
          expect(table.find(b, start, end)).toBe(ids.get(s) ?? -1);
          const id = viaText ? table.add(s) : table.id(b, start, end);
          if (!ids.has(s)) ids.set(s, ids.size);
          expect(id).toBe(ids.get(s));
          expect(table.text(id)).toBe(s);
        }
        expect(table.size).toBe(ids.size);
        for (const [s, id] of ids) expect(table.find(utf8Bytes(s), 0, utf8Bytes(s).length)).toBe(id);
        if (table.hashing === "bytes") switched++;
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(switched).toBeGreaterThan(20); // both ways were exercised
  });
});
