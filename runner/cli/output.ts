// The end of every reporting command (run, diff, selftest): console summary, JUnit and
// JSON, with secrets scrubbed, and the exit code of the result.
import { toConsole } from "../../reports/console.ts";
import { toJson } from "../../reports/json.ts";
import { toJUnit } from "../../reports/junit.ts";
import { writeFileAtomic } from "../../reports/write.ts";
import { exitCodeOf, type RunResult } from "../model.ts";
import type { CliIO } from "./io.ts";

export interface ReportTargets {
  /** JUnit file, `-` for stdout, or undefined for none. */
  junit?: string;
  json?: string;
  quiet?: boolean;
  noColor?: boolean;
  /** Say where the JUnit report went (default true). */
  announce?: boolean;
}

export async function writeReports(run: RunResult, targets: ReportTargets, io: CliIO, safe: (text: string) => string = (t) => t): Promise<number> {
  // With a report on stdout, the human summary moves to stderr.
  const say = targets.junit === "-" || targets.json === "-" ? io.stderr : io.stdout;
  const color = io.isTTY && !targets.noColor && io.env.NO_COLOR === undefined;
  if (!targets.quiet) say(safe(toConsole(run, { color })));
  if (targets.junit) await emit(targets.junit, safe(toJUnit(run)), io);
  if (targets.json) await emit(targets.json, safe(toJson(run)), io);
  if (!targets.quiet && targets.announce !== false && targets.junit && targets.junit !== "-") say(`JUnit report: ${targets.junit}\n`);
  return exitCodeOf(run);
}

async function emit(target: string, content: string, io: CliIO): Promise<void> {
  if (target === "-") io.stdout(content);
  else await writeFileAtomic(target, content);
}
