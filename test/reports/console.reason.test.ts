// A skipped or unevaluated case without a message (a check that forgot to say why) still
// gets a reason on the console: in its line, in the details and in NOT CHECKED; never an
// empty one, and a message that is there is shown as it is.
import { describe, expect, it } from "vitest";
import { toConsole } from "../../reports/console.ts";
import type { CaseResult, Outcome, RunResult } from "../../runner/model.ts";

function runOf(...cases: [string, Outcome, string | undefined][]): RunResult {
  const mk = ([id, outcome, message]: [string, Outcome, string | undefined]): CaseResult => ({ checkId: id, kind: "k", name: id, classname: `s.${id}`, outcome, severity: "error", findings: [], findingsTotal: 0, message, file: "s.yaml", line: 3, durationMs: 0 });
  return { tool: { name: "countly-check", version: "0.1.0" }, source: "dump d", startedAt: "2026-01-01T00:00:00Z", durationMs: 1, suites: [{ name: "s", file: "s.yaml", timestamp: "2026-01-01T00:00:00Z", durationMs: 1, cases: cases.map(mk) }] };
}

describe("console reasons", () => {
  it("says why a case without a message was skipped or not evaluated", () => {
    const out = toConsole(runOf(["quiet-skip", "skipped", undefined], ["blank-skip", "skipped", "  "], ["quiet-error", "error", undefined], ["ok", "passed", undefined]), { color: false });
    expect(out).toMatch(/^ {2}- quiet-skip — skipped: no reason given \(the check did not say why/m);
    expect(out).toMatch(/^ {2}- blank-skip — skipped: no reason given/m);
    expect(out).toMatch(/^ {2}! quiet-error — could not be evaluated, and the check gave no message/m);
    expect(out).toMatch(/^! s\.quiet-error .*\n {4}could not be evaluated, and the check gave no message \(a bug in countly-check/m);
    expect(out).toMatch(/^ {2}- s › quiet-skip: no reason given/m);
    expect(out).not.toMatch(/(skipped:|—|›[^:\n]*:) *$/m);
  });

  it("shows a message that is there unchanged", () => {
    const out = toConsole(runOf(["a", "skipped", "no raw data in the period"], ["b", "error", "countly.apps: unreadable"]), { color: false });
    expect(out).toMatch(/- a — skipped: no raw data in the period$/m);
    expect(out).toMatch(/! b — countly\.apps: unreadable$/m);
    expect(out).toMatch(/^ {4}countly\.apps: unreadable$/m);
    expect(out).not.toContain("no reason given");
  });
});
