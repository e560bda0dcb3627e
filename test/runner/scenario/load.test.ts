import { describe, expect, it } from "vitest";
import { CHECKS } from "../../../checks/index.ts";
import { parseScenario } from "../../../runner/scenario/load.ts";
import { formatIssue, ScenarioError, type ScenarioIssue } from "../../../runner/scenario/types.ts";

const opts = { registry: CHECKS, env: { TOL: "3", FROM: "2024-10-01" }, today: "2024-11-10" };

function issuesOf(text: string, env: Record<string, string> = opts.env): ScenarioIssue[] {
  try {
    parseScenario(text, "scenarios/x.yaml", { ...opts, env });
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.issues];
    throw e;
  }
  throw new Error("expected the scenario to be rejected");
}

describe("parseScenario", () => {
  it("reads a valid scenario, fills option defaults and keeps each check's line", () => {
    const s = parseScenario(
      ["name: nightly", "period: { from: 2024-10-01, to: 2024-10-31 }", "checks:", "  - id: ev", "    check: events-match-raw", "    tolerance: 2", "  - id: seg", "    check: event-segments-within-total", "    severity: warn"].join("\n"),
      "scenarios/x.yaml",
      opts,
    );
    expect(s.name).toBe("nightly");
    expect(s.period).toEqual({ from: "2024-10-01", to: "2024-10-31" });
    expect(s.checks.map((c) => [c.id, c.kind, c.severity, c.line])).toEqual([
      ["ev", "events-match-raw", "error", 4],
      ["seg", "event-segments-within-total", "warn", 7],
    ]);
    expect(s.checks[0]!.options).toMatchObject({ tolerance: 2, settle_minutes: 5, fields: ["c", "s", "dur"], exclude_events: [] });
  });

  it("names file, line, column and key path, as in `scenarios/x.yaml:12:5 checks[2].tolerance: expected a number`", () => {
    const issues = issuesOf(["name: x", "checks:", "  - id: a", "    check: events-match-raw", "    tolerance: lots"].join("\n"));
    expect(issues.map(formatIssue)).toEqual(["scenarios/x.yaml:5:16 checks[0].tolerance: expected a number"]);
  });

  it("reports every problem of a file at once, in file order", () => {
    const issues = issuesOf(
      [
        "name: x",
        "colour: red",
        "checks:",
        "  - id: a",
        "    check: events-match-raw",
        "    tolerence: 1",
        "  - id: a",
        "    check: no-such-check",
        "  - id: b",
        "    check: views-present-when-raw",
        "    severity: fatal",
      ].join("\n"),
    );
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [2, "colour"],
      [6, "checks[0].tolerence"],
      [7, "checks[1].id"],
      [8, "checks[1].check"],
      [11, "checks[2].severity"],
    ]);
    expect(issues[0]!.message).toMatch(/unknown key \(known keys: name, description, source, apps, period, checks, selftest\)/);
    expect(issues[1]!.message).toMatch(/unknown key .*tolerance/);
    expect(issues[2]!.message).toBe('duplicate id "a" (first used by checks[0])');
    expect(issues[3]!.message).toMatch(/unknown check kind "no-such-check" \(known kinds: .*events-match-raw.*views-present-when-raw/);
    expect(issues[4]!.message).toBe('expected one of: "error", "warn"');
  });

  it("reports YAML syntax errors with their position", () => {
    const issues = issuesOf("name: x\nchecks: [\n  - id: a\n");
    expect(issues[0]!.file).toBe("scenarios/x.yaml");
    expect(issues[0]!.message).toMatch(/^YAML syntax/);
    expect(issues[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("rejects missing required keys and empty check lists", () => {
    expect(issuesOf("description: nothing\n").map((i) => i.message)).toEqual(['missing required key "name"', 'missing required key "checks"']);
    expect(issuesOf("name: x\nchecks: []\n").map((i) => `${i.path}: ${i.message}`)).toEqual(["checks: must NOT have fewer than 1 items"]);
  });

  it("substitutes ${VAR}, types plain scalars, and names unset variables", () => {
    const s = parseScenario("name: x\nperiod: { from: '${FROM}' }\nchecks:\n  - id: a\n    check: events-match-raw\n    tolerance: ${TOL}\n", "x.yaml", opts);
    expect(s.checks[0]!.options.tolerance).toBe(3);
    expect(s.period.from).toBe("2024-10-01");
    const issues = issuesOf("name: x\nchecks:\n  - id: a\n    check: events-match-raw\n    tolerance: ${NOPE}\n");
    expect(issues.map(formatIssue)[0]).toBe("scenarios/x.yaml:5:16 checks[0].tolerance: environment variable NOPE is not set (use ${NOPE:-default} for a fallback)");
    const withDefault = parseScenario("name: x\nchecks:\n  - id: a\n    check: events-match-raw\n    tolerance: ${NOPE:-7}\n", "x.yaml", opts);
    expect(withDefault.checks[0]!.options.tolerance).toBe(7);
  });

  it("validates periods: real days, order, last_days", () => {
    expect(issuesOf("name: x\nperiod: { from: 2024-02-30 }\nchecks:\n  - { id: a, check: views-present-when-raw }\n")[0]!.message).toMatch(/not a valid day/);
    expect(issuesOf("name: x\nperiod: { from: 2024-03-01, to: 2024-02-01 }\nchecks:\n  - { id: a, check: views-present-when-raw }\n")[0]!.path).toBe("period.to");
    const s = parseScenario("name: x\nperiod: { last_days: 7 }\nchecks:\n  - { id: a, check: views-present-when-raw }\n", "x.yaml", opts);
    expect(s.period).toEqual({ from: "2024-11-04", to: "2024-11-10" });
  });
});
