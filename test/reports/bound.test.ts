import { describe, expect, it } from "vitest";
import { boundRun, cutText, mapRunText, TEXT_LIMITS } from "../../reports/bound.ts";
import type { CaseResult, RunResult } from "../../runner/model.ts";

function runWith(cases: CaseResult[]): RunResult {
  return { tool: { name: "countly-check", version: "0.1.0" }, source: "dump x", startedAt: "2026-01-01T00:00:00Z", durationMs: 1, suites: [{ name: "s", file: "s.yaml", timestamp: "2026-01-01T00:00:00Z", durationMs: 1, cases }] };
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
      if (typeof v === "string" && !["startedAt", "timestamp", "outcome", "severity", "day"].includes(k) && k !== "version" && k !== "name") strings.push(v);
      return v;
    });
    expect(strings.filter((s) => s !== "X")).toEqual([]);
  });
  it("mapRunText maps exactly the text fields, keeping numbers, times, outcomes and the shape", () => {
    const app = { id: "i", name: "n" };
    const run: RunResult = {
      ...runWith([
        {
          ...failing("id", "ev", 0),
          app,
          message: "m",
          remediation: "r",
          findings: [
            { app, event: "ev", day: "2024-01-01", segment: "seg", field: "c", expected: "x", actual: 3, message: "f" },
            { expected: 1, actual: "y", message: "g" },
          ],
          findingsTotal: 2,
          series: [{ label: "all events · c", days: ["2024-01-01"], raw: [1], aggregated: [0] }],
        },
        { ...failing("p", "ev", 0), outcome: "passed" },
      ]),
      layout: "l",
    };
    run.suites[0]!.description = "d";
    expect(mapRunText(run, (t) => `<${t}>`)).toEqual({
      tool: { name: "countly-check", version: "0.1.0" },
      source: "<dump x>",
      layout: "<l>",
      startedAt: "2026-01-01T00:00:00Z",
      durationMs: 1,
      suites: [
        {
          name: "<s>", description: "<d>", file: "<s.yaml>", timestamp: "2026-01-01T00:00:00Z", durationMs: 1,
          cases: [
            {
              checkId: "<id>", kind: "<k>", app: { id: "<i>", name: "<n>" }, name: "<id>", classname: "<s.id>", outcome: "failed", severity: "error",
              findings: [
                { app: { id: "<i>", name: "<n>" }, event: "<ev>", day: "2024-01-01", segment: "<seg>", field: "<c>", expected: "<x>", actual: 3, message: "<f>" },
                { app: undefined, event: undefined, day: undefined, segment: undefined, field: undefined, expected: 1, actual: "<y>", message: "<g>" },
              ],
              findingsTotal: 2, message: "<m>", remediation: "<r>", file: "<s.yaml>", line: 3, durationMs: 0,
              series: [{ label: "<all events · c>", days: ["2024-01-01"], raw: [1], aggregated: [0] }],
            },
            {
              checkId: "<p>", kind: "<k>", app: undefined, name: "<p>", classname: "<s.p>", outcome: "passed", severity: "error",
              findings: [], findingsTotal: 0, message: undefined, remediation: undefined, file: "<s.yaml>", line: 3, durationMs: 0,
            },
          ],
        },
      ],
    });
  });
});

