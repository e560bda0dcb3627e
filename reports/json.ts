// The result model as JSON, for scripts (`--json FILE`). Its shape is
// reports/result.schema.json (shipped in the package); `formatVersion` changes when a
// field changes meaning or goes away, not when one is added.
import type { RunResult } from "../runner/model.ts";
import { exitCodeOf, notChecked, totalsOf } from "../runner/model.ts";

/** 1: first versioned format (warnings have `outcome: "warned"`). */
export const RESULT_FORMAT_VERSION = 1;

export function toJson(run: RunResult): string {
  const all = run.suites.flatMap((s) => s.cases);
  return `${JSON.stringify({ formatVersion: RESULT_FORMAT_VERSION, ...run, totals: totalsOf(all), notChecked: notChecked(run), exitCode: exitCodeOf(run) }, null, 2)}\n`;
}
