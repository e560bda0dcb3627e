// Facts: what checks read. Each fact is computed once per run by a source (dump or
// live) for the union of the scenarios' apps and periods; checks then filter.
// Row shapes are plain data so a test can compare a dump's facts with a server's.
import type { Day, Period } from "../../countly/time.ts";
import type { DetectedLayout, DatabaseNames } from "../../countly/layout.ts";

export interface AppInfo {
  id: string;
  name: string;
  key?: string;
  timezone: string;
  /** Set when the app's own document is unusable (e.g. unknown timezone): its cases are errors. */
  problem?: string;
}

/** Totals of one (app, key, day) group with the counters Countly aggregates. */
export interface Counters {
  c: number;
  s: number;
  dur: number;
}

/** Raw counters inserted in one minute (`cd`), kept only for the last minutes of the data. */
export interface TailBucket extends Counters {
  /** Insertion minute: floor(cd ms / 60000). */
  minute: number;
}

/** Raw custom events (`e: "[CLY]_custom"`) of one app, event key and app-local day. */
export interface RawEventDay extends Counters {
  app: string;
  key: string;
  day: Day;
  /** Raw documents in the group. */
  docs: number;
  /** Counters inserted in the last `tailMinutes` before the newest insert, per minute. */
  tail: TailBucket[];
}

export interface RawEventsFact {
  rows: RawEventDay[];
  /** Newest insertion minute (floor(cd/60000)) over all raw events read; undefined if none had `cd`. */
  maxCdMinute?: number;
}

/**
 * Raw session documents of one app and day. Countly builds have counted sessions
 * from `[CLY]_session` (closed sessions) or from `[CLY]_session_begin`, so both are kept.
 */
export interface RawSessionDay {
  app: string;
  day: Day;
  /** `[CLY]_session` documents. */
  sessions: number;
  /** `[CLY]_session_begin` documents. */
  begins: number;
  /** `[CLY]_session` documents with a non-empty `up.src`, keyed by the source as Countly stores it (`.` -> `:`). */
  bySource: Record<string, number>;
  /** The same for `[CLY]_session_begin` documents. */
  beginsBySource: Record<string, number>;
}

/** Raw `[CLY]_view` documents of one app, view name and day. */
export interface RawViewDay {
  app: string;
  view: string;
  day: Day;
  /** Documents (one per view event). */
  events: number;
  /** Visits as the views aggregator counts them (`sg.visit`, default 1). */
  visits: number;
}

/** The no-segment totals of one event and day from the aggregated month docs. */
export interface EventTotalDay extends Counters {
  app: string;
  key: string;
  day: Day;
}

/** The sum over one segment key's values for one event and day. */
export interface SegmentSumDay extends Counters {
  app: string;
  key: string;
  day: Day;
  segment: string;
  /** Distinct values seen for that segment on that day. */
  values: number;
}

export interface EventAggregatesFact {
  totals: EventTotalDay[];
  segments: SegmentSumDay[];
  /** Aggregated docs or collections that could not be attributed to an app/event (legacy hashes with no known key). */
  unattributed: string[];
}

/** Aggregated view data of one app and day (no-segment documents). */
export interface ViewAggregateDay {
  app: string;
  day: Day;
  /** Sum of `t` (visits) over all views and hours. */
  visits: number;
}

export interface ViewAggregatesFact {
  days: ViewAggregateDay[];
  /** app id -> number of `app_viewsmeta` entries. */
  metaCount: Record<string, number>;
}

/** Aggregated `countly.sources` of one app, day and source value. */
export interface SourceAggregateDay {
  app: string;
  day: Day;
  source: string;
  /** `t`: sessions from that source. */
  t: number;
}

export interface SourceAggregatesFact {
  days: SourceAggregateDay[];
}

/** Every fact a check can ask for, by name. */
export interface FactValues {
  rawEvents: RawEventsFact;
  rawSessions: RawSessionDay[];
  rawViews: RawViewDay[];
  eventAggregates: EventAggregatesFact;
  viewAggregates: ViewAggregatesFact;
  sourceAggregates: SourceAggregatesFact;
}

export type FactName = keyof FactValues;

/** Parameters a fact takes; requests for the same fact are merged (widest wins). */
export interface FactParams {
  /** rawEvents: minutes of insertion tail to keep per group (for settle windows). */
  tailMinutes?: number;
}

export interface FactRequest {
  fact: FactName;
  params?: FactParams;
}

/** What every fact computation knows about the run. */
export interface FactScope {
  apps: readonly AppInfo[];
  /** The hull of all scenario periods (facts drop rows outside it). */
  period: Period;
  layout: DetectedLayout;
  databases: DatabaseNames;
  params: FactParams;
}
