// The console summary on the sample run: the whole text (without colour) pinned line by
// line, then the verdicts and the colour codes.
import { describe, expect, it } from "vitest";
import { toConsole } from "../../reports/console.ts";
import { SOURCE_WARNING_KIND, type CaseResult, type RunResult } from "../../runner/model.ts";
import { sampleRun } from "./sample-run.ts";

const APP = 'Shop & <Co> "EU"';
const ID = "65f0a1b2c3d4e5f6a7b8c9d0";
const finding = (i: number) => `    - app ${APP} (${ID}) · event Buy${i} · day 2024-10-27 · c: expected 42, actual 0 — no aggregated data \\x1b[31mred\\x1b[0m ]]> \\x07 #${i}`;

function runWith(outcomes: CaseResult["outcome"][]): RunResult {
  const run = sampleRun();
  const template = run.suites[0]!.cases[1]!;
  run.suites[0]!.cases = outcomes.map((outcome, i) => ({ ...template, name: `c${i}`, outcome, findings: [], findingsTotal: outcome === "failed" ? 1 : 0, message: outcome === "passed" ? undefined : `why ${i}` }));
  return run;
}

describe("toConsole", () => {
  it("writes totals, every case, and the top findings of every failing or erroring case", () => {
    expect(toConsole(sampleRun(), { color: false, top: 2 }).split("\n")).toEqual([
      "countly-check 0.1.0 · dump .demo/incident · layout events: current, drill: current, views: current",
      "INCOMPLETE: 5 checks: 1 failed, 1 warned, 1 could not run, 1 skipped, 1 passed (1.2 s)",
      // A check whose every case skipped checked nothing: said under the verdict.
      "NOT CHECKED: 1 check skipped on every case and checked nothing:",
      "  - post-restore › views: no raw [CLY]_view events in the period",
      "",
      "post-restore (scenarios/post-restore.yaml)",
      `  ✗ events-match-raw [${APP} ${ID}] — 75 findings`,
      `  ✓ seg [${APP} ${ID}]`,
      `  - views [${APP} ${ID}] — skipped: no raw [CLY]_view events in the period`,
      `  ! sources [${APP} ${ID}] — could not read the data: dump/countly_drill/drill_events.bson: truncated document (byte offset 1234)`,
      `  ⚠ warned [${APP} ${ID}] — 1 finding`,
      "",
      "Details",
      "",
      `✗ post-restore.events-match-raw [${APP}] scenarios/post-restore.yaml:20`,
      finding(0),
      finding(1),
      "    … and 73 more",
      "    What to do: restore countly.events_data",
      "",
      `! post-restore.sources [${APP}] scenarios/post-restore.yaml:40`,
      "    could not read the data: dump/countly_drill/drill_events.bson: truncated document (byte offset 1234)",
      "",
      `⚠ post-restore.warned [${APP}] scenarios/post-restore.yaml:45`,
      `    - app ${APP} (${ID}) — minor`,
      "",
    ]);
  });

  it("shows five findings by default, and no 'more' line when all are shown", () => {
    const text = toConsole(sampleRun(), { color: false });
    expect(text).toContain(finding(4));
    expect(text).not.toContain(finding(5));
    expect(text).toContain("    … and 70 more");
    expect(text).not.toMatch(/warned.*\n.*\n.*… and/);
  });

  it("gives the verdict: INCOMPLETE over FAILED over CHECKED NOTHING over PASSED", () => {
    const verdict = (o: CaseResult["outcome"][]) => toConsole(runWith(o), { color: false }).split("\n")[1];
    expect(verdict(["error", "failed", "passed"])).toBe("INCOMPLETE: 3 checks: 1 failed, 0 warned, 1 could not run, 0 skipped, 1 passed (1.2 s)");
    expect(verdict(["failed", "skipped", "passed"])).toBe("FAILED: 3 checks: 1 failed, 0 warned, 0 could not run, 1 skipped, 1 passed (1.2 s)");
    expect(verdict(["skipped", "skipped"])).toBe("CHECKED NOTHING: 2 checks: 0 failed, 0 warned, 0 could not run, 2 skipped, 0 passed (1.2 s)");
    expect(verdict(["passed", "skipped"])).toBe("PASSED: 2 checks: 0 failed, 0 warned, 0 could not run, 1 skipped, 1 passed (1.2 s)");
    expect(toConsole(runWith(["skipped"]), { color: false })).toContain("No check had data to check: every case was skipped (see the reasons below). This run proves nothing about the data.");
    expect(toConsole(runWith(["skipped", "error"]), { color: false })).not.toContain("No check had data");
    expect(toConsole(runWith(["passed"]), { color: false })).not.toContain("Details");
  });

  it("a source warning (an unindexed scan) beside checks that all skipped is still CHECKED NOTHING", () => {
    const run = runWith(["skipped", "skipped"]);
    run.suites.push({ ...run.suites[0]!, name: "source", cases: [{ ...run.suites[0]!.cases[0]!, kind: SOURCE_WARNING_KIND, checkId: "unindexed-scan-countly_drill.drill_events", outcome: "warned", message: "scan without an index" }] });
    expect(toConsole(run, { color: false }).split("\n")[1]).toBe("CHECKED NOTHING: 3 checks: 0 failed, 1 warned, 0 could not run, 2 skipped, 0 passed (1.2 s)");
    // A warning from a check (severity warn) did check something.
    const warnedCheck = runWith(["skipped", "warned"]);
    expect(toConsole(warnedCheck, { color: false }).split("\n")[1]).toMatch(/^PASSED: 2 checks/);
  });

  it("lists an erroring case under Details with its whole message, lines indented", () => {
    const run = runWith(["error"]);
    run.suites[0]!.cases[0]!.message = "could not run:\nsecond line";
    const lines = toConsole(run, { color: false }).split("\n");
    expect(lines).toContain("  ! c0 — could not run:");
    expect(lines.slice(lines.indexOf("Details"))).toEqual(["Details", "", `! post-restore.seg [${APP}] scenarios/post-restore.yaml:30`, "    could not run:", "    second line", ""]);
  });

  it("paints marks, counts and verdicts only when asked to", () => {
    const text = toConsole(sampleRun(), { color: true, top: 1 });
    expect(text.split("\n")[1]).toBe(
      "\u001b[31mINCOMPLETE\u001b[0m: 5 checks: \u001b[31m1 failed\u001b[0m, \u001b[33m1 warned\u001b[0m, \u001b[31m1 could not run\u001b[0m, \u001b[90m1 skipped\u001b[0m, \u001b[32m1 passed\u001b[0m (1.2 s)",
    );
    expect(text).toContain("\u001b[1mcountly-check 0.1.0\u001b[0m");
    expect(text).toContain("  \u001b[32m✓\u001b[0m seg");
    expect(text).toContain("  \u001b[90m-\u001b[0m views");
    expect(text).toContain("  \u001b[31m!\u001b[0m sources");
    expect(text).toContain("  \u001b[33m⚠\u001b[0m warned");
    expect(text).toContain("\u001b[90m    … and 74 more\u001b[0m");
    expect(text).toContain("\u001b[1mWhat to do:\u001b[0m restore countly.events_data");
    const quiet = toConsole(runWith(["passed"]), { color: true }).split("\n")[1];
    expect(quiet).toBe("\u001b[32mPASSED\u001b[0m: 1 checks: \u001b[90m0 failed\u001b[0m, \u001b[90m0 warned\u001b[0m, \u001b[90m0 could not run\u001b[0m, \u001b[90m0 skipped\u001b[0m, \u001b[32m1 passed\u001b[0m (1.2 s)");
    expect(toConsole(runWith(["skipped"]), { color: true }).split("\n")[1]).toMatch(/^\u001b\[33mCHECKED NOTHING\u001b\[0m/);
    expect(toConsole(runWith(["failed"]), { color: true }).split("\n")[1]).toMatch(/^\u001b\[31mFAILED\u001b\[0m/);
  });
  it("paints headings, locations and marks, and says nothing about skipped runs that had data", () => {
    const text = toConsole(sampleRun(), { color: true });
    expect(text).toContain("\u001b[1mpost-restore\u001b[0m \u001b[90m(scenarios/post-restore.yaml)\u001b[0m");
    expect(text).toContain("\u001b[1mDetails\u001b[0m");
    expect(text).toContain("\u001b[31m✗\u001b[0m post-restore.events-match-raw");
    expect(text).toContain("\u001b[90mscenarios/post-restore.yaml:20\u001b[0m");
    expect(toConsole(runWith(["failed"]), { color: true })).toContain("\u001b[90m0 passed\u001b[0m");
    expect(toConsole(runWith(["skipped"]), { color: true })).toContain("\u001b[33mNo check had data to check");
    expect(toConsole(runWith(["passed"]), { color: false })).not.toContain("No check had data");
    expect(toConsole(runWith(["failed", "skipped"]), { color: false })).not.toContain("No check had data");
  });

  it("names the file without a line when the case has none", () => {
    const run = runWith(["failed"]);
    run.suites[0]!.cases[0]!.line = 0;
    expect(toConsole(run, { color: false }).split("\n")).toContain(`✗ post-restore.seg [${APP}] scenarios/post-restore.yaml`);
  });
  it("shows the detected profile, the label, the period, every check that checked nothing, and cases without an app or message", () => {
    const run = runWith(["skipped", "skipped", "error", "failed"]);
    const cases = run.suites[0]!.cases;
    cases[0]!.checkId = "views";
    cases[1]!.checkId = "sources";
    cases[3]!.findings = [{ message: "gone" }];
    delete cases[1]!.message;
    delete cases[2]!.message;
    delete cases[3]!.app;
    delete run.layout;
    run.label = "restored";
    run.suites[0]!.periodNote = "last_days 7 counted back from 2026-11-20";
    run.profile = { summary: { aggregation: "events_data per event", views: "app_viewdata" }, detected: {} as never };
    expect(toConsole(run, { color: false }).split("\n")).toEqual([
      "countly-check 0.1.0 · dump .demo/incident",
      "Countly build profile (detected from the data; checks judge by it):",
      "  aggregation: events_data per event",
      "  views: app_viewdata",
      "INCOMPLETE (restored): 4 checks: 1 failed, 0 warned, 1 could not run, 2 skipped, 0 passed (1.2 s)",
      "NOT CHECKED: 2 checks skipped on every case and checked nothing:",
      "  - post-restore › views: why 0",
      "  - post-restore › sources: no reason given (the check did not say why; the JSON report has the case)",
      "",
      "post-restore (scenarios/post-restore.yaml)",
      "  period: last_days 7 counted back from 2026-11-20",
      "  - c0 — skipped: why 0",
      "  - c1 — skipped: no reason given (the check did not say why; the JSON report has the case)",
      "  ! c2 — could not be evaluated, and the check gave no message (a bug in countly-check: please report it)",
      "  ✗ c3 — 1 finding",
      "",
      "Details",
      "",
      `! post-restore.seg [${APP}] scenarios/post-restore.yaml:30`,
      "    could not be evaluated, and the check gave no message (a bug in countly-check: please report it)",
      "",
      "✗ post-restore.seg scenarios/post-restore.yaml:30",
      "    - gone",
      "",
    ]);
    const painted = toConsole(run, { color: true }).split("\n");
    expect(painted.slice(1, 4)).toEqual([
      "\u001b[90mCountly build profile (detected from the data; checks judge by it):\u001b[0m",
      "\u001b[90m  aggregation: events_data per event\u001b[0m",
      "\u001b[90m  views: app_viewdata\u001b[0m",
    ]);
    expect(painted[4]).toMatch(/^\u001b\[31mINCOMPLETE \(restored\)\u001b\[0m: /);
    expect(painted.slice(5, 8)).toEqual([
      "\u001b[33m\u001b[1mNOT CHECKED: 2 checks skipped on every case and checked nothing:\u001b[0m\u001b[0m",
      "\u001b[33m  - post-restore › views: why 0\u001b[0m",
      "\u001b[33m  - post-restore › sources: no reason given (the check did not say why; the JSON report has the case)\u001b[0m",
    ]);
    expect(painted).toContain("\u001b[90m  period: last_days 7 counted back from 2026-11-20\u001b[0m");
  });

  it("says nothing about unchecked checks or a profile when there are none, and counts one unchecked check in the singular", () => {
    const text = toConsole(runWith(["passed", "failed"]), { color: false });
    expect(text).not.toContain("NOT CHECKED");
    expect(text).not.toContain("Countly build profile");
    expect(text).not.toContain("period:");
    expect(toConsole(runWith(["skipped"]), { color: false })).toContain("NOT CHECKED: 1 check skipped on every case and checked nothing:");
  });
});
