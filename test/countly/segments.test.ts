// Day-like segment values ("1".."31" would collide with the day keys of `d`), as each writer stores them.
import { describe, expect, it } from "vitest";
import { normaliseSegmentValue } from "../../countly/segments.ts";

describe("normaliseSegmentValue", () => {
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
