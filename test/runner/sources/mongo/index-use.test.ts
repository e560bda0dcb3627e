// Which filters an index can serve (the scan warning's rule): the leading field bounded,
// every branch of a rooted $or served, predicates that give no bounds not counted.
import { describe, expect, it } from "vitest";
import { filterFields, servingIndexes } from "../../../../runner/sources/mongo/index-use.ts";

const INDEXES = [
  { name: "_id_", key: { _id: 1 } },
  { name: "a_1_e_1_ts_1", key: { a: 1, e: 1, ts: 1 } },
  { name: "cd_1", key: { cd: 1 } },
];

describe("servingIndexes", () => {
  it("an index whose leading field the filter bounds", () => {
    expect(servingIndexes({ a: { $in: ["x"] }, e: "[CLY]_custom" }, INDEXES)).toEqual(["a_1_e_1_ts_1"]);
    expect(servingIndexes({ cd: { $gte: new Date(0) } }, INDEXES)).toEqual(["cd_1"]);
    expect(servingIndexes({ _id: { $regex: "^app_" } }, INDEXES)).toEqual(["_id_"]);
  });

  it("no index when only later fields of an index are bounded", () => {
    expect(servingIndexes({ e: { $type: "string" } }, INDEXES)).toEqual([]);
    expect(servingIndexes({ ts: { $gte: 1, $lt: 2 } }, INDEXES)).toEqual([]);
  });

  it("$ne and $nin are bounded by their complement intervals (unknownApps skips the known apps so), a $nin listing an array is not", () => {
    expect(servingIndexes({ a: { $ne: "x" } }, INDEXES)).toEqual(["a_1_e_1_ts_1"]);
    expect(servingIndexes({ a: { $nin: ["x", "y"] } }, INDEXES)).toEqual(["a_1_e_1_ts_1"]);
    expect(servingIndexes({ a: { $nin: ["x", ["y"]] } }, INDEXES)).toEqual([]);
    expect(servingIndexes({ a: { $ne: ["x"] } }, INDEXES)).toEqual([]);
  });

  it("predicates that give no bounds do not count", () => {
    expect(servingIndexes({ a: { $not: { $eq: "x" } } }, INDEXES)).toEqual([]);
    expect(servingIndexes({ a: { $exists: true } }, INDEXES)).toEqual([]);
    expect(servingIndexes({ _id: { $regex: "_no-segment_" } }, INDEXES)).toEqual([]);
    expect(servingIndexes({ $expr: { $eq: ["$a", "x"] } }, INDEXES)).toEqual([]);
  });

  it("a rooted $or needs an index for every branch", () => {
    expect(servingIndexes({ $or: [{ a: "x", ts: 1 }, { a: "y" }] }, INDEXES)).toEqual(["a_1_e_1_ts_1"]);
    expect(servingIndexes({ $or: [{ a: "x" }, { ts: 1 }] }, INDEXES)).toEqual([]);
    // Two merged $match stages: either $or may be the one served.
    expect(servingIndexes({ $and: [{ $or: [{ ts: 1 }, { ts: 2 }] }, { $or: [{ cd: { $gte: 1 } }, { cd: { $gte: new Date(1) } }] }] }, INDEXES)).toEqual(["cd_1"]);
    expect(servingIndexes({ $and: [{ a: "x" }, { $or: [{ ts: 1 }] }] }, INDEXES)).toEqual(["a_1_e_1_ts_1"]);
  });

  it("nothing without indexes", () => {
    expect(servingIndexes({ a: "x" }, [])).toEqual([]);
  });
});

describe("filterFields", () => {
  it("lists the fields a filter constrains, through $or and $and", () => {
    expect(filterFields({ $or: [{ a: 1, e: 2, ts: 3 }, { a: 1, ts: 4 }], cd: 5 })).toEqual(["a", "e", "ts", "cd"]);
  });
});
