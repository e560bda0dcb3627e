// The result model as JSON, for scripts (`--json FILE`).
import type { RunResult } from "../runner/model.ts";
import { exitCodeOf, notChecked, totalsOf } from "../runner/model.ts";

export function toJson(run: RunResult): string {
  const all = run.suites.flatMap((s) => s.cases);
  return `${JSON.stringify({ ...run, totals: totalsOf(all), notChecked: notChecked(run), exitCode: exitCodeOf(run) }, null, 2)}\n`;
}
