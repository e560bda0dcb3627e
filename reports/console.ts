// The human summary: totals first, then each suite's cases, then the top findings of
// every failing check with what to do. Colour only when writing to a terminal. Text from
// data and scenarios goes through `visibleControls` (`v`/`vm`): only our own codes reach the terminal.
import type { CaseResult, RunResult } from "../runner/model.ts";
import { isWarning, notChecked, totalsOf, verdictOf, violated } from "../runner/model.ts";
import { formatFinding } from "./format.ts";
import { visibleControls } from "./terminal.ts";

export interface ConsoleOptions {
  color: boolean;
  /** Findings shown per failing case. */
  top?: number;
}

const CODES = { red: 31, green: 32, yellow: 33, gray: 90, bold: 1 } as const;

export function toConsole(run: RunResult, options: ConsoleOptions): string {
  const paint = (code: keyof typeof CODES, text: string) => (options.color ? `\u001b[${CODES[code]}m${text}\u001b[0m` : text);
  const all = run.suites.flatMap((s) => s.cases);
  const t = totalsOf(all);
  const lines: string[] = [];
  lines.push(`${paint("bold", `${run.tool.name} ${run.tool.version}`)} · ${v(run.source)}${run.layout ? ` · layout ${v(run.layout)}` : ""}`);
  const parts = [
    paint(t.failed ? "red" : "gray", `${t.failed} failed`),
    paint(t.warned ? "yellow" : "gray", `${t.warned} warned`),
    paint(t.errors ? "red" : "gray", `${t.errors} could not run`),
    paint("gray", `${t.skipped} skipped`),
    paint(t.passed ? "green" : "gray", `${t.passed} passed`),
  ];
  if (run.profile) {
    lines.push(paint("gray", "Countly build profile (detected from the data; checks judge by it):"));
    for (const [k, text] of Object.entries(run.profile.summary)) lines.push(paint("gray", `  ${k}: ${v(text)}`));
  }
  // Every case skipped is no evidence either way: said as such, never as PASSED.
  const word = verdictOf(all);
  const nothing = word === "CHECKED NOTHING";
  const colour = word === "PASSED" ? "green" : nothing ? "yellow" : "red";
  const verdict = paint(colour, run.label ? `${word} (${v(run.label)})` : word);
  lines.push(`${verdict}: ${t.tests} checks: ${parts.join(", ")} (${(run.durationMs / 1000).toFixed(1)} s)`);
  if (nothing && !t.errors) lines.push(paint("yellow", "No check had data to check: every case was skipped (see the reasons below). This run proves nothing about the data."));
  const unchecked = notChecked(run);
  if (unchecked.length) {
    lines.push(paint("yellow", paint("bold", `NOT CHECKED: ${unchecked.length} check${unchecked.length === 1 ? "" : "s"} skipped on every case and checked nothing:`)));
    for (const u of unchecked) lines.push(paint("yellow", `  - ${v(u.suite)} › ${v(u.checkId)}: ${v(said(firstLine(u.reason), NO_REASON.skipped))}`));
  }

  for (const s of run.suites) {
    lines.push("", `${paint("bold", v(s.name))} ${paint("gray", `(${v(s.file)})`)}`);
    if (s.periodNote) lines.push(paint("gray", `  period: ${v(s.periodNote)}`));
    for (const c of s.cases) lines.push(`  ${mark(c, paint)} ${v(c.name)}${detail(c)}`);
  }

  const bad = all.filter((c) => violated(c) || c.outcome === "error");
  if (bad.length) {
    lines.push("", paint("bold", "Details"));
    const top = options.top ?? 5;
    for (const c of bad) {
      lines.push("", `${mark(c, paint)} ${v(c.classname)} ${c.app ? `[${v(c.app.name)}] ` : ""}${paint("gray", v(c.line > 0 ? `${c.file}:${c.line}` : c.file))}`);
      if (c.outcome === "error") {
        lines.push(`    ${vm(said(c.message ?? "", NO_REASON.error))}`);
        continue;
      }
      for (const f of c.findings.slice(0, top)) lines.push(`    - ${v(formatFinding(f))}`);
      const left = c.findingsTotal - Math.min(top, c.findings.length);
      if (left > 0) lines.push(paint("gray", `    … and ${left} more`));
      if (c.remediation) lines.push(`    ${paint("bold", "What to do:")} ${vm(c.remediation)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** A name or value: one visible line. */
const v = (text: string) => visibleControls(text);
/** A message of ours (may embed data): its line breaks stay, indented under the case. */
const vm = (text: string) => visibleControls(text, { keepNewlines: true }).replace(/\n/g, "\n    ");

function mark(c: CaseResult, paint: (code: keyof typeof CODES, t: string) => string): string {
  if (c.outcome === "passed") return paint("green", "✓");
  if (c.outcome === "skipped") return paint("gray", "-");
  if (c.outcome === "error") return paint("red", "!");
  return isWarning(c) ? paint("yellow", "⚠") : paint("red", "✗");
}

function detail(c: CaseResult): string {
  if (violated(c)) return ` — ${c.findingsTotal} finding${c.findingsTotal === 1 ? "" : "s"}`;
  if (c.outcome === "skipped" || c.outcome === "error") return ` — ${c.outcome === "skipped" ? "skipped: " : ""}${v(said(firstLine(c.message ?? ""), NO_REASON[c.outcome]))}`;
  return "";
}

/** Said when a skipped or unevaluated case carries no message (a check's bug): never an empty reason. */
const NO_REASON = {
  skipped: "no reason given (the check did not say why; the JSON report has the case)",
  error: "could not be evaluated, and the check gave no message (a bug in countly-check: please report it)",
} as const;

/** `text`, or `fallback` when it says nothing. */
const said = (text: string, fallback: string): string => (text.trim() ? text : fallback);

function firstLine(text: string): string {
  return text.split("\n")[0]!;
}
