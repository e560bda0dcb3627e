// The result model every reporter serialises: one suite per scenario, one case per
// check (and app, for per-app checks).
import type { Day } from "../countly/time.ts";

export interface AppRef {
  id: string;
  name: string;
}

/** One violated invariant instance: what a person needs to find and fix it. */
export interface Finding {
  app?: AppRef;
  event?: string;
  day?: Day;
  segment?: string;
  field?: string;
  expected?: number | string;
  actual?: number | string;
  message: string;
}

export type Severity = "error" | "warn";

/**
 * What a check compared, per day: the raw data's value and the aggregated one (the HTML
 * report charts it). Days ascending; `raw[i]` and `aggregated[i]` belong to `days[i]`.
 */
export interface DailySeries {
  /** What the line is, within its case: `all events · c`, `event Buy · c`, `sessions (t)`. */
  label: string;
  days: Day[];
  raw: number[];
  aggregated: number[];
  /** Earlier days left out to keep the report bounded (runner/series.ts). */
  daysLeftOut?: number;
}

/** passed · failed (invariant violated) · error (could not evaluate) · skipped (precondition absent) */
export type Outcome = "passed" | "failed" | "error" | "skipped";

export interface CaseResult {
  /** The check's `id` in the scenario. */
  checkId: string;
  /** The check kind (`check:` in YAML). */
  kind: string;
  app?: AppRef;
  /** Unique within the suite: `<checkId>` or `<checkId> [<app name> <app id>]`. */
  name: string;
  /** `<scenario name>.<checkId>`. */
  classname: string;
  outcome: Outcome;
  severity: Severity;
  /** Findings kept (capped); `findingsTotal` counts all. */
  findings: Finding[];
  findingsTotal: number;
  /** One line: why it failed, errored or was skipped. */
  message?: string;
  /** What the failure likely means and what to do about it. */
  remediation?: string;
  file: string;
  line: number;
  durationMs: number;
  /** Raw vs aggregated per day, for the checks that compare them (bounded); absent for other checks. */
  series?: DailySeries[];
  /** Series the check reported, kept or not (`series` holds at most a few per case). */
  seriesTotal?: number;
}

export interface SuiteResult {
  name: string;
  description?: string;
  file: string;
  timestamp: string;
  durationMs: number;
  cases: CaseResult[];
}

export interface RunResult {
  tool: { name: string; version: string };
  /** Where the data came from, with any credentials removed. */
  source: string;
  layout?: string;
  startedAt: string;
  durationMs: number;
  suites: SuiteResult[];
}

export interface Totals {
  tests: number;
  passed: number;
  failed: number;
  warned: number;
  errors: number;
  skipped: number;
}

/** A failed case with severity `warn` is a warning: reported, but not a failure. */
export function isWarning(c: CaseResult): boolean {
  return c.outcome === "failed" && c.severity === "warn";
}

export function totalsOf(cases: readonly CaseResult[]): Totals {
  const t: Totals = { tests: cases.length, passed: 0, failed: 0, warned: 0, errors: 0, skipped: 0 };
  for (const c of cases) {
    if (c.outcome === "passed") t.passed++;
    else if (c.outcome === "skipped") t.skipped++;
    else if (c.outcome === "error") t.errors++;
    else if (isWarning(c)) t.warned++;
    else t.failed++;
  }
  return t;
}

/** Documented exit codes. */
export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  source: 3,
  /** A report file could not be written (the console verdict is still printed). */
  report: 4,
} as const;

export function exitCodeOf(run: RunResult): number {
  const all = run.suites.flatMap((s) => s.cases);
  const t = totalsOf(all);
  if (t.errors > 0) return EXIT.source;
  if (t.failed > 0) return EXIT.findings;
  return EXIT.ok;
}
