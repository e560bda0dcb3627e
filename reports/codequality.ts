// GitLab Code Quality (artifacts:reports:codequality): one issue per failed, errored or
// warned case, at its check's line in the scenario YAML, so merge requests show them.
// https://docs.gitlab.com/ci/testing/code_quality/ (description, check_name, fingerprint,
// severity info|minor|major|critical|blocker, location.path, location.lines.begin).
import type { CaseResult, RunResult } from "../runner/model.ts";
import { caseFingerprint } from "./fingerprint.ts";
import { formatFinding } from "./format.ts";
import { locate, type LocationBase } from "./location.ts";
import { visibleControls } from "./terminal.ts";

export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: "info" | "minor" | "major" | "critical" | "blocker";
  location: { path: string; lines: { begin: number } };
}

const SEVERITY = { failed: "major", error: "critical", warned: "minor" } as const;

export function codeQualityIssues(run: RunResult, base: LocationBase): CodeQualityIssue[] {
  const issues: CodeQualityIssue[] = [];
  for (const s of run.suites) {
    for (const c of s.cases) {
      if (c.outcome !== "failed" && c.outcome !== "warned" && c.outcome !== "error") continue;
      const loc = locate(c, base);
      issues.push({
        description: describe(s.name, c),
        check_name: c.kind,
        fingerprint: caseFingerprint(c),
        severity: SEVERITY[c.outcome],
        // GitLab links a path of the repository; a built-in scenario is named as the package's file.
        location: { path: loc.path ?? (loc.packagePath ? `countly-check:${loc.packagePath}` : c.file || "countly-check"), lines: { begin: loc.line ?? 1 } },
      });
    }
  }
  return issues;
}

export function toCodeQuality(run: RunResult, base: LocationBase): string {
  return `${JSON.stringify(codeQualityIssues(run, base), null, 2)}\n`;
}

/** One line GitLab shows in the merge request: the case, its summary and its first finding. */
function describe(suite: string, c: CaseResult): string {
  const head = `${suite}: ${c.name}${c.outcome === "warned" ? " (warning)" : c.outcome === "error" ? " (could not run)" : ""}: ${c.message ?? ""}`;
  const first = c.outcome !== "error" && c.findings[0] ? ` First: ${formatFinding(c.findings[0])}` : "";
  return visibleControls(`${head}${first}`.replace(/\s*[\r\n]+\s*/g, " "));
}
