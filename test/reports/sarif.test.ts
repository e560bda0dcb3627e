// The SARIF writer on the sample run: valid SARIF 2.1.0 (Microsoft's schema), one rule per
// check kind with its docs, one result per failed or warned case at its line, errored cases
// as notifications, stable partial fingerprints, hostile names kept as data.
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../checks/index.ts";
import { sarifLog, SARIF_FINDINGS_CAP } from "../../reports/sarif.ts";
import { labelRun } from "../../runner/model.ts";
import { sarifValidator } from "../support/report-schemas.ts";
import { sampleRun } from "./sample-run.ts";

const validate = sarifValidator();
const base = { root: "/work/repo", cwd: "/work/repo", rules: (kind: string) => CHECKS.get(kind)?.meta, packageRoot: "/opt/countly-check" };
// deno-lint-ignore no-explicit-any
type Any = any;
const log = (run = sampleRun(), options = base): Any => sarifLog(run, options);

describe("SARIF report", () => {
  it("is valid SARIF 2.1.0", () => {
    expect(validate(log())).toEqual([]);
    expect(validate(log(labelRun(sampleRun(), "restored")))).toEqual([]);
  });

  it("has one rule per check kind of the run, with the check's documentation", () => {
    const rules = log().runs[0].tool.driver.rules;
    expect(rules.map((r: Any) => r.id)).toEqual(["event-segments-within-total", "events-match-raw", "sources-present-when-raw", "views-present-when-raw"]);
    const meta = CHECKS.get("events-match-raw")!.meta;
    expect(rules[1]).toMatchObject({ shortDescription: { text: meta.summary }, fullDescription: { text: meta.proves } });
    expect(rules[1].help.text).toBe(`Likely cause: ${meta.likelyCause}\n\nWhat to do: ${meta.remediation}`);
  });

  it("gives an unknown kind a bare rule instead of failing", () => {
    const run = sampleRun();
    run.suites[0]!.cases[0]!.kind = "my-own-kind";
    const l = log(run);
    expect(validate(l)).toEqual([]);
    expect(l.runs[0].tool.driver.rules.find((r: Any) => r.id === "my-own-kind")).toEqual({ id: "my-own-kind", defaultConfiguration: { level: "error" } });
  });

  it("has one result per failed (error) or warned (warning) case at its YAML line; errors are notifications", () => {
    const run = log().runs[0];
    expect(run.results.map((r: Any) => [r.ruleId, r.level, r.locations[0].physicalLocation.artifactLocation.uri, r.locations[0].physicalLocation.region.startLine])).toEqual([
      ["events-match-raw", "error", "scenarios/post-restore.yaml", 20],
      ["events-match-raw", "warning", "scenarios/post-restore.yaml", 45],
    ]);
    expect(run.results[0].ruleIndex).toBe(1);
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].exitCode).toBe(3);
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toMatch(/^post-restore: sources \[.*\]: could not be evaluated: could not read the data/);
  });

  it("puts the findings (capped, counted) and what to do in the message, control characters visible", () => {
    const text: string = log().runs[0].results[0].message.text;
    expect(text.split("\n")[0]).toBe('post-restore: events-match-raw [Shop & <Co> "EU" 65f0a1b2c3d4e5f6a7b8c9d0]: 75 findings: no aggregated data');
    expect(text.split("\n").filter((l) => l.startsWith("- "))).toHaveLength(SARIF_FINDINGS_CAP);
    expect(text).toContain(`… and ${75 - SARIF_FINDINGS_CAP} more`);
    expect(text).toContain("What to do: restore countly.events_data");
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).toContain("\\x1b[31mred");
  });

  it("fingerprints a case by what it is, not by what it found or where its line moved; the label separates runs", () => {
    const a = log().runs[0].results[0].partialFingerprints;
    const moved = sampleRun();
    Object.assign(moved.suites[0]!.cases[0]!, { line: 99, findingsTotal: 3, message: "3 findings: other" });
    expect(log(moved).runs[0].results[0].partialFingerprints).toEqual(a);
    expect(log(labelRun(sampleRun(), "backup")).runs[0].results[0].partialFingerprints).not.toEqual(a);
    expect(log(labelRun(sampleRun(), "backup")).runs[0].automationDetails.id).toBe("countly-check-backup/");
  });

  it("locates built-in scenarios under the package base, percent-encodes paths, and omits a location outside the repository", () => {
    const run = sampleRun();
    const [a, , , , w] = run.suites[0]!.cases;
    a!.file = "countly-check:scenarios/post-restore.yaml";
    w!.file = "/elsewhere/x.yaml";
    const l = log(run);
    expect(validate(l)).toEqual([]);
    expect(l.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "scenarios/post-restore.yaml", uriBaseId: "COUNTLY_CHECK" });
    expect(l.runs[0].originalUriBaseIds.COUNTLY_CHECK.uri).toBe("file:///opt/countly-check/");
    expect(l.runs[0].results[1].locations).toBeUndefined();
    const spaced = sampleRun();
    spaced.suites[0]!.cases[0]!.file = "my scenarios/a#b.yaml";
    expect(log(spaced).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("my%20scenarios/a%23b.yaml");
  });

  it("is valid with hostile names and an empty run", () => {
    const run = sampleRun();
    const c = run.suites[0]!.cases[0]!;
    c.name = "\u0000\u202e<script>\"'&\n";
    c.kind = "a b/c";
    expect(validate(log(run))).toEqual([]);
    const empty = sampleRun();
    empty.suites = [];
    const l = log(empty);
    expect(validate(l)).toEqual([]);
    expect(l.runs[0].results).toEqual([]);
  });
});
