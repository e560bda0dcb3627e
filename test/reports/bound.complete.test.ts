// mapRunText and boundRun over a result with every field of the model present
// (test/support/complete-run.ts): every text is mapped and bounded, whatever its field, the
// suite's period note, the profile's lines and the data-keyed records' keys (app ids) included;
// only the closed formats the tool writes itself stay as they are, and only with their format.
import { describe, expect, it } from "vitest";
import { boundRun, mapRunText } from "../../reports/bound.ts";
import type { RunResult } from "../../runner/model.ts";
import { completeRun, SECRET } from "../support/complete-run.ts";

/** Every string of `v` and every key of its objects, with where it is. */
function texts(v: unknown, path = ""): [string, string][] {
  if (typeof v === "string") return [[path, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => texts(x, `${path}[${i}]`));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => [[`${path}{key}`, k] as [string, string], ...texts(x, `${path}.${k}`)]);
  return [];
}

const run = (): RunResult => completeRun();

describe("mapRunText over a complete run", () => {
  it("maps every text that holds the secret, wherever it is", () => {
    const held = texts(run()).filter(([, s]) => s.includes(SECRET));
    expect(held.length).toBeGreaterThan(30);
    const mapped = mapRunText(run(), (s) => s.split(SECRET).join("***"));
    expect(texts(mapped).filter(([, s]) => s.includes(SECRET))).toEqual([]);
    // the same texts, the secret removed: nothing else changed
    expect(texts(mapped).filter(([, s]) => s.includes("***")).map(([p]) => p.replace(/\{key\}$/, "")).sort()).toEqual(held.map(([p]) => p.replace(/\{key\}$/, "")).sort());
  });

  it("maps the period note, the profile's lines and the app ids the profile is keyed by", () => {
    const mapped = mapRunText(run(), (s) => `<${s.length}>`);
    expect(mapped.suites[0]!.periodNote).toMatch(/^<\d+>$/);
    expect(Object.values(mapped.profile!.summary).every((s) => /^<\d+>$/.test(s))).toBe(true);
    expect(Object.keys(mapped.profile!.detected.eventLimit.apps)).toEqual([expect.stringMatching(/^<\d+>$/)]);
    expect(Object.keys(mapped.profile!.detected.views.lastDay)).toEqual([expect.stringMatching(/^<\d+>$/)]);
    expect(mapped.timings![0]).toMatchObject({ collection: expect.stringMatching(/^<\d+>$/), purpose: expect.stringMatching(/^<\d+>$/), kind: "pass" });
  });

  it("keeps the closed formats (times, days, outcomes, the tool), but maps what is there without that format", () => {
    const mapped = mapRunText(run(), (s) => `<${s}>`);
    expect(mapped.tool).toEqual({ name: "countly-check", version: "0.1.0" });
    expect([mapped.startedAt, mapped.suites[0]!.timestamp]).toEqual(["2026-12-01T16:00:00.000Z", "2026-12-01T16:00:00.000Z"]);
    const c = mapped.suites[0]!.cases[0]!;
    expect([c.outcome, c.severity, c.series![0]!.days[0]]).toEqual(["failed", "error", "2026-11-30"]);
    const odd = run();
    const oc = odd.suites[0]!.cases[0]!;
    (oc as { outcome: string }).outcome = `failed ${SECRET}`;
    oc.findings[0]!.day = `2026-11-30 ${SECRET}`;
    (odd.timings![0] as { kind: string }).kind = SECRET;
    odd.tool.name = SECRET;
    const scrubbed = JSON.stringify(mapRunText(odd, (s) => s.split(SECRET).join("***")));
    expect(scrubbed).not.toContain(SECRET);
  });
});

describe("boundRun over a complete run", () => {
  it("cuts every text, keys of data included, by where it is", () => {
    const huge = "x".repeat(100_000);
    const big = mapRunText(run(), (s) => `${s}${huge}`);
    const bounded = boundRun(big);
    const long = texts(bounded).filter(([, s]) => s.length > 2_100);
    expect(long).toEqual([]);
    expect(JSON.stringify(bounded).length).toBeLessThan(60_000);
    expect(bounded.suites[0]!.periodNote).toMatch(/… \[cut \d+ characters/);
    expect(bounded.profile!.summary.aggregation).toMatch(/^summary aggregation .{1900,}… \[cut \d+ characters/);
    expect(Object.keys(bounded.profile!.detected.eventLimit.apps)[0]).toMatch(/… \[cut \d+ characters/);
  });
});
