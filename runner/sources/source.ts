// A source of Countly data: a dump directory or a live MongoDB. Both answer the same
// questions (apps, collections, facts) so checks never know which one they read.
import { detectLayout, type DatabaseNames, type DetectedLayout } from "../../countly/layout.ts";
import { isValidTimezone } from "../../countly/time.ts";
import type { DiffSide } from "../diff/side.ts";
import type { Catalog } from "../facts/collector.ts";
import type { AppInfo, FactName, FactParams, FactScope, FactValues } from "../facts/types.ts";
import type { QueryPlan } from "./mongo/explain-plan.ts";
import type { QueryTiming } from "../model.ts";

export interface SourceBasics {
  apps: AppInfo[];
  catalog: Catalog;
  layout: DetectedLayout;
  databases: DatabaseNames;
}

export type FactOutcome<K extends FactName = FactName> = { ok: true; value: FactValues[K] } | { ok: false; error: string };

export type FactResults = Partial<{ [K in FactName]: FactOutcome<K> }>;

/** An aggregation pipeline a check asked for (`pipeline` and `compare` checks); `db` is the physical database name. */
export interface PipelineRequest {
  db: string;
  collection: string;
  /** Read-only stages (the scenario loader rejects `$out` and `$merge`). */
  pipeline: Record<string, unknown>[];
  /** Result documents kept; every one is counted. */
  keepRows: number;
  /** In-memory engines (dumps, fixtures): documents held after the streamed leading stages; more is an error outcome. */
  maxDocuments: number;
}

export type PipelineOutcome = { ok: true; rows: Record<string, unknown>[]; total: number } | { ok: false; error: string };

/** Something about the run the source found worth a warning (e.g. a large collection no index serves): a `warned` case in the reports. */
export interface SourceWarning {
  /** Stable id, the case's check id (`unindexed-scan-<db>.<collection>`). */
  id: string;
  /** One line: what was found. */
  message: string;
  /** What to do about it. */
  remediation?: string;
}

export interface Source {
  /** Where the data comes from, safe to print (no credentials). */
  readonly description: string;
  /** A snapshot taken at some point (a dump, generated data): `last_days` counts back from its newest raw data, not from today. */
  readonly snapshot?: boolean;
  /** Reads what every run needs (apps, collection names, event lists). Throws SourceError when the source cannot be read at all. */
  open(): Promise<SourceBasics>;
  /** Computes the requested facts; a fact that cannot be read is an error outcome, not an exception. */
  computeFacts(requests: ReadonlyMap<FactName, FactParams>, scope: Omit<FactScope, "params">): Promise<FactResults>;
  /** The same data as one side of a backup comparison (runner/diff), for `matches-backup`; absent where it makes no sense (generated data). */
  diffSide?(databases: readonly string[]): Promise<DiffSide>;
  /**
   * Runs aggregation pipelines read-only, one outcome per request in order (a pipeline that
   * fails is an error outcome, not an exception). Optional: without it, `pipeline` and
   * `compare` checks are errors.
   */
  runPipelines?(requests: readonly PipelineRequest[]): Promise<PipelineOutcome[]>;
  /**
   * The source reads each collection once per run for the facts, the pipelines and the
   * backup comparison together, when the runner starts them together (a dump): the
   * pipelines and `diffSide` wait for the facts' pass instead of reading again.
   */
  readonly sharedPasses?: boolean;
  /** `--explain` (a MongoDB source opened with `explain`): the plan of every query sent, in order. */
  plans?(): QueryPlan[];
  /** Warnings found while the facts were computed, in order. */
  warnings?(): SourceWarning[];
  /** What each query (live) or collection pass (dump) so far cost, in order (the JSON report's `timings`). */
  timings?(): QueryTiming[];
  /** What the source is reading right now (e.g. "aggregate on countly_drill.drill_events (rawEvents)"), for deadline messages. */
  activity?(): string | undefined;
  close(): Promise<void>;
}

/** The source could not be opened or read at all (exit code 3). */
export class SourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SourceError";
  }
}

/** App documents as Countly stores them (`countly.apps`), turned into AppInfo. */
export function appFromDocument(doc: Record<string, unknown>, where: string, isValidTimezone: (tz: string) => boolean): AppInfo {
  const id = String((doc._id as { toHexString?: () => string })?.toHexString?.() ?? doc._id);
  const name = typeof doc.name === "string" && doc.name !== "" ? doc.name : id;
  const app: AppInfo = { id, name, timezone: "UTC" };
  if (typeof doc.key === "string") app.key = doc.key;
  // Countly's aggregator uses `app.timezone || "UTC"`.
  if (doc.timezone !== undefined && doc.timezone !== null && doc.timezone !== "") {
    if (typeof doc.timezone === "string" && isValidTimezone(doc.timezone)) app.timezone = doc.timezone;
    else app.problem = `${where} document ${id}: timezone ${JSON.stringify(doc.timezone)} is not a known IANA time zone, so its days cannot be computed`;
  }
  return app;
}

/** Apps, event lists and layout from the small metadata collections every source reads whole. */
export function basicsFromDocuments(
  appDocs: readonly Record<string, unknown>[],
  eventDocs: readonly Record<string, unknown>[],
  collections: Record<string, string[]>,
  databases: DatabaseNames,
): SourceBasics {
  if (appDocs.length === 0) throw new SourceError(`${databases.countly}.apps has no apps: is this a Countly database?`);
  const apps = appDocs.map((d) => appFromDocument(d, `${databases.countly}.apps`, isValidTimezone));
  const eventLists: Record<string, string[]> = {};
  for (const d of eventDocs) {
    const id = String((d._id as { toHexString?: () => string })?.toHexString?.() ?? d._id);
    if (Array.isArray(d.list)) eventLists[id] = d.list.filter((k): k is string => typeof k === "string");
  }
  return {
    apps,
    catalog: { collections, eventLists },
    layout: detectLayout(collections[databases.countly] ?? [], collections[databases.drill] ?? []),
    databases,
  };
}
