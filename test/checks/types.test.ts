import { describe, expect, it } from "vitest";
import { withinTolerance } from "../../checks/types.ts";

describe("withinTolerance", () => {
  it("includes both limits: the absolute difference and the relative one (of |expected|)", () => {
    expect(withinTolerance(10, 12, { absolute: 2, relative: 0 })).toBe(true);
    expect(withinTolerance(10, 12.0001, { absolute: 2, relative: 0 })).toBe(false);
    expect(withinTolerance(100, 110, { absolute: 0, relative: 0.1 })).toBe(true);
    expect(withinTolerance(100, 90, { absolute: 0, relative: 0.1 })).toBe(true);
    expect(withinTolerance(100, 110.5, { absolute: 0, relative: 0.1 })).toBe(false);
    expect(withinTolerance(-100, -110, { absolute: 0, relative: 0.1 })).toBe(true);
  });

  it("takes the larger of the two, and nothing with both 0", () => {
    expect(withinTolerance(100, 104, { absolute: 5, relative: 0.01 })).toBe(true);
    expect(withinTolerance(100, 104, { absolute: 1, relative: 0.05 })).toBe(true);
    expect(withinTolerance(100, 106, { absolute: 5, relative: 0.05 })).toBe(false);
    expect(withinTolerance(3, 3, { absolute: 0, relative: 0 })).toBe(true);
    expect(withinTolerance(3, 4, { absolute: 0, relative: 0 })).toBe(false);
    expect(withinTolerance(0, 1, { absolute: 0, relative: 1 })).toBe(false);
  });
});
