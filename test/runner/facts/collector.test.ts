import { describe, expect, it } from "vitest";
import { mergeFields } from "../../../runner/facts/collector.ts";

describe("mergeFields", () => {
  it("unions top-level fields and sub-keys; a whole-document reader wins", () => {
    expect(mergeFields([{ a: true, up: ["src"] }, { up: ["cc", "src"], n: true }])).toEqual({ a: true, up: ["src", "cc"], n: true });
    expect(mergeFields([{ up: ["src"] }, { up: true }])).toEqual({ up: true });
    expect(mergeFields([{ a: true }, undefined])).toBeUndefined();
  });

  it('keeps "epoch-ms" only when every reader of the field asks for it', () => {
    expect(mergeFields([{ cd: "epoch-ms" }, { cd: "epoch-ms", a: true }])).toEqual({ cd: "epoch-ms", a: true });
    expect(mergeFields([{ cd: "epoch-ms" }, { cd: true }])).toEqual({ cd: true });
    expect(mergeFields([{ cd: true }, { cd: "epoch-ms" }])).toEqual({ cd: true });
    expect(mergeFields([{ cd: "epoch-ms" }, { cd: ["x"] }])).toEqual({ cd: true });
    expect(mergeFields([{ cd: ["x"] }, { cd: "epoch-ms" }])).toEqual({ cd: true });
    expect(mergeFields([{ ts: "epoch-ms" }, { a: true }])).toEqual({ ts: "epoch-ms", a: true });
  });
});
