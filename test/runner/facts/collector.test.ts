import { describe, expect, it } from "vitest";
import { mergeFields } from "../../../runner/facts/collector.ts";

describe("mergeFields", () => {
  it("unions top-level fields and sub-keys; a whole-document reader wins", () => {
    expect(mergeFields([{ a: true, up: ["src"] }, { up: ["cc", "src"], n: true }])).toEqual({ a: true, up: ["src", "cc"], n: true });
    expect(mergeFields([{ up: ["src"] }, { up: true }])).toEqual({ up: true });
    expect(mergeFields([{ a: true }, undefined])).toBeUndefined();
  });
});
