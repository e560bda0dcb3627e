// A result model with EVERY field present, optional ones included (`Complete<RunResult>`:
// adding a field to runner/model.ts breaks this file's type check until it is filled in here),
// and a secret in every free text and in every key that is data (app ids). The redaction and
// bounding tests walk it: a field a mapping misses shows up as the secret in their output.
import type { RunResult } from "../../runner/model.ts";

/** Every property required, at any depth (arrays and records included). */
export type Complete<T> = T extends readonly (infer U)[] ? Complete<U>[] : T extends object ? { [K in keyof T]-?: Complete<T[K]> } : T;

/** The password of SECRET_URI: what no output may show. */
export const SECRET = "Zq9SECRETpw";
export const SECRET_URI = `mongodb://checker:${SECRET}@db.example:27017/countly?authSource=admin`;

/** A text of `label` with the secret inside it, bare and inside its URI. */
const t = (label: string): string => `${label} ${SECRET} at ${SECRET_URI} end`;

export function completeRun(): Complete<RunResult> {
  const app = { id: t("app-id"), name: t("app-name") };
  return {
    tool: { name: "countly-check", version: "0.1.0" },
    label: t("label"),
    source: t("source"),
    layout: t("layout"),
    startedAt: "2026-12-01T16:00:00.000Z",
    durationMs: 12,
    suites: [
      {
        name: t("suite"),
        description: t("description"),
        file: t("file"),
        timestamp: "2026-12-01T16:00:00.000Z",
        durationMs: 10,
        periodNote: t("period note"),
        cases: [
          {
            checkId: t("check-id"),
            kind: t("kind"),
            app,
            name: t("case"),
            classname: t("classname"),
            outcome: "failed",
            severity: "error",
            findings: [{ app, event: t("event"), day: t("day"), segment: t("segment"), field: t("field"), expected: t("expected"), actual: t("actual"), message: t("finding message") }],
            findingsTotal: 1,
            message: t("case message"),
            remediation: t("remediation"),
            file: t("case file"),
            line: 3,
            durationMs: 1,
            series: [{ label: t("series"), days: ["2026-11-30"], raw: [1], aggregated: [0], daysLeftOut: 0 }],
            seriesTotal: 1,
          },
        ],
      },
    ],
    profile: {
      summary: { aggregation: t("summary aggregation"), "event-limit": t("summary event-limit") },
      detected: {
        aggregation: { value: "change-streams", basis: t("aggregation basis") },
        segments: { value: "written", basis: t("segments basis") },
        views: { value: "aggregated", basis: t("views basis"), lastDay: { [t("app id key")]: "2026-11-30" }, firstDay: { [t("app id key")]: "2026-01-01" } },
        eventLimit: { server: 500, basis: t("event limit basis"), apps: { [t("app id key")]: 50 } },
      },
    },
    timings: [{ collection: t("collection"), kind: "pass", purpose: t("purpose"), ms: 1, docs: 2, scanner: "wasm" }],
  };
}
