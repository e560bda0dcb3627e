import { describe, expect, it } from "vitest";
import { batchEach, mergeFields, visitEach, type BatchRead } from "../../../runner/facts/collector.ts";
import type { BatchWalker } from "../../../runner/sources/dump/bson-walk-native.ts";
import { DocFields, FieldLayout } from "../../../runner/sources/dump/bson-fields.ts";

describe("mergeFields", () => {
  it("unions top-level fields and sub-keys; a whole-document reader wins", () => {
    expect(mergeFields([{ a: true, up: ["src"] }, { up: ["cc", "src"], n: true }])).toEqual({ a: true, up: ["src", "cc"], n: true });
    expect(mergeFields([{ up: ["src"] }, { up: true }])).toEqual({ up: true });
    expect(mergeFields([{ a: true }, undefined])).toBeUndefined();
  });
});

describe("visitEach", () => {
  const doc = new DocFields(new FieldLayout({ a: true }));

  it("calls every visitor once per document, in order, for any number of visitors (chained past eight)", () => {
    for (let n = 0; n <= 19; n++) {
      const calls: number[] = [];
      const visits = Array.from({ length: n }, (_, i) => (d: DocFields) => {
        expect(d).toBe(doc);
        calls.push(i);
      });
      const visit = visitEach(visits);
      visit(doc);
      visit(doc);
      const once = Array.from({ length: n }, (_, i) => i);
      expect(calls, `${n} visitors`).toEqual([...once, ...once]);
    }
  });

  it("one visitor is called directly; a visitor's error stops the document there, as a loop would", () => {
    const only = () => {};
    expect(visitEach([only])).toBe(only);
    const calls: string[] = [];
    const visit = visitEach([() => calls.push("a"), () => {
      throw new Error("bad document");
    }, () => calls.push("c")]);
    expect(() => visit(doc)).toThrow("bad document");
    expect(calls).toEqual(["a"]);
  });
});

describe("batchEach", () => {
  const doc = new DocFields(new FieldLayout({ a: true }));
  const batch = {} as BatchWalker;

  /** Visitors named by letter: a batch reader (when `vouched` is given) doing the rows `vouched` says, a per-document function; the calls in order. */
  function pass(visitors: { vouched?: (row: number) => boolean }[], count: number): string[] {
    const calls: string[] = [];
    let at = -1;
    const visits = visitors.map((_, i) => () => void calls.push(`${"abc"[i]}${at}`));
    const reads = visitors.map(({ vouched }, i): BatchRead | undefined =>
      vouched === undefined
        ? undefined
        : (b, from, to) => {
            expect(b).toBe(batch);
            let row = from;
            for (; row < to && vouched(row); row++) calls.push(`${"ABC"[i]}${row}`);
            return row;
          },
    );
    batchEach(visits, reads)(batch, count, (row) => ((at = row), doc));
    return calls;
  }

  it("one visitor: its batch reader over the whole batch, its per-document function at each row it left, then on after it", () => {
    expect(pass([{ vouched: (r) => r !== 2 && r !== 3 }], 6)).toEqual(["A0", "A1", "a2", "a3", "A4", "A5"]);
    expect(pass([{ vouched: () => true }], 3)).toEqual(["A0", "A1", "A2"]);
    expect(pass([{}], 2)).toEqual(["a0", "a1"]);
  });

  it("several visitors: row by row in visitor order, a batch reader asked for one row at a time", () => {
    expect(pass([{ vouched: (r) => r !== 1 }, {}, { vouched: () => true }], 2)).toEqual(["A0", "b0", "C0", "a1", "b1", "C1"]);
    expect(pass([{}, {}], 2)).toEqual(["a0", "b0", "a1", "b1"]);
  });
});
