import { Int32, Long } from "bson";
import { describe, expect, it } from "vitest";
import { compareIndexes, describeIndex } from "../../../runner/diff/indexes.ts";

const id = { v: 2, key: { _id: 1 }, name: "_id_" };

describe("compareIndexes", () => {
  it("finds indexes missing on either side and definitions that differ, by name", () => {
    const before = [id, { v: 2, key: { a: 1, e: 1, ts: 1 }, name: "a_1_e_1_ts_1" }, { v: 2, key: { view: 1 }, name: "view_1", unique: true }];
    const after = [{ ...id, v: 1, ns: "countly.x" }, { v: 2, key: { view: 1 }, name: "view_1" }, { v: 2, key: { cd: -1 }, name: "cd_-1", expireAfterSeconds: 3600 }];
    expect(compareIndexes(before, after)).toEqual([
      { name: "a_1_e_1_ts_1", problem: "missing-after", before: "{ a: 1, e: 1, ts: 1 }" },
      { name: "cd_-1", problem: "missing-before", after: '{ cd: -1 } {"expireAfterSeconds":3600}' },
      { name: "view_1", problem: "different", before: '{ view: 1 } {"unique":true}', after: "{ view: 1 }" },
    ]);
  });

  it("treats numbers by value and ignores v, ns and background; key order matters", () => {
    const a = [{ v: 2, key: { a: new Int32(1), b: Long.fromNumber(-1) }, name: "ab", background: true, partialFilterExpression: { x: { $gt: 1 } } }];
    const b = [{ v: 1, key: { a: 1.0, b: -1 }, name: "ab", ns: "db.c", partialFilterExpression: { x: { $gt: new Int32(1) } } }];
    expect(compareIndexes(a, b)).toEqual([]);
    expect(compareIndexes(a, [{ key: { b: -1, a: 1 }, name: "ab", partialFilterExpression: { x: { $gt: 1 } } }])).toHaveLength(1);
  });

  it("says nothing when a side does not record indexes", () => {
    expect(compareIndexes(undefined, [id])).toBeUndefined();
    expect(compareIndexes([id], undefined)).toBeUndefined();
    expect(describeIndex({ key: { loc: "2dsphere" }, name: "loc" })).toBe('{ loc: "2dsphere" }');
  });
});
