import { describe, expect, it } from "vitest";
import { mergeFields, visitEach } from "../../../runner/facts/collector.ts";
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
