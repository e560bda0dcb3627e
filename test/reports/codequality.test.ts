// The GitLab Code Quality writer on the sample run: one issue per failed, errored or warned
// case with GitLab's fields and severities, at its line; stable fingerprints; hostile names.
import { describe, expect, it } from "vitest";
import { codeQualityIssues, toCodeQuality } from "../../reports/codequality.ts";
import { labelRun } from "../../runner/model.ts";
import { sampleRun } from "./sample-run.ts";

const base = { root: "/work/repo", cwd: "/work/repo" };

describe("GitLab Code Quality report", () => {
  it("lists failed (major), errored (critical) and warned (minor) cases at their lines, nothing else", () => {
    const issues = codeQualityIssues(sampleRun(), base);
    expect(issues.map((i) => [i.check_name, i.severity, i.location.path, i.location.lines.begin])).toEqual([
      ["events-match-raw", "major", "scenarios/post-restore.yaml", 20],
      ["sources-present-when-raw", "critical", "scenarios/post-restore.yaml", 40],
      ["events-match-raw", "minor", "scenarios/post-restore.yaml", 45],
    ]);
    for (const i of issues) expect(Object.keys(i).sort()).toEqual(["check_name", "description", "fingerprint", "location", "severity"]);
  });

  it("describes each issue on one line: the case, its summary and its first finding", () => {
    const [failed, errored, warned] = codeQualityIssues(sampleRun(), base);
    expect(failed!.description).toMatch(/^post-restore: events-match-raw \[Shop & <Co> "EU" 65f0a1b2c3d4e5f6a7b8c9d0\]: 75 findings: no aggregated data First: app Shop/);
    expect(errored!.description).toMatch(/\(could not run\): could not read the data/);
    expect(warned!.description).toMatch(/\(warning\): 1 finding: minor/);
    for (const i of [failed, errored, warned]) expect(i!.description).not.toMatch(/[\u0000-\u001f]/);
  });

  it("keeps fingerprints across runs and line moves, distinct per case and per label", () => {
    const a = codeQualityIssues(sampleRun(), base).map((i) => i.fingerprint);
    const moved = sampleRun();
    moved.suites[0]!.cases[0]!.line = 77;
    moved.suites[0]!.cases[0]!.message = "2 findings: else";
    expect(codeQualityIssues(moved, base).map((i) => i.fingerprint)).toEqual(a);
    expect(new Set(a).size).toBe(a.length);
    const labelled = codeQualityIssues(labelRun(sampleRun(), "backup"), base).map((i) => i.fingerprint);
    expect(labelled.some((f) => a.includes(f))).toBe(false);
  });

  it("names files outside the repository as given and built-in ones as package files; a case without a line is at line 1", () => {
    const run = sampleRun();
    const [a, , , e, w] = run.suites[0]!.cases;
    a!.file = "countly-check:scenarios/post-restore.yaml";
    e!.line = 0;
    e!.file = "/backups/old";
    w!.file = "/elsewhere/x.yaml";
    const issues = codeQualityIssues(run, base);
    expect(issues.map((i) => [i.location.path, i.location.lines.begin])).toEqual([
      ["countly-check:scenarios/post-restore.yaml", 20],
      ["/backups/old", 1],
      ["/elsewhere/x.yaml", 45],
    ]);
  });

  it("is a JSON array, empty when nothing failed or warned", () => {
    const run = sampleRun();
    run.suites[0]!.cases = run.suites[0]!.cases.filter((c) => c.outcome === "passed" || c.outcome === "skipped");
    expect(toCodeQuality(run, base)).toBe("[]\n");
    expect(JSON.parse(toCodeQuality(sampleRun(), base))).toHaveLength(3);
  });
  it("writes the exact description GitLab shows: multi-line text folded to one line, no first finding for a case that could not run", () => {
    const run = sampleRun();
    const [failed, , , errored, warned] = run.suites[0]!.cases;
    failed!.message = "2 findings:  \n\n  events missing\nagain\r\nthird";
    failed!.findings = [{ event: "Buy", message: "line one\n   line two" }];
    errored!.findings = [{ message: "never shown" }];
    delete warned!.message;
    warned!.findings = [];
    const [f, e, w] = codeQualityIssues(run, base).map((i) => i.description);
    expect(f).toBe(`post-restore: ${failed!.name}: 2 findings: events missing again third First: event Buy — line one line two`);
    expect(e).toBe(`post-restore: ${errored!.name} (could not run): could not read the data: dump/countly_drill/drill_events.bson: truncated document (byte offset 1234)`);
    expect(w).toBe(`post-restore: ${warned!.name} (warning): `);
  });

  it("names a case without a file as countly-check itself", () => {
    const run = sampleRun();
    const c = run.suites[0]!.cases[0]!;
    c.file = "";
    c.line = 0;
    expect(codeQualityIssues(run, base)[0]!.location).toEqual({ path: "countly-check", lines: { begin: 1 } });
  });
});
