// The JSON report: versioned, valid against the shipped schema (reports/result.schema.json),
// warnings as `outcome: "warned"` counted in totals.warned.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RESULT_FORMAT_VERSION, toJson } from "../../reports/json.ts";
import { labelRun } from "../../runner/model.ts";
import { RESULT_SCHEMA_FILE, resultValidator } from "../support/report-schemas.ts";
import { sampleRun } from "./sample-run.ts";

const validate = resultValidator();

describe("JSON report", () => {
  it("is valid against reports/result.schema.json, with formatVersion, totals and exit code", () => {
    const doc = JSON.parse(toJson(sampleRun()));
    expect(validate(doc)).toEqual([]);
    expect(doc.formatVersion).toBe(RESULT_FORMAT_VERSION);
    expect(doc.totals).toEqual({ tests: 5, passed: 1, failed: 1, warned: 1, errors: 1, skipped: 1 });
    expect(doc.exitCode).toBe(3);
  });

  it("reports a warning as outcome warned, not failed", () => {
    const doc = JSON.parse(toJson(sampleRun()));
    const warned = doc.suites[0].cases.find((c: { checkId: string }) => c.checkId === "warned");
    expect(warned).toMatchObject({ outcome: "warned", severity: "warn", findingsTotal: 1 });
  });

  it("keeps the label, and the labelled result is valid too", () => {
    const doc = JSON.parse(toJson(labelRun(sampleRun(), "backup")));
    expect(validate(doc)).toEqual([]);
    expect(doc.label).toBe("backup");
    expect(doc.suites[0].name).toBe("backup/post-restore");
  });

  it("the schema rejects what the format does not allow", () => {
    const good = JSON.parse(toJson(sampleRun()));
    const variants: [string, (d: typeof good) => void][] = [
      ["a warning recorded as failed", (d) => void (d.suites[0].cases[4].outcome = "failed")],
      ["a failure without findings", (d) => void (d.suites[0].cases[0].findingsTotal = 0)],
      ["an unknown outcome", (d) => void (d.suites[0].cases[0].outcome = "flaky")],
      ["a field the schema does not know", (d) => void (d.suites[0].cases[0].extra = 1)],
      ["no formatVersion", (d) => void delete d.formatVersion],
      ["another formatVersion", (d) => void (d.formatVersion = 2)],
      ["a finding without message", (d) => void delete d.suites[0].cases[0].findings[0].message],
    ];
    for (const [what, change] of variants) {
      const doc = structuredClone(good);
      change(doc);
      expect(validate(doc), what).not.toEqual([]);
    }
  });

  it("keeps the per-query timings (live queries, dump collection passes), and the schema checks their shape", () => {
    const run = { ...sampleRun(), timings: [
      { collection: "countly_drill.drill_events", kind: "aggregate" as const, purpose: "rawEvents (day groups)", ms: 12.5, docs: 40 },
      { collection: "countly.events_data", kind: "pass" as const, purpose: "facts", ms: 3, docs: 1200 },
    ] };
    const doc = JSON.parse(toJson(run));
    expect(validate(doc)).toEqual([]);
    expect(doc.timings).toEqual(run.timings);
    const variants: [string, (t: Record<string, unknown>) => void][] = [
      ["an unknown kind", (t) => void (t.kind = "scan")],
      ["negative ms", (t) => void (t.ms = -1)],
      ["fractional docs", (t) => void (t.docs = 1.5)],
      ["no collection", (t) => void delete t.collection],
      ["a field the schema does not know", (t) => void (t.rows = 1)],
    ];
    for (const [what, change] of variants) {
      const bad = structuredClone(doc);
      change(bad.timings[0]);
      expect(validate(bad), what).not.toEqual([]);
    }
  });

  it("is shipped in the package", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(pkg.files).toContain("reports/result.schema.json");
    expect(JSON.parse(readFileSync(RESULT_SCHEMA_FILE, "utf8")).properties.formatVersion.const).toBe(RESULT_FORMAT_VERSION);
  });
});
