// Facts: what checks read. Each fact is computed once per run by a source (dump or
// live) for the union of the scenarios' apps and periods; checks then filter.
// Row shapes are plain data so a test can compare a dump's facts with a server's.
import type { MemoryBudget } from "./memory-budget.ts";
import type { Day, Period } from "../../countly/time.ts";
import type { DetectedLayout, DatabaseNames } from "../../countly/layout.ts";
import type { ClusterTime, ResumeTokenInfo } from "../../countly/resume-token.ts";

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

/**
 * Rows of a fact as columns, in the rows' order (for a check case: its app's rows in its
 * period), with no object per row: `ids` names the rows in order and `column(f)` gives the
 * reader of field f by row id (`column("c")(ids[i])`: row i's count). Checks read a fact's
 * rows this way through `rowColumns` (runner/facts/group-rows.ts), whatever kept them.
 */
export interface RowColumns<R> {
  readonly ids: ArrayLike<number>;
  column<F extends keyof R>(field: F): (id: number) => R[F];
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

// --- Event-side invariants (issue #3): hours, all_key, event list, segment meta, counter types ---

/** One day of a no-segment month document: the day's counters and the sum over its hour buckets. */
export interface EventHourDay extends Counters {
  app: string;
  key: string;
  day: Day;
  /** Σ over the hour buckets `d.<day>.<hour>` ("0".."23") of c/s/dur. */
  hours: Counters;
  /** Hour buckets present that day. */
  hourBuckets: number;
  /** Where the document is: `<db>.<collection> <_id>`. */
  doc: string;
}

export interface EventHoursFact {
  rows: EventHourDay[];
}

/** The all-events (`all_key`) counters of one event and day: `d.<day>.<eventKey>.{c,s,dur}`, summed over the month's postfix documents. */
export interface AllKeyDay extends Counters {
  app: string;
  key: string;
  day: Day;
}

export interface AllKeyTotalsFact {
  /** Layout of the aggregated events: the legacy layout (events.js) writes no all_key documents at all. */
  layout: "current" | "legacy";
  rows: AllKeyDay[];
  /** Months (`YYYY:M`) for which an app has at least one all_key document. */
  months: { app: string; month: string }[];
}

/** An app's `countly.events` document. */
export interface EventListEntry {
  app: string;
  /** `list`: the events the dashboard shows. */
  list: string[];
  /** `segments.<key>` as stored (events.js keys it by the event key with '.' replaced by ':'). */
  segments: Record<string, string[]>;
  /** `omitted_segments.<key>`. */
  omitted: Record<string, string[]>;
}

/** Aggregated data of one app and event key (current: `events_data` documents with `a`/`e`; legacy: an `events<H>` collection). */
export interface EventDataKey {
  app: string;
  key: string;
  /** `<db>.<collection>`. */
  collection: string;
  /** Documents holding counters (month documents). */
  monthDocs: number;
  /** All documents, meta ("zero") documents included. */
  docs: number;
}

/** A legacy raw data collection `drill_events<H>` resolved to an app and event key. */
export interface EventDrillKey {
  app: string;
  key: string;
  collection: string;
}

export interface EventCatalogFact {
  apps: EventListEntry[];
  data: EventDataKey[];
  /** Legacy drill layout only (current: see the rawEvents fact). */
  drill: EventDrillKey[];
  /** Hashed collections (`<db>.events<H>`, `<db>.drill_events<H>`) that no event key named anywhere for any app hashes to. */
  unresolved: string[];
}

/** A segment value found in segment month documents of one event, year and document postfix. */
export interface SegmentValueSeen {
  app: string;
  key: string;
  segment: string;
  value: string;
  year: number;
  /** The md5 postfix (`_<P>` at the end of the `_id`) of the month document it sits in. */
  postfix: string;
  /** First and last app-local day it has counters on (not named `day`: the row spans days). */
  firstDay: Day;
  lastDay: Day;
}

/** A segment value listed in `meta_v2.<segment>` of one event's zero document. */
export interface SegmentMetaValue {
  app: string;
  key: string;
  segment: string;
  value: string;
  year: number;
  /** The postfix of the zero document (`…_no-segment_<YYYY:0>_<P>`) that lists it. */
  postfix: string;
}

export interface SegmentMetaFact {
  seen: SegmentValueSeen[];
  meta: SegmentMetaValue[];
}

/** What is wrong with a counter. `negative sum`: an event's `s` below 0, which Countly accepts from SDKs (refunds), kept apart from real damage. */
export type CounterProblemKind = "string" | "negative" | "negative sum" | "NaN" | "infinite" | "null" | "boolean" | "array" | "not a number";

/** Which aggregated data a collection holds. */
export type CounterCollectionKind = "events" | "users" | "sources" | "metrics" | "views";

/** A leaf of an aggregated document's `d` tree that is not a finite, non-negative number. */
export interface CounterProblem {
  app: string;
  kind: CounterCollectionKind;
  /** `<db>.<collection>`. */
  collection: string;
  /** The document `_id` (ObjectIds as hex). */
  id: string;
  /** Dotted path inside the document, e.g. `d.27.14.c`. */
  path: string;
  /** The value as printed (strings quoted, cut at 40 characters). */
  value: string;
  problem: CounterProblemKind;
  /** The document's period (`YYYY:M`, or `YYYY:0` for a year document), when known. */
  period?: string;
  /** The app-local day, for a counter inside a month document's day. */
  day?: Day;
}

export interface CounterProblemsFact {
  rows: CounterProblem[];
  /** Problems beyond the first 100 per app, collection and problem kind are only counted. */
  omitted: { app: string; kind: CounterCollectionKind; collection: string; problem: CounterProblemKind; count: number }[];
  /** Documents with a `d` tree read per app and kind (so a check can tell "clean" from "nothing read"). */
  scanned: { app: string; kind: CounterCollectionKind; docs: number }[];
}

// --- Sessions, views, sources, aggregator tokens, collections (issue #3) ---

/** Session totals of one app and day from `countly.users` month documents: `d.<day>.t`, summed over the `_<postfix>` documents. */
export interface SessionAggregateDay {
  app: string;
  day: Day;
  /** `t`: sessions. */
  t: number;
  /** Month documents holding the day (one per device-id postfix). */
  docs: number;
}

export interface SessionAggregatesFact {
  days: SessionAggregateDay[];
}

/**
 * Raw session and view documents inserted within the last minutes before the newest raw
 * insert, per insertion minute (custom events have their own tail in rawEvents).
 */
export interface RawTailRow {
  app: string;
  /** `[CLY]_session`, `[CLY]_session_begin` or `[CLY]_view`. */
  e: string;
  /** The view name for views, "" for sessions. */
  key: string;
  day: Day;
  /** Insertion minute: floor(cd ms / 60000). */
  minute: number;
  docs: number;
  /** `[CLY]_view` documents that count as a visit (`sg.visit`). */
  visits: number;
  /** Session documents per source (`up.src` as Countly stores it). */
  bySource: Record<string, number>;
}

export interface RawTailFact {
  rows: RawTailRow[];
  /** Newest insertion minute over every raw document read (all kinds, days and apps; legacy layout: the collections of the apps in scope); undefined if none had `cd`. */
  maxCdMinute?: number;
}

/** Visits of one view and day from the views plugin's no-segment documents (`d.<day>.t`). */
export interface ViewVisitsDay {
  app: string;
  /** md5(view name) in the current layout; the view's `app_viewsmeta<appId>` ObjectId (hex) in the legacy one. */
  viewId: string;
  /** The view name: the document's `n`, else its `app_viewsmeta` entry; undefined when neither names it. */
  view?: string;
  day: Day;
  visits: number;
}

/** An `app_viewsmeta` entry (legacy: `app_viewsmeta<appId>`). */
export interface ViewMetaEntry {
  app: string;
  viewId: string;
  view: string;
}

export interface ViewVisitsFact {
  days: ViewVisitsDay[];
  meta: ViewMetaEntry[];
}

/** A source listed in `meta_v2.sources` of an app's year ("zero") documents in `countly.sources`. */
export interface SourceMetaValue {
  app: string;
  /** The year of the zero document (`<appId>_<YYYY:0>_<P>`). */
  year: number;
  source: string;
}

export interface SourceMetaFact {
  values: SourceMetaValue[];
}

/** Raw drill documents of one app and internal key (`e`), over all time: not limited to the period. */
export interface RawInsertRow {
  /** `a` (current layout; "" when missing) or the app a legacy collection belongs to. */
  app: string;
  /** `[CLY]_custom`, `[CLY]_session`, `[CLY]_view`... */
  e: string;
  docs: number;
  /** Session documents (`[CLY]_session`, `[CLY]_session_begin`) with a non-empty `up.src`. */
  withSource: number;
  /** Newest insertion time (`cd`, ms); undefined if no document had one. */
  maxCd?: number;
  /** Newest `cd` (ms) of the documents inserted before the tail window (minute <= maxCdMinute - tailMinutes). */
  settledMaxCd?: number;
  /** Newest `cd` (ms) per insertion minute within the tail window. */
  tail: { minute: number; maxCd: number }[];
}

export interface RawInsertsFact {
  rows: RawInsertRow[];
  /** Newest insertion minute over every raw document read; undefined if none had `cd`. */
  maxCdMinute?: number;
}

/** One consumer of `countly.plugins` `_changeStreams`: `<consumer>: { token, _id, cd }`. */
export interface ChangeStreamToken {
  consumer: string;
  /** `cd` of the last raw document the consumer acknowledged (ms); undefined when missing. */
  cd?: number;
  /** `_id` of that document, as text. */
  id?: string;
  /** A resume token is stored (the polling fallback stores `"timed"`). */
  hasToken: boolean;
  /** What the token's `_data` encodes (countly/resume-token.ts). */
  resume?: ResumeTokenInfo;
  /** Why a stored token could not be decoded; undefined for the polling fallback's `"timed"`. */
  undecodable?: string;
}

/** The UUID of a collection as the source knows it (dump: `<coll>.metadata.json`; live: listCollections `info.uuid`), or why it is unknown. */
export type CollectionUuid = { uuid: string; from: string } | { unknown: string };

export interface ChangeStreamsFact {
  /** Raw data layout: the legacy one (`drill_events<H>`) has no change-stream aggregator. */
  drillLayout: "current" | "legacy";
  /** `countly.plugins` holds a `_changeStreams` document. */
  present: boolean;
  tokens: ChangeStreamToken[];
  /** UUID of `countly_drill.drill_events`, the collection every consumer watches (undefined in the legacy layout). */
  drillEvents?: CollectionUuid;
  /** Live only: the oldest entry of `local.oplog.rs` (a token older than it cannot resume), or why it could not be read. */
  oplog?: { oldest: ClusterTime } | { unreadable: string };
}

/** Documents in one collection the collections-present check looks at. */
export interface CollectionCount {
  db: string;
  name: string;
  docs: number;
}

export interface CollectionCountsFact {
  databases: DatabaseNames;
  layout: DetectedLayout;
  /** database name -> every collection the source lists. */
  present: Record<string, string[]>;
  /** Counted collections (the aggregated and raw ones the check knows), present ones only. */
  counts: CollectionCount[];
}

/**
 * What the data says about the Countly build that wrote it (countly/profile.ts turns it
 * into the run's profile). Read from small collections and the aggregated event and
 * view documents, over all time (not limited to the period). Per-app parts are keyed
 * objects, so scoping a fact to an app keeps every app's values.
 */
export interface BuildSignalsFact {
  layout: DetectedLayout;
  /** `countly.plugins` `{_id: "plugins"}` `api.event_limit`, when set. */
  eventLimit?: number;
  /** app id -> `countly.apps` `plugins.api.event_limit` (the per-app override), when set. */
  appEventLimits: Record<string, number>;
  /** Aggregated event segment month documents (`s` a segment key), over all apps and time. */
  segmentDocs: number;
  /** Aggregated event no-segment month documents, over all apps and time. */
  totalDocs: number;
  /** `countly.events` documents with at least one `segments.<event>` entry. */
  segmentRegistries: number;
  /** app id -> the newest app-local day with view visits in the no-segment view documents (any time). */
  viewsLastDay: Record<string, Day>;
  /** app id -> the oldest such day. */
  viewsFirstDay: Record<string, Day>;
}

/** Documents of one app id that no `countly.apps` document has, in one collection: data no check reads (issue 13). */
export interface UnknownAppData {
  /** The id as the data names it: raw `a` ("" when missing or not a string), the `_id` prefix of an aggregated document, the `<appId>` of `app_viewsmeta<appId>`. */
  app: string;
  /** `<db>.<collection>`. */
  collection: string;
  docs: number;
}

export interface UnknownAppsFact {
  /** The ids of the `countly.apps` documents, sorted (a worker thread's part may hold rows of them: the merge drops those). */
  known: string[];
  /** Over all time and every app, sorted by app then collection. */
  rows: UnknownAppData[];
}

/**
 * Raw drill documents of one app and drill_meta key (`n` of `[CLY]_custom`, else `e`) in the
 * run's period (current layout): the key itself (`segment` absent) or one segment key of `sg`.
 */
export interface DrillMetaSeen {
  app: string;
  key: string;
  segment?: string;
  docs: number;
  /** Oldest `cd` (ms) among them; absent when none has a usable one. */
  firstCd?: number;
  firstDay: Day;
  lastDay: Day;
}

/** A `countly_drill.drill_meta` document (the aggregator's drill-meta consumer, api/aggregator/processing.js 001abe87). */
export interface DrillMetaDoc {
  /** The app the `_id` names (`<appId>_meta_...`), else `app_id`. */
  app: string;
  id: string;
  e?: string;
  type?: string;
  /** The segment keys it registers: paths under `sg` that hold a `type`. */
  segments: string[];
}

/** The raw side (`drill_events` only, so the `--jobs` workers can build it by app). */
export interface DrillMetaFact {
  seen: DrillMetaSeen[];
  /** Newest `cd` (ms) of the raw documents read. */
  maxCd?: number;
}

/** The `countly_drill.drill_meta` documents. */
export interface DrillMetaDocsFact {
  /** The collection exists. */
  present: boolean;
  docs: DrillMetaDoc[];
}

/** Every fact a check can ask for, by name. */
export interface FactValues {
  rawEvents: RawEventsFact;
  rawSessions: RawSessionDay[];
  rawViews: RawViewDay[];
  eventAggregates: EventAggregatesFact;
  viewAggregates: ViewAggregatesFact;
  sourceAggregates: SourceAggregatesFact;
  eventHours: EventHoursFact;
  allKeyTotals: AllKeyTotalsFact;
  eventCatalog: EventCatalogFact;
  segmentMeta: SegmentMetaFact;
  counterProblems: CounterProblemsFact;
  sessionAggregates: SessionAggregatesFact;
  rawTail: RawTailFact;
  viewVisits: ViewVisitsFact;
  sourceMeta: SourceMetaFact;
  rawInserts: RawInsertsFact;
  changeStreams: ChangeStreamsFact;
  collectionCounts: CollectionCountsFact;
  buildSignals: BuildSignalsFact;
  unknownApps: UnknownAppsFact;
  drillMeta: DrillMetaFact;
  drillMetaDocs: DrillMetaDocsFact;
}

export type FactName = keyof FactValues;

/** Parameters a fact takes; requests for the same fact are merged (widest wins). */
export interface FactParams {
  /** rawEvents: minutes of insertion tail to keep per group (for settle windows); rawTail and rawInserts likewise. */
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
  /** The run was not narrowed to some apps: `apps` are all the database's apps (but those that cannot be evaluated). Whole-database facts (rawInserts) then read raw data of any app id. */
  allApps?: boolean;
  /** `--max-memory`: what the facts may hold (a default budget when absent). */
  budget?: MemoryBudget;
}
