// The end of every reporting command (run, diff, selftest): console summary, CI
// annotations and job summary, the report files (JUnit, JSON, SARIF, Code Quality), and
// the exit code of the result. Every reporter serialises the same prepared run: secrets
// redacted (runner/redact.ts), then every value bounded (reports/bound.ts). The report
// flags are defined here once, so the three commands accept the same ones.
import { appendFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import process from "node:process";
import { boundRun, TEXT_LIMITS } from "../../reports/bound.ts";
import { toCodeQuality } from "../../reports/codequality.ts";
import { toConsole } from "../../reports/console.ts";
import { toGithubAnnotations, toStepSummary } from "../../reports/github.ts";
import { toHtml } from "../../reports/html.ts";
import { toJson } from "../../reports/json.ts";
import { toJUnit } from "../../reports/junit.ts";
import { repositoryRoot, type LocationBase } from "../../reports/location.ts";
import { toSarif } from "../../reports/sarif.ts";
import { ReportWriteError, writeReportFile } from "../../reports/write.ts";
import { redactUri } from "../redact.ts";
import { EXIT, exitCodeOf, labelRun, type RunResult } from "../model.ts";
import { BUILTIN_SCENARIOS } from "../scenario/discover.ts";
import { UsageError, type CliIO } from "./io.ts";

export interface ReportTargets {
  /** JUnit file, `-` for stdout, or undefined for none. */
  junit?: string;
  json?: string;
  sarif?: string;
  codequality?: string;
  /** One self-contained HTML page with charts (reports/html.ts). */
  html?: string;
  /** `github`: workflow-command annotations and the job summary; `none`: neither; default: github on GitHub Actions. */
  annotations?: "github" | "none";
  /** Prefix of suite names and the summary, so two runs' reports stay apart. */
  label?: string;
  quiet?: boolean;
  noColor?: boolean;
  /** Say where the JUnit report went (default true). */
  announce?: boolean;
}

/** The report flags of run, diff and selftest (node:util parseArgs options). */
export const REPORT_OPTIONS = {
  junit: { type: "string" },
  json: { type: "string" },
  sarif: { type: "string" },
  codequality: { type: "string" },
  html: { type: "string" },
  annotations: { type: "string" },
  label: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  "no-color": { type: "boolean" },
} as const;

type ReportValues = { [K in keyof typeof REPORT_OPTIONS]?: (typeof REPORT_OPTIONS)[K]["type"] extends "string" ? string : boolean };

/** The parsed report flags as targets; `junit` is the command's default unless given. */
export function reportTargets(values: ReportValues, defaults: { junit?: string } = {}): ReportTargets {
  const annotations = values.annotations;
  if (annotations !== undefined && annotations !== "github" && annotations !== "none") throw new UsageError(`--annotations ${annotations}: expected github or none`);
  if (values.label !== undefined && !/^[^\s/][^/]{0,62}$/.test(values.label)) throw new UsageError(`--label ${JSON.stringify(values.label)}: expected a short name without "/" (e.g. backup, restored)`);
  const targets: ReportTargets = {
    junit: values.junit ?? defaults.junit,
    json: values.json,
    sarif: values.sarif,
    codequality: values.codequality,
    html: values.html,
    annotations,
    label: values.label,
    quiet: values.quiet,
    noColor: values["no-color"],
  };
  checkReportTargets({ junit: targets.junit, json: targets.json, sarif: targets.sarif, codequality: targets.codequality, html: targets.html });
  return targets;
}

/**
 * Colour on a terminal, unless --no-color or NO_COLOR (non-empty, no-color.org); FORCE_COLOR
 * decides both ways when set (0/false: off; 1, 2, 3, true or empty: on even without a
 * terminal), and wins over NO_COLOR as in Node.
 */
export function useColor(io: Pick<CliIO, "isTTY" | "env">, noColor?: boolean): boolean {
  if (noColor) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return !/^(0|false)$/i.test(force.trim());
  if (io.env.NO_COLOR) return false;
  return io.isTTY;
}

/** The run as every report shows it: `safe` (the command's secret scrubber) on every text, then bounded. */
export function prepareRun(run: RunResult, safe: (text: string) => string = redactUri): RunResult {
  return boundRun(run, TEXT_LIMITS, safe);
}

/** Two reports on one target would overwrite or interleave each other: a usage error, before anything runs. */
export function checkReportTargets(targets: Record<string, string | undefined>): void {
  const seen = new Map<string, string>();
  for (const [flag, target] of Object.entries(targets)) {
    if (target === undefined) continue;
    if (target === "") throw new UsageError(`--${flag} needs a file name (or - for stdout)`);
    const key = target === "-" ? "-" : resolve(target);
    const first = seen.get(key);
    if (first) throw new UsageError(`--${first} and --${flag} both write to ${target === "-" ? "stdout" : target}; give each report its own target`);
    seen.set(key, flag);
  }
}

export async function writeReports(run: RunResult, targets: ReportTargets, io: CliIO, safe: (text: string) => string = redactUri): Promise<number> {
  const onStdout = [targets.junit, targets.json, targets.sarif, targets.codequality, targets.html].includes("-");
  // With a report on stdout, the human summary (and annotations) move to stderr; GitHub reads commands from both.
  const say = onStdout ? io.stderr : io.stdout;
  const shown = prepareRun(targets.label ? labelRun(run, targets.label) : run, safe);
  const base: LocationBase = { cwd: process.cwd(), root: repositoryRoot(io.env, process.cwd()) };
  if (!targets.quiet) say(toConsole(shown, { color: useColor(io, targets.noColor) }));
  let failed = false;
  const report = (e: unknown) => {
    if (!(e instanceof ReportWriteError)) throw e;
    // The verdict above stays the last thing on the console that matters; this says why a file is missing.
    io.stderr(`countly-check: ${safe(e.message)}\n`);
    failed = true;
  };
  if (targets.annotations === "github" || (targets.annotations === undefined && io.env.GITHUB_ACTIONS === "true")) {
    say(toGithubAnnotations(shown, base));
    const summary = io.env.GITHUB_STEP_SUMMARY;
    // The runner's own file, shared by the job's steps: appended to, never replaced.
    if (summary) await appendFile(summary, toStepSummary(shown, base), "utf8").catch((e) => report(new ReportWriteError(summary, (e as Error).message)));
  }
  let junitWritten = false;
  for (const [target, serialise] of [
    [targets.junit, toJUnit],
    [targets.json, toJson],
    [targets.sarif, (r: RunResult) => sarif(r, base)],
    [targets.codequality, (r: RunResult) => toCodeQuality(r, base)],
    [targets.html, toHtml],
  ] as const) {
    if (!target) continue;
    try {
      await emit(target, await serialise(shown), io);
      if (target === targets.junit) junitWritten = true;
    } catch (e) {
      report(e);
    }
  }
  if (junitWritten && !targets.quiet && targets.announce !== false && targets.junit && targets.junit !== "-") say(`JUnit report: ${safe(targets.junit)}\n`);
  return failed ? EXIT.report : exitCodeOf(run);
}

/** SARIF with each rule's documentation: the check registry is loaded only when SARIF is asked for. */
async function sarif(run: RunResult, base: LocationBase): Promise<string> {
  const { CHECKS } = await import("../../checks/index.ts");
  return toSarif(run, { ...base, rules: (kind) => CHECKS.get(kind)?.meta, packageRoot: join(BUILTIN_SCENARIOS, "..") });
}

async function emit(target: string, content: string, io: CliIO): Promise<void> {
  if (target === "-") io.stdout(content);
  else await writeReportFile(target, content);
}
