// The end of every reporting command (run, diff, selftest): console summary, JUnit and
// JSON, and the exit code of the result. Every reporter serialises the same prepared run:
// secrets redacted (runner/redact.ts), then every value bounded (reports/bound.ts).
import { resolve } from "node:path";
import { boundRun, mapRunText } from "../../reports/bound.ts";
import { toConsole } from "../../reports/console.ts";
import { toJson } from "../../reports/json.ts";
import { toJUnit } from "../../reports/junit.ts";
import { ReportWriteError, writeReportFile } from "../../reports/write.ts";
import { redactUri } from "../redact.ts";
import { EXIT, exitCodeOf, type RunResult } from "../model.ts";
import { UsageError, type CliIO } from "./io.ts";

export interface ReportTargets {
  /** JUnit file, `-` for stdout, or undefined for none. */
  junit?: string;
  json?: string;
  quiet?: boolean;
  noColor?: boolean;
  /** Say where the JUnit report went (default true). */
  announce?: boolean;
}

/** The run as every report shows it: `safe` (the command's secret scrubber) on every text, then bounded. */
export function prepareRun(run: RunResult, safe: (text: string) => string = redactUri): RunResult {
  return boundRun(mapRunText(run, safe));
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
  // With a report on stdout, the human summary moves to stderr.
  const say = targets.junit === "-" || targets.json === "-" ? io.stderr : io.stdout;
  const color = io.isTTY && !targets.noColor && io.env.NO_COLOR === undefined;
  const shown = prepareRun(run, safe);
  if (!targets.quiet) say(toConsole(shown, { color }));
  let failed = false;
  let junitWritten = false;
  for (const [target, serialise] of [
    [targets.junit, toJUnit],
    [targets.json, toJson],
  ] as const) {
    if (!target) continue;
    try {
      await emit(target, serialise(shown), io);
      if (target === targets.junit) junitWritten = true;
    } catch (e) {
      if (!(e instanceof ReportWriteError)) throw e;
      // The verdict above stays the last thing on the console that matters; this says why a file is missing.
      io.stderr(`countly-check: ${safe(e.message)}\n`);
      failed = true;
    }
  }
  if (junitWritten && !targets.quiet && targets.announce !== false && targets.junit && targets.junit !== "-") say(`JUnit report: ${safe(targets.junit)}\n`);
  return failed ? EXIT.report : exitCodeOf(run);
}

async function emit(target: string, content: string, io: CliIO): Promise<void> {
  if (target === "-") io.stdout(content);
  else await writeReportFile(target, content);
}
