import { describe, expect, it } from "vitest";
import { boundRun, cutText, mapRunText, TEXT_LIMITS } from "../../reports/bound.ts";
import type { CaseResult, RunResult } from "../../runner/model.ts";

function runWith(cases: CaseResult[]): RunResult {
  return { tool: { name: "countly-check", version: "t" }, source: "dump x", startedAt: "2026-01-01T00:00:00Z", durationMs: 1, suites: [{ name: "s", file: "s.yaml", timestamp: "2026-01-01T00:00:00Z", durationMs: 1, cases }] };
}

function failing(name: string, event: string, n: number): CaseResult {
  const findings = Array.from({ length: n }, (_, i) => ({ event, day: "2024-01-01", message: `missing ${i}` }));
  return { checkId: name, kind: "k", name, classname: `s.${name}`, outcome: "failed", severity: "error", findings, findingsTotal: n, file: "s.yaml", line: 3, durationMs: 0 };
}

describe("cutText", () => {
  it("keeps short text and cuts long text with a marker naming the cut and a hash", () => {
    expect(cutText("abc", 3)).toBe("abc");
    const cut = cutText("x".repeat(1000), 10);
    expect(cut).toMatch(/^x{10}… \[cut 990 characters, #[0-9a-f]{8}\]$/);
    expect(cutText(`${"x".repeat(999)}a`, 10)).not.toBe(cutText(`${"x".repeat(999)}b`, 10));
  });

  it("never splits a surrogate pair", () => {
    expect(cutText(`a${"🛒".repeat(10)}`, 2)).toMatch(/^a… \[cut/);
  });
});

describe("boundRun", () => {
  it("cuts every value: three 1 MB event names make a small run", () => {
    const huge = "E".repeat(1_000_000);
    const run = boundRun(runWith([failing(`a${huge}`, huge, 3), failing("b", huge, 1)]));
    const size = JSON.stringify(run).length;
    expect(size).toBeLessThan(20_000);
    expect(run.suites[0]!.cases[0]!.findings[0]!.event).toMatch(/… \[cut 999700 characters/);
    expect(run.suites[0]!.cases[0]!.name).not.toBe(run.suites[0]!.cases[1]!.name);
  });

  it("keeps the findings of the whole run within one budget and still counts them all", () => {
    const cases = Array.from({ length: 50 }, (_, i) => failing(`c${i}`, "e".repeat(250), 1000));
    const run = boundRun(runWith(cases), { ...TEXT_LIMITS, findingsBudget: 100_000 });
    const kept = run.suites[0]!.cases.reduce((n, c) => n + c.findings.length, 0);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(50_000);
    expect(run.suites[0]!.cases.every((c) => c.findingsTotal === 1000)).toBe(true);
  });

  it("mapRunText reaches every string of the model", () => {
    const c = failing("id", "ev", 1);
    c.message = "m";
    c.remediation = "r";
    c.app = { id: "i", name: "n" };
    c.findings[0]!.app = { id: "i", name: "n" };
    const mapped = mapRunText({ ...runWith([c]), layout: "l" }, () => "X");
    const strings: string[] = [];
    JSON.stringify(mapped, (k, v) => {
      if (typeof v === "string" && !["startedAt", "timestamp", "outcome", "severity"].includes(k) && k !== "version" && k !== "name") strings.push(v);
      return v;
    });
    expect(strings.filter((s) => s !== "X")).toEqual([]);
  });
});
