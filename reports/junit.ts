// JUnit XML (the Ant/Jenkins schema, plus `file`/`line` on test cases): one
// <testsuite> per scenario, one <testcase> per check and app.
import type { CaseResult, RunResult } from "../runner/model.ts";
import { isWarning, notChecked, totalsOf } from "../runner/model.ts";
import { formatFinding } from "./format.ts";
import { attrs, escapeXml } from "./xml.ts";

/** Findings written into a test case body; the rest are counted. */
export const JUNIT_FINDINGS_CAP = 50;

export function toJUnit(run: RunResult): string {
  const all = run.suites.flatMap((s) => s.cases);
  const t = totalsOf(all);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites${attrs({ name: "countly-check", tests: t.tests, failures: t.failed, errors: t.errors, time: seconds(run.durationMs) })}>`);
  const unchecked = notChecked(run);
  for (const s of run.suites) {
    const st = totalsOf(s.cases);
    out.push(
      `  <testsuite${attrs({ name: s.name, tests: st.tests, failures: st.failed, errors: st.errors, skipped: st.skipped, time: seconds(s.durationMs), timestamp: s.timestamp.replace(/Z$/, ""), file: s.file })}>`,
    );
    out.push("    <properties>");
    out.push(`      <property${attrs({ name: "source", value: run.source })}/>`);
    if (run.layout) out.push(`      <property${attrs({ name: "layout", value: run.layout })}/>`);
    if (s.description) out.push(`      <property${attrs({ name: "description", value: s.description })}/>`);
    if (s.periodNote) out.push(`      <property${attrs({ name: "period", value: s.periodNote })}/>`);
    for (const [k, v] of Object.entries(run.profile?.summary ?? {})) out.push(`      <property${attrs({ name: `profile.${k}`, value: v })}/>`);
    for (const u of unchecked.filter((x) => x.suite === s.name)) out.push(`      <property${attrs({ name: `not-checked.${u.checkId}`, value: `every case skipped: ${u.reason}` })}/>`);
    out.push("    </properties>");
    for (const c of s.cases) out.push(testcase(c));
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}

function testcase(c: CaseResult): string {
  const open = `    <testcase${attrs({ name: c.name, classname: c.classname, time: seconds(c.durationMs), file: c.file, line: c.line })}`;
  if (c.outcome === "passed") return `${open}/>`;
  // The reason as element text too: GitLab reads the text, not the message attribute.
  if (c.outcome === "skipped") return `${open}>\n      <skipped${attrs({ message: c.message })}>${escapeXml(c.message ?? "")}</skipped>\n    </testcase>`;
  if (c.outcome === "error") return `${open}>\n      <error${attrs({ type: "CouldNotEvaluate", message: c.message })}>${escapeXml(c.message ?? "")}</error>\n    </testcase>`;
  const body = escapeXml(findingsBody(c));
  if (isWarning(c)) return `${open}>\n      <system-out>${escapeXml(`WARNING (severity warn, does not fail the run): ${c.message ?? ""}\n`)}${body}</system-out>\n    </testcase>`;
  // The body starts with the summary line: GitLab shows the body and drops the message attribute.
  return `${open}>\n      <failure${attrs({ type: c.kind, message: c.message })}>${escapeXml(`${c.message ?? ""}\n`)}${body}</failure>\n    </testcase>`;
}

/** Findings, capped, then the likely cause and what to do. */
export function findingsBody(c: CaseResult, cap = JUNIT_FINDINGS_CAP): string {
  const lines = c.findings.slice(0, cap).map((f) => `- ${formatFinding(f)}`);
  const left = c.findingsTotal - Math.min(cap, c.findings.length);
  if (left > 0) lines.push(`… and ${left} more finding${left === 1 ? "" : "s"} (see the JSON report for up to the first ${c.findings.length})`);
  if (c.remediation) lines.push("", `What to do: ${c.remediation}`);
  return `${lines.join("\n")}\n`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
