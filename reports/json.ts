// The result model as JSON, for scripts (`--json FILE`).
import type { RunResult } from "../runner/model.ts";
import { exitCodeOf, totalsOf } from "../runner/model.ts";

export function toJson(run: RunResult): string {
  const all = run.suites.flatMap((s) => s.cases);
  return `${JSON.stringify({ ...run, totals: totalsOf(all), exitCode: exitCodeOf(run) }, null, 2)}\n`;
}
