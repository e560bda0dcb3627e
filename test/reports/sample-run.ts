// A result model with every outcome, shared by the reporter tests.
import type { RunResult } from "../../runner/model.ts";

export function sampleRun(): RunResult {
  const app = { id: "65f0a1b2c3d4e5f6a7b8c9d0", name: "Shop & <Co> \"EU\"" };
  return {
    tool: { name: "countly-check", version: "0.1.0" },
    source: "dump .demo/incident",
    layout: "events: current, drill: current, views: current",
    startedAt: "2026-11-25T00:00:00.000Z",
    durationMs: 1234,
    suites: [
      {
        name: "post-restore",
        description: "after restore",
        file: "scenarios/post-restore.yaml",
        timestamp: "2026-11-25T00:00:00.000Z",
        durationMs: 1000,
        cases: [
          {
            checkId: "events-match-raw",
            kind: "events-match-raw",
            app,
            name: `events-match-raw [${app.name} ${app.id}]`,
            classname: "post-restore.events-match-raw",
            outcome: "failed",
            severity: "error",
            findings: Array.from({ length: 60 }, (_, i) => ({ app, event: `Buy${i}`, day: "2024-10-27", field: "c", expected: 42, actual: 0, message: `no aggregated data \u001b[31mred\u001b[0m ]]> \u0007 #${i}` })),
            findingsTotal: 75,
            message: "75 findings: no aggregated data",
            remediation: "restore countly.events_data",
            file: "scenarios/post-restore.yaml",
            line: 20,
            durationMs: 12,
          },
          { checkId: "seg", kind: "event-segments-within-total", app, name: `seg [${app.name} ${app.id}]`, classname: "post-restore.seg", outcome: "passed", severity: "error", findings: [], findingsTotal: 0, file: "scenarios/post-restore.yaml", line: 30, durationMs: 1 },
          { checkId: "views", kind: "views-present-when-raw", app, name: `views [${app.name} ${app.id}]`, classname: "post-restore.views", outcome: "skipped", severity: "error", findings: [], findingsTotal: 0, message: "no raw [CLY]_view events in the period", file: "scenarios/post-restore.yaml", line: 35, durationMs: 0 },
          { checkId: "sources", kind: "sources-present-when-raw", app, name: `sources [${app.name} ${app.id}]`, classname: "post-restore.sources", outcome: "error", severity: "error", findings: [], findingsTotal: 0, message: "could not read the data: dump/countly_drill/drill_events.bson: truncated document (byte offset 1234)", file: "scenarios/post-restore.yaml", line: 40, durationMs: 0 },
          { checkId: "warned", kind: "events-match-raw", app, name: `warned [${app.name} ${app.id}]`, classname: "post-restore.warned", outcome: "warned", severity: "warn", findings: [{ app, message: "minor" }], findingsTotal: 1, message: "1 finding: minor", file: "scenarios/post-restore.yaml", line: 45, durationMs: 0 },
        ],
      },
    ],
  };
}

/** A small run with every outcome, for reports pinned value by value (few findings, short names). */
export function compactRun(): RunResult {
  const run = sampleRun();
  const app = { id: "a1", name: "Shop" };
  const common = { severity: "error" as const, file: "scenarios/n.yaml", durationMs: 0 };
  run.suites = [
    {
      name: "nightly", file: "scenarios/n.yaml", timestamp: "2026-11-25T00:00:00.000Z", durationMs: 1,
      cases: [
        { ...common, checkId: "events", kind: "events-match-raw", app, name: "events [Shop a1]", classname: "nightly.events", outcome: "failed", findings: Array.from({ length: 7 }, (_, i) => ({ app, event: `E${i}`, message: `m${i}` })), findingsTotal: 9, message: "9 findings: missing", remediation: "restore events_data", line: 12 },
        { ...common, checkId: "src", kind: "sources-present-when-raw", name: "src", classname: "nightly.src", outcome: "error", findings: [{ message: "hidden" }], findingsTotal: 0, remediation: "never shown", line: 20 },
        { ...common, checkId: "w", kind: "events-match-raw", app, name: "w [Shop a1]", classname: "nightly.w", outcome: "warned", severity: "warn", findings: [{ app, message: "minor" }], findingsTotal: 2, line: 0 },
        { ...common, checkId: "views", kind: "views-present-when-raw", name: "views", classname: "nightly.views", outcome: "skipped", findings: [], findingsTotal: 0, message: "no views\nsecond line", line: 30 },
        { ...common, checkId: "seg", kind: "event-segments-within-total", name: "seg", classname: "nightly.seg", outcome: "passed", findings: [], findingsTotal: 0, line: 40 },
      ],
    },
  ];
  return run;
}
