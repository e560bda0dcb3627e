// The SARIF log value by value on a small run (test/reports/sarif.test.ts validates it
// against Microsoft's schema; this file needs no schema, so mutation runs stay fast).
import { describe, expect, it } from "vitest";
import { sarifLog, SARIF_FINDINGS_CAP, toSarif } from "../../reports/sarif.ts";
import { labelRun } from "../../runner/model.ts";
import { compactRun } from "./sample-run.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

describe("SARIF report, pinned", () => {
  const docs = (k: string) => (k === "events-match-raw" ? { summary: "S", proves: "P", likelyCause: "L", remediation: "R" } : undefined);

  it("is exactly the expected log for a run with every outcome", () => {
    // Fingerprints: sha256 of "countly-check/v1\0<kind>\0<classname>\0<name>", computed with Python's hashlib.
    const shop = { id: "a1", name: "Shop" };
    expect(sarifLog(compactRun(), { root: "/work/repo", cwd: "/work/repo", rules: docs })).toEqual({
      $schema: "https://json.schemastore.org/sarif-2.1.0.json",
      version: "2.1.0",
      runs: [
        {
          tool: {
            driver: {
              name: "countly-check", version: "0.1.0", semanticVersion: "0.1.0",
              rules: [
                { id: "event-segments-within-total", defaultConfiguration: { level: "error" } },
                {
                  id: "events-match-raw", shortDescription: { text: "S" }, fullDescription: { text: "P" }, help: { text: "Likely cause: L\n\nWhat to do: R" },
                  defaultConfiguration: { level: "error" }, properties: { tags: ["countly", "data-consistency"] },
                },
                { id: "sources-present-when-raw", defaultConfiguration: { level: "error" } },
                { id: "views-present-when-raw", defaultConfiguration: { level: "error" } },
              ],
            },
          },
          automationDetails: { id: "countly-check/" },
          originalUriBaseIds: { "%SRCROOT%": { uri: "file:///work/repo/", description: { text: "The repository (workspace) root." } } },
          invocations: [
            { executionSuccessful: false, exitCode: 3, startTimeUtc: "2026-11-25T00:00:00.000Z", toolExecutionNotifications: [{ level: "error", message: { text: "nightly: src: could not be evaluated: " } }] },
          ],
          results: [
            {
              ruleId: "events-match-raw", ruleIndex: 1, level: "error",
              message: {
                text: [
                  "nightly: events [Shop a1]: 9 findings: missing",
                  ...Array.from({ length: 7 }, (_, i) => `- app Shop (a1) · event E${i} — m${i}`),
                  "… and 2 more (see the JSON report)",
                  "",
                  "What to do: restore events_data",
                ].join("\n"),
              },
              locations: [{ physicalLocation: { artifactLocation: { uri: "scenarios/n.yaml", uriBaseId: "%SRCROOT%" }, region: { startLine: 12 } } }],
              partialFingerprints: { "countlyCheckCase/v1": "2a1a1100a470af783dd74b489b1621205c69cc6992f129afbb8cb01ce8358ae6" },
              properties: { suite: "nightly", case: "events [Shop a1]", checkId: "events", app: shop, findingsTotal: 9 },
            },
            {
              ruleId: "events-match-raw", ruleIndex: 1, level: "warning",
              message: { text: "nightly: w [Shop a1]: 2 findings\n- app Shop (a1) — minor\n… and 1 more (see the JSON report)" },
              partialFingerprints: { "countlyCheckCase/v1": "339631c580eddc3c2ff5a584cc1f1d4f18a296fe290afa450aef3eec80a009e1" },
              properties: { suite: "nightly", case: "w [Shop a1]", checkId: "w", app: shop, findingsTotal: 2 },
            },
          ],
        },
      ],
    });
  });

  it("caps a result's findings at 20 and counts the rest; a run without errors was executed successfully", () => {
    const run = compactRun();
    const c = run.suites[0]!.cases[0]!;
    c.findings = Array.from({ length: 25 }, (_, i) => ({ event: `E${i}`, message: `m${i}` }));
    c.findingsTotal = 30;
    delete c.app;
    run.suites[0]!.cases = [c];
    const l: Any = sarifLog(run, { root: "/", cwd: "/", packageRoot: "/opt/cc/" });
    const text: string = l.runs[0].results[0].message.text;
    expect(text.split("\n").filter((x) => x.startsWith("- "))).toEqual(Array.from({ length: SARIF_FINDINGS_CAP }, (_, i) => `- event E${i} — m${i}`));
    expect(text).toContain("\n… and 10 more (see the JSON report)\n");
    expect(l.runs[0].results[0].properties).toEqual({ suite: "nightly", case: "events [Shop a1]", checkId: "events", findingsTotal: 30 });
    expect(l.runs[0].invocations[0]).toEqual({ executionSuccessful: true, exitCode: 1, startTimeUtc: "2026-11-25T00:00:00.000Z", toolExecutionNotifications: [] });
    expect(l.runs[0].originalUriBaseIds).toEqual({
      "%SRCROOT%": { uri: "file:///", description: { text: "The repository (workspace) root." } },
      COUNTLY_CHECK: { uri: "file:///opt/cc/", description: { text: "The countly-check package (built-in scenarios)." } },
    });
    expect(l.runs[0].results[0].locations).toEqual([{ physicalLocation: { artifactLocation: { uri: "scenarios/n.yaml", uriBaseId: "%SRCROOT%" }, region: { startLine: 12 } } }]);
  });

  it("says how many findings a result has when its case has no message, and all of them when none was left out", () => {
    const run = compactRun();
    const c = run.suites[0]!.cases[0]!;
    delete c.message;
    delete c.remediation;
    c.findings = c.findings.slice(0, 2);
    c.findingsTotal = 2;
    run.suites[0]!.cases = [c];
    expect((sarifLog(run, { root: "/work/repo", cwd: "/work/repo" }) as Any).runs[0].results[0].message.text).toBe("nightly: events [Shop a1]: 2 findings\n- app Shop (a1) · event E0 — m0\n- app Shop (a1) · event E1 — m1");
  });

  it("locates a built-in scenario under the package's base id, names a labelled run, and writes the log as JSON text", () => {
    const run = compactRun();
    run.suites[0]!.cases[0]!.file = "countly-check:scenarios/post-restore.yaml";
    const l: Any = sarifLog(labelRun(run, "restored"), { root: "/work/repo", cwd: "/work/repo", packageRoot: "/opt/cc" });
    expect(l.runs[0].results[0].locations).toEqual([{ physicalLocation: { artifactLocation: { uri: "scenarios/post-restore.yaml", uriBaseId: "COUNTLY_CHECK" }, region: { startLine: 12 } } }]);
    expect(l.runs[0].automationDetails).toEqual({ id: "countly-check-restored/" });
    const options = { root: "/work/repo", cwd: "/work/repo" };
    const text = toSarif(compactRun(), options);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.startsWith('{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",\n  "version": "2.1.0",')).toBe(true);
    expect(JSON.parse(text)).toEqual(sarifLog(compactRun(), options));
  });
});
