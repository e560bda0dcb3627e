// GitHub Actions: workflow commands that annotate each failed, errored and warned case at
// its line in the scenario YAML, and a Markdown job summary (for $GITHUB_STEP_SUMMARY).
// Both are built from the result model; the escaping of each syntax lives here (workflow
// commands) and in reports/markdown.ts, after control characters are made visible.
import type { CaseResult, RunResult, SuiteResult, Verdict } from "../runner/model.ts";
import { totalsOf, verdictOf, violated } from "../runner/model.ts";
import { formatFinding } from "./format.ts";
import { locate, type LocationBase, type RepoLocation } from "./location.ts";
import { escapeMarkdown } from "./markdown.ts";
import { visibleControls } from "./terminal.ts";

/** GitHub shows at most 10 error and 10 warning annotations of a step; more are dropped. */
export const GITHUB_ANNOTATIONS_CAP = 10;
/** Findings quoted in one annotation. */
const ANNOTATION_FINDINGS = 3;

export interface GithubOptions extends LocationBase {
  /** Annotations per level (default GITHUB_ANNOTATIONS_CAP). */
  cap?: number;
}

interface Annotated {
  suite: SuiteResult;
  c: CaseResult;
}

/** `::error file=…,line=…,title=…::…` per failed or errored case, `::warning …` per warned case; the rest counted in a notice. */
export function toGithubAnnotations(run: RunResult, options: GithubOptions): string {
  const cap = options.cap ?? GITHUB_ANNOTATIONS_CAP;
  const cases: Annotated[] = run.suites.flatMap((suite) => suite.cases.map((c) => ({ suite, c })));
  const errors = cases.filter(({ c }) => c.outcome === "failed" || c.outcome === "error");
  const warnings = cases.filter(({ c }) => c.outcome === "warned");
  const lines: string[] = [];
  for (const a of errors.slice(0, cap)) lines.push(annotation("error", a, options));
  for (const a of warnings.slice(0, cap)) lines.push(annotation("warning", a, options));
  const moreErrors = Math.max(0, errors.length - cap);
  const moreWarnings = Math.max(0, warnings.length - cap);
  if (moreErrors || moreWarnings) {
    const parts = [moreErrors ? `${moreErrors} more failed or errored case${moreErrors === 1 ? "" : "s"}` : "", moreWarnings ? `${moreWarnings} more warning${moreWarnings === 1 ? "" : "s"}` : ""].filter(Boolean);
    lines.push(command("notice", { title: "countly-check" }, `${parts.join(" and ")} not annotated (GitHub shows ${cap} per step): see the job summary and the reports`));
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

function annotation(level: "error" | "warning", { suite, c }: Annotated, options: GithubOptions): string {
  const loc = locate(c, options);
  const body: string[] = [c.message ?? (c.outcome === "error" ? "could not be evaluated" : `${c.findingsTotal} findings`)];
  if (!loc.path && loc.line) body.push(`at ${loc.shown}`);
  if (c.outcome !== "error") {
    for (const f of c.findings.slice(0, ANNOTATION_FINDINGS)) body.push(`- ${formatFinding(f)}`);
    const left = c.findingsTotal - Math.min(ANNOTATION_FINDINGS, c.findings.length);
    if (left > 0) body.push(`… and ${left} more`);
    if (c.remediation) body.push(`What to do: ${c.remediation}`);
  }
  const props: Record<string, string | number | undefined> = { file: loc.path, line: loc.path ? loc.line : undefined, title: caseTitle(c) };
  return command(level, props, body.join("\n"));
}

/** `<scenario>.<check id> [<app>]`: the case as the console's details name it. */
function caseTitle(c: CaseResult): string {
  return `${c.classname}${c.app ? ` [${c.app.name}]` : ""}`;
}

/** One workflow command; values escaped as GitHub's toolkit does (data: % CR LF; properties also : and ,). */
export function command(name: string, props: Record<string, string | number | undefined>, message: string): string {
  const list = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(",");
  return `::${name}${list ? ` ${list}` : ""}::${escapeData(message)}`;
}

export function escapeData(text: string): string {
  return visibleControls(text.replace(/\r\n?/g, "\n"), { keepNewlines: true }).replace(/%/g, "%25").replace(/\n/g, "%0A");
}

export function escapeProperty(text: string): string {
  return visibleControls(text).replace(/%/g, "%25").replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** Cases listed in the summary's table; the rest are counted. */
export const SUMMARY_ROWS = 100;
/** Cases with findings shown under "Top findings", and findings per case. */
const SUMMARY_DETAILS = 10;
const SUMMARY_FINDINGS = 5;
/** Characters of one summary (GitHub accepts 1 MiB per step). */
export const SUMMARY_BUDGET = 100_000;

const ICON = { failed: "❌", error: "⛔", warned: "⚠️", skipped: "⏭️", passed: "✅" } as const;
const RANK = { failed: 0, error: 1, warned: 2, skipped: 3, passed: 4 } as const;

/** The job summary: verdict, totals, a table of cases (problems first), the top findings, what to do. */
export function toStepSummary(run: RunResult, options: LocationBase): string {
  const md = (t: string) => escapeMarkdown(visibleControls(t));
  const cases: Annotated[] = run.suites.flatMap((suite) => suite.cases.map((c) => ({ suite, c })));
  const t = totalsOf(cases.map((a) => a.c));
  const verdict = verdictOf(cases.map((a) => a.c));
  const out = new Budget(SUMMARY_BUDGET);
  const icon = { PASSED: t.warned ? ICON.warned : ICON.passed, FAILED: ICON.failed, INCOMPLETE: ICON.error, "CHECKED NOTHING": ICON.skipped }[verdict];
  out.add(`## ${icon} countly-check${run.label ? ` ${md(run.label)}` : ""}: ${verdict}`, "");
  out.add(`**${t.tests} checks**: ${t.failed} failed, ${t.warned} warned, ${t.errors} could not run, ${t.skipped} skipped, ${t.passed} passed · ${md(run.source)} · ${(run.durationMs / 1000).toFixed(1)} s`, "");
  if (verdict === "CHECKED NOTHING") out.add("**Nothing was checked**: every case was skipped (no data to check against; the reasons are in the table). This run proves nothing about the data.", "");

  const sorted = [...cases].sort((a, b) => RANK[a.c.outcome] - RANK[b.c.outcome]);
  if (sorted.length) {
    out.add("| | Suite | Check | Result | Where |", "|---|---|---|---|---|");
    for (const { suite, c } of sorted.slice(0, SUMMARY_ROWS)) {
      if (!out.add(`| ${ICON[c.outcome]} | ${md(suite.name)} | ${md(unlabelled(run, c.name))} | ${md(result(c))} | ${md(where(locate(c, options)))} |`)) break;
    }
    if (sorted.length > SUMMARY_ROWS) out.add(`| | | … and ${sorted.length - SUMMARY_ROWS} more cases | | |`);
    out.add("");
  }

  const problems = sorted.filter(({ c }) => violated(c) || c.outcome === "error");
  if (problems.length) {
    out.add("### Top findings", "");
    for (const { suite, c } of problems.slice(0, SUMMARY_DETAILS)) {
      const loc = where(locate(c, options));
      out.add(`**${ICON[c.outcome]} ${md(caseTitle(c))}**${loc ? ` (${md(loc)})` : ""}: ${md(c.message ?? "")}`, "");
      if (c.outcome !== "error") {
        for (const f of c.findings.slice(0, SUMMARY_FINDINGS)) out.add(`- ${md(formatFinding(f))}`);
        const left = c.findingsTotal - Math.min(SUMMARY_FINDINGS, c.findings.length);
        if (left > 0) out.add(`- … and ${left} more`);
        if (c.remediation) out.add("", `**What to do:** ${md(c.remediation)}`);
        out.add("");
      }
    }
    if (problems.length > SUMMARY_DETAILS) out.add(`… and ${problems.length - SUMMARY_DETAILS} more cases with findings or errors: see the reports.`, "");
  }

  out.add("### What to do", "", ...advice(t, verdict));
  return `${out.text()}\n`;
}

/** A case name without the run's label prefix (the suite column shows it). */
function unlabelled(run: RunResult, name: string): string {
  return run.label && name.startsWith(`${run.label}/`) ? name.slice(run.label.length + 1) : name;
}

function result(c: CaseResult): string {
  if (violated(c)) return `${c.outcome}: ${c.findingsTotal} finding${c.findingsTotal === 1 ? "" : "s"}`;
  if (c.outcome === "error") return `could not run: ${firstLine(c.message ?? "")}`;
  if (c.outcome === "skipped") return `skipped: ${firstLine(c.message ?? "")}`;
  return "passed";
}

function where(loc: RepoLocation): string {
  if (loc.path) return `${loc.path}:${loc.line}`;
  return loc.line ? loc.shown : "";
}

function advice(t: ReturnType<typeof totalsOf>, verdict: Verdict): string[] {
  const out: string[] = [];
  if (t.errors) out.push("- **Could not run** (exit 3): the source could not be read or a check could not be evaluated; fix the URI, the server or the dump and run again. Nothing about the data is known for these cases.");
  if (t.failed) out.push("- **Failed** (exit 1): the data is inconsistent. Each case above names the app, event and day and says what to do; the annotations point at the check in the scenario.");
  if (t.warned) out.push("- **Warned**: checks with `severity: warn` found something; the run does not fail for them. Read their findings, then fix the data or the scenario.");
  if (verdict === "CHECKED NOTHING") out.push("- **Nothing was checked**: give the run data to check (a source with raw data in the period, the right `--app`/`--from`/`--to`), then run again.");
  if (!out.length) out.push("- Nothing to do: every check passed.");
  return out;
}

function firstLine(text: string): string {
  return text.split("\n")[0]!;
}

/** Lines up to a character budget; the first line over it is replaced by a note and the rest dropped. */
class Budget {
  private lines: string[] = [];
  private used = 0;
  private full = false;
  constructor(private readonly max: number) {}

  add(...lines: string[]): boolean {
    for (const line of lines) {
      if (this.full) return false;
      if (this.used + line.length + 1 > this.max - 200) {
        this.full = true;
        this.lines.push("", `… the summary stops here (${Math.round(this.max / 1000)} kB); the JUnit, JSON and SARIF reports have everything.`);
        return false;
      }
      this.lines.push(line);
      this.used += line.length + 1;
    }
    return true;
  }

  text(): string {
    return this.lines.join("\n");
  }
}
