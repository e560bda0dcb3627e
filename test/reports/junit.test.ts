// The JUnit writer on the sample run; the bodies live in test/shared/junit-writer.ts so
// Deno runs the very same tests (test/deno/junit-writer.test.ts).
import { describe, expect, it } from "vitest";
import { findingsBody, JUNIT_FINDINGS_CAP, toJUnit } from "../../reports/junit.ts";
import type { CaseResult, RunResult } from "../../runner/model.ts";
import { junitWriterTests } from "../shared/junit-writer.ts";
import { validateJUnit } from "../support/xsd.ts";
import { sampleRun } from "./sample-run.ts";
import { xpathDoc } from "./xpath.ts";

describe("toJUnit", () => {
  for (const [name, body] of Object.entries(junitWriterTests)) it(name, body);
});

/** Two suites: the first as in the sample, the second with a period note, no description and a check that checked nothing. */
function twoSuiteRun(): RunResult {
  const run = sampleRun();
  const first = run.suites[0]!;
  const app = first.cases[0]!.app!;
  const skipped = (checkId: string, i: number): CaseResult => ({
    checkId, kind: "views-present-when-raw", app: { ...app, id: `${app.id.slice(0, -1)}${i}` }, name: `${checkId} [${i}]`, classname: `nightly.${checkId}`,
    outcome: "skipped", severity: "error", findings: [], findingsTotal: 0, message: `no raw views for app ${i}`, file: "scenarios/nightly.yaml", line: 7, durationMs: 0,
  });
  run.profile = { summary: { aggregation: "events_data per event (Countly 24+)", views: "app_viewdata<appId>" }, detected: {} as never };
  run.suites.push({
    name: "nightly", file: "scenarios/nightly.yaml", timestamp: "2026-11-25T01:02:03.456Z", durationMs: 2500,
    periodNote: "last_days 7 counted back from the dump's newest raw event (2026-11-20)",
    cases: [skipped("views", 1), skipped("views", 2), { ...first.cases[1]!, classname: "nightly.seg", file: "scenarios/nightly.yaml" }],
  });
  return run;
}

describe("toJUnit as a JUnit consumer reads it", () => {
  it("lists each suite's properties: source, layout, description, period, profile and the checks that checked nothing in that suite only", () => {
    const run = twoSuiteRun();
    const xml = toJUnit(run);
    expect(validateJUnit(xml)).toBe("");
    const doc = xpathDoc(xml);
    try {
      const props = (i: number) => doc.strings(`/testsuites/testsuite[${i}]/properties/property/@name`).map((n, j) => [n, doc.string(`/testsuites/testsuite[${i}]/properties/property[${j + 1}]/@value`)]);
      expect(props(1)).toEqual([
        ["source", "dump .demo/incident"],
        ["layout", "events: current, drill: current, views: current"],
        ["description", "after restore"],
        ["profile.aggregation", "events_data per event (Countly 24+)"],
        ["profile.views", "app_viewdata<appId>"],
        ["not-checked.views", "every case skipped: no raw [CLY]_view events in the period"],
      ]);
      expect(props(2)).toEqual([
        ["source", "dump .demo/incident"],
        ["layout", "events: current, drill: current, views: current"],
        ["period", "last_days 7 counted back from the dump's newest raw event (2026-11-20)"],
        ["profile.aggregation", "events_data per event (Countly 24+)"],
        ["profile.views", "app_viewdata<appId>"],
        ["not-checked.views", "every case skipped: no raw views for app 1"],
      ]);
      expect(doc.strings("/testsuites/testsuite/@timestamp")).toEqual(["2026-11-25T00:00:00.000", "2026-11-25T01:02:03.456"]);
      expect(doc.strings("/testsuites/testsuite/@time")).toEqual(["1.000", "2.500"]);
      expect(doc.string("/testsuites/@tests")).toBe("8");
    } finally {
      doc.close();
    }
  });

  it("writes a warning's and a failure's summary line as the first line of the body, and nothing in its place when there is none", () => {
    const run = sampleRun();
    const doc = xpathDoc(toJUnit(run));
    try {
      expect(doc.string("//testcase[@classname='post-restore.warned']/system-out")).toBe("WARNING (severity warn, does not fail the run): 1 finding: minor\n- app Shop & <Co> \"EU\" (65f0a1b2c3d4e5f6a7b8c9d0) — minor\n");
    } finally {
      doc.close();
    }
    for (const c of run.suites[0]!.cases) delete c.message;
    const bare = xpathDoc(toJUnit(run));
    try {
      expect(bare.string("//testcase[@classname='post-restore.warned']/system-out")).toBe("WARNING (severity warn, does not fail the run): \n- app Shop & <Co> \"EU\" (65f0a1b2c3d4e5f6a7b8c9d0) — minor\n");
      const failure = bare.string("//testcase[@classname='post-restore.events-match-raw']/failure");
      expect(failure.startsWith("\n- app Shop & <Co> \"EU\" (65f0a1b2c3d4e5f6a7b8c9d0) · event Buy0 · day 2024-10-27 · c: expected 42, actual 0 — no aggregated data red ]]>  #0\n")).toBe(true);
      expect(bare.strings("//testcase[@classname='post-restore.events-match-raw']/failure/@message")).toEqual([]);
    } finally {
      bare.close();
    }
  });
});

describe("findingsBody", () => {
  const app = { id: "a1", name: "Shop" };
  const base = (n: number, total: number, remediation?: string): CaseResult => ({
    checkId: "c", kind: "events-match-raw", name: "c", classname: "s.c", outcome: "failed", severity: "error",
    findings: Array.from({ length: n }, (_, i) => ({ app, event: `E${i}`, message: `m${i}` })), findingsTotal: total, file: "s.yaml", line: 1, durationMs: 0,
    ...(remediation ? { remediation } : {}),
  });

  it("lists every finding and adds no 'more' line when all were kept", () => {
    expect(findingsBody(base(2, 2))).toBe("- app Shop (a1) · event E0 — m0\n- app Shop (a1) · event E1 — m1\n");
    expect(findingsBody(base(0, 0))).toBe("\n");
  });

  it("counts the findings left out, singular and plural, and says how many the JSON report keeps", () => {
    expect(findingsBody(base(2, 3), 2)).toBe("- app Shop (a1) · event E0 — m0\n- app Shop (a1) · event E1 — m1\n… and 1 more finding (see the JSON report for up to the first 2)\n");
    expect(findingsBody(base(3, 10), 2)).toBe("- app Shop (a1) · event E0 — m0\n- app Shop (a1) · event E1 — m1\n… and 8 more findings (see the JSON report for up to the first 3)\n");
    expect(findingsBody(base(JUNIT_FINDINGS_CAP + 1, JUNIT_FINDINGS_CAP + 1)).split("\n").at(-2)).toBe(`… and 1 more finding (see the JSON report for up to the first ${JUNIT_FINDINGS_CAP + 1})`);
    expect(JUNIT_FINDINGS_CAP).toBe(50);
  });

  it("ends with the remediation after a blank line", () => {
    expect(findingsBody(base(1, 1, "restore countly.events_data"))).toBe("- app Shop (a1) · event E0 — m0\n\nWhat to do: restore countly.events_data\n");
  });
});
