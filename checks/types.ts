// What a check is: metadata (id, description, options schema, remediation) plus a
// pure evaluation over facts. No I/O in a check; the runner gathers facts once.
import type { Day, Period } from "../countly/time.ts";
import type { AppInfo, FactName, FactRequest, FactValues } from "../runner/facts/types.ts";
import type { Finding, Severity } from "../runner/model.ts";
import type { Source } from "../runner/sources/source.ts";

/** The subset of JSON Schema our options use; it is also what `countly-check schema` prints. */
export interface JsonSchema {
  type?: "object" | "array" | "string" | "number" | "integer" | "boolean";
  description?: string;
  default?: unknown;
  enum?: readonly unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  pattern?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  oneOf?: readonly JsonSchema[];
  anyOf?: readonly JsonSchema[];
  allOf?: readonly JsonSchema[];
  if?: JsonSchema;
  then?: JsonSchema;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  $schema?: string;
  $id?: string;
  title?: string;
  examples?: readonly unknown[];
  format?: string;
}

export interface CheckMeta {
  /** Kind name used as `check:` in YAML; also the file name under checks/. */
  kind: string;
  /** One line, shown by `countly-check list`. */
  summary: string;
  /** What the check proves, for docs/checks.md. */
  proves: string;
  /** One case per app (true) or one for the whole database (false). */
  perApp: boolean;
  /** JSON Schema of the kind's own options (properties with descriptions and defaults). */
  options: JsonSchema & { type: "object"; properties: Record<string, JsonSchema> };
  /** What a failure likely means. */
  likelyCause: string;
  /** What to do about it. */
  remediation: string;
  /** A finding as the check reports it, for docs. */
  exampleFinding: string;
}

/** A finding reported by a check; the runner adds the app. */
export type CheckFinding = Omit<Finding, "app">;

export interface CheckContext<O> {
  options: O;
  /** The app under test (per-app checks) or undefined. */
  app: AppInfo;
  period: Period;
  severity: Severity;
  /** Rows of a fact limited to this app and the scenario's period. */
  facts: AppFacts;
  /** Results of the queries the check declared (`queries()`), by query id. */
  results?: Readonly<Record<string, QueryRows>>;
  /** What `external()` computed for this check entry. */
  external?: unknown;
  report(finding: CheckFinding): void;
  /** Counts findings the check found but does not report one by one (beyond its own `max_findings`). */
  reportMore?(count: number): void;
  /**
   * Raw vs aggregated per day, for the HTML report's charts; report the most telling series
   * first (the runner keeps a few per case, runner/series.ts). Optional: harnesses may omit it.
   */
  series?(series: SeriesInput): void;
}

/** A series as a check reports it: one point per day, in any order. */
export interface SeriesInput {
  label: string;
  points: Iterable<{ day: Day; raw: number; aggregated: number }>;
  /** How many distinct days the points have, when the check knows it: the runner then reads no points it would not keep. */
  days?: number;
  /** At most `days` (a bound known before `days` is worked out): the runner reads neither `days` nor the points when this many would not be kept. */
  leastDays?: number;
}

/**
 * A read a check declares instead of (or besides) facts: an aggregation pipeline on one
 * collection. The runner runs it on the source (server-side on MongoDB, in memory on
 * dumps) and hands the rows to `evaluate` as `ctx.results[id]`; checks stay pure.
 */
export interface QueryRequest {
  /** Names the result in `ctx.results`. */
  id: string;
  /** Logical database: `countly` and `countly_drill` follow the source's database names; others are used as they are. */
  db: string;
  collection: string;
  pipeline: Record<string, unknown>[];
  /** Result documents kept; every one is counted (`QueryRows.total`). */
  keepRows: number;
  /** In-memory engines (dumps, fixtures): documents held after the streamed leading stages; more is an error. */
  maxDocuments: number;
}

/** Where a case's queries apply: the app (per-app cases) and the period. */
export interface QueryScope {
  app?: AppInfo;
  period: Period;
}

export interface QueryRows {
  /** The first `keepRows` result documents. */
  rows: Record<string, unknown>[];
  /** How many documents the pipeline returned in all. */
  total: number;
}

/** A problem with a check's options that the JSON Schema cannot express; `path` is relative to the check entry. */
export interface OptionIssue {
  path: (string | number)[];
  /** Set when the problem is a key itself (e.g. `$out`), inside the mapping at `path`. */
  key?: string;
  message: string;
}

/** Fact access scoped to one app and period, so checks cannot mix apps by accident. */
export interface AppFacts {
  get<K extends FactName>(name: K): FactValues[K];
  inPeriod(day: Day): boolean;
}

/** The data a check was given cannot be judged (e.g. a user pipeline returned rows of the wrong shape): the case is an error with this message. */
export class CheckDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckDataError";
  }
}

/** Returned by evaluate when the check's precondition is absent (e.g. no raw data). */
export interface Skip {
  skipped: string;
}

export interface CheckDefinition<O = Record<string, unknown>> {
  meta: CheckMeta;
  /** Facts the check reads, given its options. */
  needs(options: O): FactRequest[];
  /** Pure evaluation; report findings through ctx.report. */
  evaluate(ctx: CheckContext<O>): Skip | void;
  /** One case per app or one for the database, when it depends on the options (default: `meta.perApp`). */
  perApp?(options: O): boolean;
  /** Pipelines the runner runs for one case (per app and period); may throw to make the case an error. */
  queries?(options: O, scope: QueryScope): QueryRequest[];
  /** Checks at load time what the options schema cannot (reported with file:line like schema errors). */
  validate?(options: O): OptionIssue[];
  /**
   * Data that facts cannot express (e.g. a comparison with a backup folder): computed once
   * per check entry by the runner before evaluation, handed to evaluate as `ctx.external`.
   * May throw (SourceError or Error) to make the check's cases errors.
   */
  external?(options: O, source: Source): Promise<unknown>;
}

/** Whether a check entry runs once per app. */
export function isPerApp<O>(def: CheckDefinition<O>, options: O): boolean {
  return def.perApp ? def.perApp(options) : def.meta.perApp;
}

/** Fills option defaults from the schema so checks see complete options. */
export function withDefaults<O>(meta: CheckMeta, given: Record<string, unknown>): O {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(meta.options.properties)) {
    if (given[k] !== undefined) out[k] = given[k];
    else if (s.default !== undefined) out[k] = structuredClone(s.default);
  }
  return out as O;
}

/** Numbers are equal within an absolute and a relative tolerance. */
export function withinTolerance(expected: number, actual: number, tol: { absolute: number; relative: number }): boolean {
  const diff = Math.abs(expected - actual);
  return diff <= tol.absolute || diff <= Math.abs(expected) * tol.relative;
}
