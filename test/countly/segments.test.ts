// Segment and metric value normalisation, pinned case by case against Countly's code:
// - segment values: api/aggregator/usage.ts @0e3d94ef20b482795fe29abbafff914361888ace,
//   processEventFromStream: skip when `forbiddenSegValues.includes(sg[seg] + "")` ("1".."31"),
//   skip arrays, then `(v + "").replace(/^\$+/, "").replace(/\./g, ":")`,
//   `common.encodeCharacters` (api/utils/common.js @0064a19: "\u0000" -> "&#9647"; its
//   non-ASCII replace discards its result), and "[CLY]" + v when the result is "1".."31".
// - segment keys: api/parts/data/events.js (segKey.replace(/^\$+|\./g, "") when the key has
//   a "." or starts with "$").
// - metric values: api/aggregator/usage.js @091d42bdc9e5fad1eccb1e8214cbf3d32c73c8d2,
//   processSessionMetricsFromStream: `if (recvMetricValue)` then
//   `(v + "").replace(/^\$/, "").replace(/\./g, ":")`; Countly's documentation of
//   app_users shows the results "a5:0" (platform version) and "1:2" (app version).
import { describe, expect, it } from "vitest";
import { normaliseMetricValue, normaliseSegmentKey, normaliseSegmentValue } from "../../countly/segments.ts";

describe("normaliseSegmentValue", () => {
  it.each([
    ["Mobile app", "Mobile app"],
    ["card", "card"],
    ["$price", "price"],
    ["$$$price", "price"],
    ["a$b", "a$b"],
    ["v1.2.3", "v1:2:3"],
    ["$v1.2", "v1:2"],
    ["...", ":::"],
    ["0", "0"],
    ["00", "00"],
    ["05", "05"],
    ["32", "32"],
    ["100", "100"],
    ["3.1", "3:1"],
    ["$5", "[CLY]5"],
    ["$31", "[CLY]31"],
    ["$$12", "[CLY]12"],
    ["$32", "32"],
    ["$0", "0"],
    ["a\u0000b", "a&#9647b"],
    ["Ünïcødé ✓", "Ünïcødé ✓"],
    ["<b>&'\"", "<b>&'\""],
  ])("%j aggregates as %j", (raw, expected) => {
    expect(normaliseSegmentValue(raw)).toBe(expected);
  });

  it.each([
    [0, "0"],
    [32, "32"],
    [2.5, "2:5"],
    [-1, "-1"],
    [true, "true"],
    [false, "false"],
  ])("the non-string %j aggregates as its text %j", (raw, expected) => {
    expect(normaliseSegmentValue(raw)).toBe(expected);
  });

  it("keeps a Date as its text (Countly concatenates with \"\")", () => {
    const d = new Date(Date.UTC(2024, 0, 2));
    expect(normaliseSegmentValue(d)).toBe(String(d).replace(/\./g, ":"));
  });

  it.each([
    ["1", "a raw day key"],
    ["9", "a raw day key"],
    ["10", "a raw day key"],
    ["31", "a raw day key"],
    [1, "a number that is a day key"],
    [31, "a number that is a day key"],
    [["a", "b"], "an array"],
    [[], "an empty array"],
    [null, "null"],
    [undefined, "undefined"],
    [{ a: 1 }, "an object"],
    ["", "empty: d.<day>..c is not an update path"],
    ["$", "empty after cleaning"],
    ["$$", "empty after cleaning"],
  ] as [unknown, string][])("skips %j (%s)", (raw) => {
    expect(normaliseSegmentValue(raw)).toBeUndefined();
  });
});

describe("normaliseSegmentKey", () => {
  it.each([
    ["Method", "Method"],
    ["$Method", "Method"],
    ["$$Method", "Method"],
    ["pay.method", "paymethod"],
    ["$a.b.c", "abc"],
    ["a$b", "a$b"],
  ])("%j is stored as %j", (raw, expected) => {
    expect(normaliseSegmentKey(raw)).toBe(expected);
  });
});

describe("normaliseMetricValue", () => {
  it.each([
    ["Google Play", "Google Play"],
    ["a5.0", "a5:0"],
    ["1.2", "1:2"],
    ["$store", "store"],
    ["$$store", "$store"],
    ["a$b", "a$b"],
    ["www.example.com/path", "www:example:com/path"],
    ["0", "0"],
    [5, "5"],
    [true, "true"],
  ])("%j is stored as %j", (raw, expected) => {
    expect(normaliseMetricValue(raw)).toBe(expected);
  });

  it.each([[""], [null], [undefined], [false], [0], [Number.NaN]])("skips the falsy value %j (`if (recvMetricValue)`)", (raw) => {
    expect(normaliseMetricValue(raw)).toBeUndefined();
  });
});

// Day-like values ("1".."31" would collide with the day keys of `d`), as each writer stores them.
describe("normaliseSegmentValue per writer", () => {
  it("legacy API (api/parts/data/events.js 051870e): \"1\"..\"31\" are kept as [CLY]1..[CLY]31", () => {
    for (const v of ["1", "7", "31", 7, 31]) expect(normaliseSegmentValue(v, "events.js")).toBe(`[CLY]${v}`);
    expect(normaliseSegmentValue("$7", "events.js")).toBe("[CLY]7");
    expect(normaliseSegmentValue("32", "events.js")).toBe("32");
    expect(normaliseSegmentValue("0", "events.js")).toBe("0");
  });

  it("25.x processEventFromStream (api/aggregator/usage.js 63d5a9b9): raw \"1\"..\"31\" are skipped, day-like only after cleaning gets [CLY]", () => {
    for (const v of ["1", "7", "31", 7, 31]) expect(normaliseSegmentValue(v, "processEventFromStream")).toBeUndefined();
    expect(normaliseSegmentValue("$7")).toBe("[CLY]7");
    expect(normaliseSegmentValue("3.5")).toBe("3:5");
  });

  it("both skip arrays and empty values and clean $ and dots", () => {
    for (const w of ["events.js", "processEventFromStream"] as const) {
      expect(normaliseSegmentValue(["a"], w)).toBeUndefined();
      expect(normaliseSegmentValue("", w)).toBeUndefined();
      expect(normaliseSegmentValue("$$v1.2", w)).toBe("v1:2");
    }
  });
});
