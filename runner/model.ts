// The result model every reporter serialises: one suite per scenario, one case per
// check (and app, for per-app checks).
import type { CountlyProfile } from "../countly/profile.ts";
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

/**
 * passed · failed (invariant violated) · warned (violated, but the check has `severity: warn`:
 * reported, does not fail the run) · error (could not evaluate) · skipped (precondition absent)
 */
export type Outcome = "passed" | "failed" | "warned" | "error" | "skipped";

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
  /** How the period was chosen when that is not plain from the scenario (e.g. `last_days` counted back from a dump's newest raw data). */
  periodNote?: string;
}

/** What the checker assumed about the Countly build behind the data (countly/profile.ts). */
export interface RunProfile {
  /** One line per behaviour: aggregation, segments, views, event-limit. */
  summary: Record<string, string>;
  detected: CountlyProfile;
}

/** One query (live) or collection pass (dump) of the run and what it cost: the JSON report's `timings`. */
export interface QueryTiming {
  /** `db.collection`. */
  collection: string;
  /** `aggregate`, `find`, `count` (live), or `pass` (a dump's read of one collection file). */
  kind: "aggregate" | "find" | "count" | "pass";
  /** What it was for: the fact and pass, "check pipeline", or (dump) "facts" / "check pipelines". */
  purpose: string;
  /** Wall-clock milliseconds, from sending the query (opening the file) to its last document. */
  ms: number;
  /** Documents it returned: rows of an aggregate, documents of a find or of a dump file, 1 for a count. */
  docs: number;
  /** A dump pass: which scanner framed and walked the file (runner/sources/dump/bson-walk-native.ts). */
  scanner?: "wasm" | "js";
}

/** Milliseconds since `started` (a `performance.now()`), to a tenth. */
export function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

export interface RunResult {
  tool: { name: string; version: string };
  /** `--label`: which run this is (backup, restored…); also the prefix of every suite name. */
  label?: string;
  /** Where the data came from, with any credentials removed. */
  source: string;
  layout?: string;
  startedAt: string;
  durationMs: number;
  suites: SuiteResult[];
  /** The Countly build profile detected from the data; absent when it could not be read. */
  profile?: RunProfile;
  /** Every query or collection pass that gathered the data, in order (absent when the source keeps none). */
  timings?: QueryTiming[];
}

export interface Totals {
  tests: number;
  passed: number;
  failed: number;
  warned: number;
  errors: number;
  skipped: number;
}

/** A violated check with severity `warn`: reported, but not a failure. */
export function isWarning(c: CaseResult): boolean {
  return c.outcome === "warned";
}

/** The invariant was violated (a failure or a warning): the case has findings. */
export function violated(c: CaseResult): boolean {
  return c.outcome === "failed" || c.outcome === "warned";
}

/** The outcome of a case whose check found something. */
export function violationOutcome(severity: Severity): "failed" | "warned" {
  return severity === "warn" ? "warned" : "failed";
}

export function totalsOf(cases: readonly CaseResult[]): Totals {
  const t: Totals = { tests: cases.length, passed: 0, failed: 0, warned: 0, errors: 0, skipped: 0 };
  for (const c of cases) {
    if (c.outcome === "passed") t.passed++;
    else if (c.outcome === "skipped") t.skipped++;
    else if (c.outcome === "error") t.errors++;
    else if (c.outcome === "warned") t.warned++;
    else t.failed++;
  }
  return t;
}

/** A check entry of a suite whose every case was skipped: it checked nothing. */
export interface NotChecked {
  suite: string;
  checkId: string;
  /** The first case's skip reason. */
  reason: string;
  cases: number;
}

/** Check entries that checked nothing (all their cases skipped), in report order. */
export function notChecked(run: RunResult): NotChecked[] {
  const out: NotChecked[] = [];
  for (const s of run.suites) {
    const byCheck = new Map<string, CaseResult[]>();
    for (const c of s.cases) byCheck.set(c.checkId, [...(byCheck.get(c.checkId) ?? []), c]);
    for (const [checkId, cases] of byCheck) {
      if (cases.every((c) => c.outcome === "skipped")) out.push({ suite: s.name, checkId, reason: cases[0]?.message ?? "", cases: cases.length });
    }
  }
  return out;
}

export type Verdict = "PASSED" | "FAILED" | "INCOMPLETE" | "CHECKED NOTHING";

/**
 * The result every summary leads with: INCOMPLETE when something could not be checked,
 * CHECKED NOTHING when every case was skipped (no evidence either way, never PASSED).
 */
export function verdictOf(cases: readonly CaseResult[]): Verdict {
  const t = totalsOf(cases);
  if (t.errors) return "INCOMPLETE";
  if (t.failed) return "FAILED";
  // What reading the source revealed (e.g. an unindexed scan) is not a check: a run whose
  // every check skipped checked nothing, whatever the source warned about.
  const checks = cases.filter((c) => c.kind !== SOURCE_WARNING_KIND);
  return checks.every((c) => c.outcome === "skipped") ? "CHECKED NOTHING" : "PASSED";
}

/** The `kind` of the cases in the `source` suite: warnings from reading the source, not checks. */
export const SOURCE_WARNING_KIND = "source-warning";

/**
 * The run under a `--label`: suite names, classnames and case names start with `<label>/`,
 * so the reports of two runs (the backup's and the restored database's) never collide
 * when a CI merges them.
 */
export function labelRun(run: RunResult, label: string): RunResult {
  const p = `${label}/`;
  return {
    ...run,
    label,
    suites: run.suites.map((s) => ({ ...s, name: p + s.name, cases: s.cases.map((c) => ({ ...c, name: p + c.name, classname: p + c.classname })) })),
  };
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
