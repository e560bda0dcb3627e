// The end of every reporting command (run, diff, selftest): console summary, CI
// annotations and job summary, the report files (JUnit, JSON, SARIF, Code Quality), with
// secrets scrubbed, and the exit code of the result. The report flags are defined here
// once, so the three commands accept the same ones.
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { toCodeQuality } from "../../reports/codequality.ts";
import { toConsole } from "../../reports/console.ts";
import { toGithubAnnotations, toStepSummary } from "../../reports/github.ts";
import { toJson } from "../../reports/json.ts";
import { toJUnit } from "../../reports/junit.ts";
import { repositoryRoot, type LocationBase } from "../../reports/location.ts";
import { toSarif } from "../../reports/sarif.ts";
import { writeFileAtomic } from "../../reports/write.ts";
import { exitCodeOf, labelRun, type RunResult } from "../model.ts";
import { BUILTIN_SCENARIOS } from "../scenario/discover.ts";
import { UsageError, type CliIO } from "./io.ts";

export interface ReportTargets {
  /** JUnit file, `-` for stdout, or undefined for none. */
  junit?: string;
  json?: string;
  sarif?: string;
  codequality?: string;
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
  return {
    junit: values.junit ?? defaults.junit,
    json: values.json,
    sarif: values.sarif,
    codequality: values.codequality,
    annotations,
    label: values.label,
    quiet: values.quiet,
    noColor: values["no-color"],
  };
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

export async function writeReports(run: RunResult, targets: ReportTargets, io: CliIO, safe: (text: string) => string = (t) => t): Promise<number> {
  if (targets.label) run = labelRun(run, targets.label);
  const onStdout = [targets.junit, targets.json, targets.sarif, targets.codequality].includes("-");
  // With a report on stdout, the human summary (and annotations) move to stderr; GitHub reads commands from both.
  const say = onStdout ? io.stderr : io.stdout;
  const base: LocationBase = { cwd: process.cwd(), root: repositoryRoot(io.env, process.cwd()) };
  if (!targets.quiet) say(safe(toConsole(run, { color: useColor(io, targets.noColor) })));
  const github = targets.annotations === "github" || (targets.annotations === undefined && io.env.GITHUB_ACTIONS === "true");
  if (github) {
    say(safe(toGithubAnnotations(run, base)));
    const summary = io.env.GITHUB_STEP_SUMMARY;
    if (summary) await appendFile(summary, safe(toStepSummary(run, base)), "utf8");
  }
  if (targets.junit) await emit(targets.junit, safe(toJUnit(run)), io);
  if (targets.json) await emit(targets.json, safe(toJson(run)), io);
  if (targets.sarif) {
    // The check registry only for the rules' documentation, loaded when SARIF is asked for.
    const { CHECKS } = await import("../../checks/index.ts");
    await emit(targets.sarif, safe(toSarif(run, { ...base, rules: (kind) => CHECKS.get(kind)?.meta, packageRoot: join(BUILTIN_SCENARIOS, "..") })), io);
  }
  if (targets.codequality) await emit(targets.codequality, safe(toCodeQuality(run, base)), io);
  if (!targets.quiet && targets.announce !== false && targets.junit && targets.junit !== "-") say(`JUnit report: ${targets.junit}\n`);
  return exitCodeOf(run);
}

async function emit(target: string, content: string, io: CliIO): Promise<void> {
  if (target === "-") io.stdout(content);
  else await writeFileAtomic(target, content);
}
