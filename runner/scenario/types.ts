import type { Layout } from "../../countly/layout.ts";
import type { Period } from "../../countly/time.ts";
import type { Severity } from "../model.ts";

/** A validated check entry of a scenario. */
export interface ScenarioCheck {
  id: string;
  kind: string;
  severity: Severity;
  description?: string;
  /** The kind's own options, defaults filled in. */
  options: Record<string, unknown>;
  line: number;
  column: number;
}

/** A validated scenario file: one test suite. */
export interface Scenario {
  name: string;
  description?: string;
  /** `source:` default data source (URI or dump dir), env already substituted. */
  source?: string;
  /** Path as the user gave it (relative to cwd when possible). */
  file: string;
  /** App ids or names to check; undefined = all apps. */
  apps?: string[];
  period: Period;
  /** `period.last_days`, when the period was given that way (`period` then counts back from today; snapshot sources re-anchor it on their newest raw data). */
  lastDays?: number;
  checks: ScenarioCheck[];
  /** `selftest.must_catch`: check id -> corruption names the check must catch. */
  mustCatch?: Record<string, string[]>;
  /** `selftest.layouts`: the Countly layouts `selftest` generates (default both). */
  selftestLayouts?: Layout[];
  /** Position of the `name:` value (for messages about duplicate names). */
  nameLine?: number;
  nameColumn?: number;
}

/** One problem in a scenario file, with its position. */
export interface ScenarioIssue {
  file: string;
  line: number;
  column: number;
  /** e.g. `checks[2].tolerance`; empty for the document itself. */
  path: string;
  message: string;
}

export class ScenarioError extends Error {
  readonly issues: readonly ScenarioIssue[];
  constructor(issues: readonly ScenarioIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "ScenarioError";
    this.issues = issues;
  }
}

export function formatIssue(i: ScenarioIssue): string {
  return `${i.file}:${i.line}:${i.column} ${i.path ? `${i.path}: ` : ""}${i.message}`;
}
