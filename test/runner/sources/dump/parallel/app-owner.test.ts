// The main thread's routing hint (app-owner.ts): the app of a raw document from its first
// elements, NOT_IN_SCOPE for another app's, UNKNOWN when `a` is not among them or not a string.
import { BSON, ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { NOT_IN_SCOPE, routeHint, scopeAppIds, UNKNOWN } from "../../../../../runner/sources/dump/parallel/app-owner.ts";

const apps = scopeAppIds([
  { id: "65f0a1b2c3d4e5f6a7b8c9d0", name: "x", timezone: "UTC" },
  { id: "65f0a1b2c3d4e5f6a7b8c9d1", name: "y", timezone: "UTC" },
]);
const hint = (doc: Record<string, unknown>): number => {
  const b = BSON.serialize(doc);
  // at an offset inside a larger buffer, as in a read chunk
  const chunk = new Uint8Array(b.length + 10);
  chunk.set(b, 7);
  return routeHint(chunk, 7, 7 + b.length, apps);
};

describe("routeHint", () => {
  it("reads `a` after the leading fixed-size and string elements", () => {
    expect(hint({ _id: new ObjectId(), a: "65f0a1b2c3d4e5f6a7b8c9d1", e: "[CLY]_custom" })).toBe(1);
    expect(hint({ _id: "uid_1", ts: 1, c: 2.5, a: "65f0a1b2c3d4e5f6a7b8c9d0" })).toBe(0);
    expect(hint({ a: "65f0a1b2c3d4e5f6a7b8c9d1" })).toBe(1);
  });
  it("another app's id, or an empty one, is NOT_IN_SCOPE", () => {
    expect(hint({ _id: new ObjectId(), a: "65f0a1b2c3d4e5f6a7b8c9d9" })).toBe(NOT_IN_SCOPE);
    expect(hint({ _id: new ObjectId(), a: "" })).toBe(NOT_IN_SCOPE);
  });
  it("UNKNOWN when `a` is missing, not a string, behind a sub-document or beyond the first four elements", () => {
    expect(hint({ _id: new ObjectId(), e: "[CLY]_custom" })).toBe(UNKNOWN);
    expect(hint({ _id: new ObjectId(), a: 5 })).toBe(UNKNOWN);
    expect(hint({ _id: new ObjectId(), sg: { k: 1 }, a: "65f0a1b2c3d4e5f6a7b8c9d0" })).toBe(UNKNOWN);
    expect(hint({ _id: 1, b: 1, c: 1, d: 1, a: "65f0a1b2c3d4e5f6a7b8c9d0" })).toBe(UNKNOWN);
  });
  it("never reads past the document, whatever its bytes", () => {
    const b = BSON.serialize({ _id: new ObjectId(), a: "65f0a1b2c3d4e5f6a7b8c9d0" });
    for (let cut = 5; cut < b.length; cut++) {
      const doc = b.slice(0, cut);
      doc[cut - 1] = 0;
      expect([0, NOT_IN_SCOPE, UNKNOWN]).toContain(routeHint(doc, 0, cut, apps));
    }
    for (let at = 4; at < b.length - 1; at++) {
      const flipped = b.slice();
      flipped[at] = 0xff;
      expect(() => routeHint(flipped, 0, flipped.length, apps)).not.toThrow();
    }
  });
});