describe("boundRun, value by value", () => {
  // Expected hashes: 32-bit FNV-1a over UTF-16 code units, computed with a separate
  // implementation (Python, checked against the published vectors fnv1a("a") = e40c292c,
  // fnv1a("foobar") = bf9cf968), not with reports/bound.ts.
  const limits = { name: 5, message: 8, prose: 10, findingsBudget: 1_000_000 };

  it("cuts names at `name`, case names and classnames at twice that, messages at `message`, remediation and descriptions at `prose`", () => {
    const app = { id: "appid-0123", name: "Shop Europe" };
    const c: CaseResult = {
      checkId: "check-id-long", kind: "kind-long", app, name: "abcdefgh", classname: "classname-long", outcome: "failed", severity: "error",
      findings: [
        { app, event: "EventNameLong", day: "2024-01-01", segment: "segment-long", field: "field-long", expected: "expected-long", actual: 42, message: "message long text" },
        { expected: 7, actual: "actual-long", message: "short" },
      ],
      findingsTotal: 9, message: "case message long", remediation: "the remediation is long", file: "file-long.yaml", line: 3, durationMs: 2,
      series: [{ label: "label-long", days: ["2024-01-01"], raw: [1], aggregated: [0] }],
    };
    const run: RunResult = {
      tool: { name: "countly-check", version: "0.1.0" }, source: "dump /very/long/source", layout: "layout-long", startedAt: "2026-01-01T00:00:00Z", durationMs: 1,
      suites: [{ name: "suite-name-long", description: "description long text", file: "file-long.yaml", timestamp: "2026-01-01T00:00:00Z", durationMs: 1, cases: [c] }],
    };
    const cutApp = { id: "appid… [cut 5 characters, #a3160b44]", name: "Shop … [cut 6 characters, #593a88e5]" };
    expect(boundRun(run, limits)).toEqual({
      tool: { name: "countly-check", version: "0.1.0" },
      source: "dump … [cut 17 characters, #85fc4707]",
      layout: "layou… [cut 6 characters, #7f7a8900]",
      startedAt: "2026-01-01T00:00:00Z",
      durationMs: 1,
      suites: [
        {
          name: "suite… [cut 10 characters, #bde823d6]",
          description: "descriptio… [cut 11 characters, #6809d458]",
          file: "file-… [cut 9 characters, #8563122d]",
          timestamp: "2026-01-01T00:00:00Z",
          durationMs: 1,
          cases: [
            {
              checkId: "check… [cut 8 characters, #4a4227c4]",
              kind: "kind-… [cut 4 characters, #296240a4]",
              app: cutApp,
              name: "abcdefgh",
              classname: "classname-… [cut 4 characters, #48afa39d]",
              outcome: "failed",
              severity: "error",
              findings: [
                {
                  app: cutApp, event: "Event… [cut 8 characters, #15b9ab5a]", day: "2024-01-01", segment: "segme… [cut 7 characters, #b4776d9f]",
                  field: "field… [cut 5 characters, #1e4caaf8]", expected: "expec… [cut 8 characters, #92e47f3a]", actual: 42, message: "message … [cut 9 characters, #202a96dd]",
                },
                { app: undefined, event: undefined, segment: undefined, field: undefined, expected: 7, actual: "actua… [cut 6 characters, #ad324c68]", message: "short" },
              ],
              findingsTotal: 9,
              message: "case mes… [cut 9 characters, #f946d478]",
              remediation: "the remedi… [cut 13 characters, #c7614e1f]",
              file: "file-… [cut 9 characters, #8563122d]",
              line: 3,
              durationMs: 2,
              series: [{ label: "label… [cut 5 characters, #d7210cce]", days: ["2024-01-01"], raw: [1], aggregated: [0] }],
            },
          ],
        },
      ],
    });
  });

  it("keeps a finding whose size is exactly the budget left, counting every text field, and none after the first that does not fit", () => {
    // Size of a finding: its message + 40 + each text field (app id and name, event, day, segment, field, expected, actual).
    const f = { app: { id: "i1", name: "n1" }, event: "eeeee", day: "2024-01-01", segment: "s", field: "c", expected: "x", actual: "y", message: "mmmmmmmmmm" };
    const size = 10 + 40 + 2 + 2 + 5 + 10 + 1 + 1 + 1 + 1;
    const mk = (name: string, n: number): CaseResult => ({ ...failing(name, "e", 0), findings: Array.from({ length: n }, () => ({ ...f, app: { ...f.app } })), findingsTotal: n });
    const kept = (budget: number, ...cases: CaseResult[]) => boundRun(runWith(cases), { ...TEXT_LIMITS, findingsBudget: budget }).suites[0]!.cases.map((c) => c.findings.length);
    expect(kept(2 * size, mk("a", 1), mk("b", 2))).toEqual([1, 1]);
    expect(kept(2 * size - 1, mk("a", 1), mk("b", 2))).toEqual([1, 0]);
    expect(kept(size - 1, mk("a", 3))).toEqual([0]);
    expect(kept(3 * size, mk("a", 3))).toEqual([3]);
    // A finding carrying numbers only counts its message.
    const numeric: CaseResult = { ...failing("n", "e", 0), findings: [{ expected: 1, actual: 2, message: "mmmmmmmmmm" }], findingsTotal: 1 };
    expect(kept(50, numeric)).toEqual([1]);
    expect(kept(49, numeric)).toEqual([0]);
  });

  it("cuts before a surrogate pair when the limit falls inside it, and hashes the whole text", () => {
    expect(cutText("ab🛒cd", 3)).toBe("ab… [cut 4 characters, #a4b7ed42]");
    expect(cutText("abc🛒d", 3)).toBe("abc… [cut 3 characters, #70c4fa7c]");
  });
});
