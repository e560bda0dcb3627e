import { describe, expect, it } from "vitest";
import { CheckDataError, isPerApp, withDefaults, withinTolerance } from "../../checks/types.ts";

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

describe("withDefaults", () => {
  const meta = {
    kind: "k",
    summary: "",
    proves: "",
    perApp: true,
    likelyCause: "",
    remediation: "",
    exampleFinding: "",
    options: { type: "object" as const, properties: { list: { type: "array" as const, default: ["a"] }, n: { type: "number" as const, default: 5 }, free: { type: "string" as const } } },
  };

  it("fills each option the entry leaves out with its default, keeps the given ones (falsy too), and drops unknown keys", () => {
    expect(withDefaults(meta, {})).toEqual({ list: ["a"], n: 5 });
    expect(withDefaults(meta, { n: 0, list: [], free: "" })).toEqual({ list: [], n: 0, free: "" });
    expect(withDefaults(meta, { n: undefined, other: 1 })).toEqual({ list: ["a"], n: 5 });
  });

  it("gives each entry its own copy of a default, so one check cannot change another's options", () => {
    const first = withDefaults<{ list: string[] }>(meta, {});
    first.list.push("changed");
    expect(withDefaults<{ list: string[] }>(meta, {}).list).toEqual(["a"]);
    expect(meta.options.properties.list.default).toEqual(["a"]);
  });
});

describe("isPerApp and CheckDataError", () => {
  it("one case per app as the check's options decide, else as its meta says", () => {
    const def = (perApp: boolean, byOptions?: (o: { p: boolean }) => boolean) => ({ meta: { perApp } as never, needs: () => [], evaluate: () => undefined, ...(byOptions ? { perApp: byOptions } : {}) });
    expect(isPerApp(def(true), { p: false })).toBe(true);
    expect(isPerApp(def(false), { p: true })).toBe(false);
    expect(isPerApp(def(true, (o) => o.p), { p: false })).toBe(false);
    expect(isPerApp(def(false, (o) => o.p), { p: true })).toBe(true);
  });

  it("is an Error named CheckDataError with the message given", () => {
    const e = new CheckDataError("rows of the wrong shape");
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("CheckDataError");
    expect(e.message).toBe("rows of the wrong shape");
  });
});
