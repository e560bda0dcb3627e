// Countly builds as profiles: which of the behaviours that differ between builds a
// database shows, detected from its data (the buildSignals fact). Checks read it to
// judge what the running build really writes; the run prints it so a user sees what
// the checker assumed. Each behaviour names the Countly file and commit it comes from.
import type { BuildSignalsFact, ChangeStreamsFact } from "../runner/facts/types.ts";
import type { Day } from "./time.ts";

/** `api.event_limit` when neither `countly.plugins` nor the app sets it (api/config defaults). */
export const DEFAULT_EVENT_LIMIT = 500;

export type Aggregation = "change-streams" | "synchronous-api";
export type SegmentWriting = "written" | "not-written" | "unknown";
export type ViewAggregation = "aggregated" | "none";

export interface ProfileEntry<V extends string> {
  value: V;
  /** What in the data says so. */
  basis: string;
}

export interface CountlyProfile {
  /** Who writes the aggregates: the 25.x aggregator process (change streams on drill_events) or the API itself, per request. */
  aggregation: ProfileEntry<Aggregation>;
  /** Whether the build writes segment documents and `countly.events.segments`. */
  segments: ProfileEntry<SegmentWriting>;
  /** Whether any view aggregates exist, and per app up to which day. */
  views: ProfileEntry<ViewAggregation> & { lastDay: Record<string, Day>; firstDay: Record<string, Day> };
  /** The event limit in force: the server's and the per-app overrides. */
  eventLimit: { server: number; basis: string; apps: Record<string, number> };
}

export const CITES = {
  eventLimit25:
    "api/aggregator/usage.js (commit 63d5a9b9) processEventTotalsFromStream: a new key is added only while `_list_length <= event_limit`, else the event is not aggregated (the list ends at event_limit + 1 keys)",
  eventLimitLegacy:
    "api/parts/data/events.js (commit 051870e) processEvents: skips a new key once the list read at the start of the request holds event_limit keys, so one request can add several (the list can exceed the limit)",
  totalsOnly: "api/aggregator/processing.js (commit 001abe8) registers only usage.processEventTotalsFromStream: no segment documents, no countly.events.segments",
  viewsBug:
    "plugins/views/api/aggregator.js (commit 0a0731a) `views-insert` $projects the change event to {__id, cd, sg, e, n, ts, dur} (no `a`) and then requires `next.a`: no view is ever aggregated from the change stream (the older version, commit 6fcc82b, used $addFields)",
} as const;

/** `consumers`: the consumers with an entry in `countly.plugins` `_changeStreams` (the changeStreams fact). */
export function detectProfile(s: BuildSignalsFact, consumers: readonly string[]): CountlyProfile {
  const aggregation = aggregationOf(s, consumers);
  return {
    aggregation,
    segments: segmentsOf(s, aggregation.value),
    views: viewsOf(s),
    eventLimit: {
      server: s.eventLimit ?? DEFAULT_EVENT_LIMIT,
      basis: s.eventLimit !== undefined ? "countly.plugins api.event_limit" : `Countly's default (${DEFAULT_EVENT_LIMIT}; countly.plugins sets no api.event_limit)`,
      apps: { ...s.appEventLimits },
    },
  };
}

function aggregationOf(s: BuildSignalsFact, consumers: readonly string[]): ProfileEntry<Aggregation> {
  if (consumers.length > 0) return { value: "change-streams", basis: `countly.plugins _changeStreams has ${consumers.length} consumer${consumers.length === 1 ? "" : "s"} (${[...consumers].sort().join(", ")})` };
  if (s.layout.drill === "legacy") return { value: "synchronous-api", basis: "raw data in per-event drill_events<hash> collections (the API aggregates each request, api/parts/data/events.js)" };
  if (s.layout.events === "legacy") return { value: "synchronous-api", basis: "aggregated events in per-event events<hash> collections (api/parts/data/events.js)" };
  return { value: "change-streams", basis: "single drill_events and events_data collections (25.x layout), no _changeStreams document" };
}

function segmentsOf(s: BuildSignalsFact, aggregation: Aggregation): ProfileEntry<SegmentWriting> {
  if (s.segmentDocs > 0 || s.segmentRegistries > 0) {
    return { value: "written", basis: `${s.segmentDocs} segment month document${s.segmentDocs === 1 ? "" : "s"}, ${s.segmentRegistries} countly.events segment registr${s.segmentRegistries === 1 ? "y" : "ies"}` };
  }
  if (aggregation === "synchronous-api") return { value: "written", basis: "the API writes segment documents with every event (api/parts/data/events.js); none found" };
  if (s.totalDocs === 0) return { value: "unknown", basis: "no aggregated event documents at all" };
  return { value: "not-written", basis: `${s.totalDocs} event total documents but no segment document and no countly.events segments: ${CITES.totalsOnly}` };
}

function viewsOf(s: BuildSignalsFact): CountlyProfile["views"] {
  const apps = Object.keys(s.viewsLastDay).length;
  const base = { lastDay: { ...s.viewsLastDay }, firstDay: { ...s.viewsFirstDay } };
  if (apps === 0) return { ...base, value: "none", basis: "no view visits in any view aggregate document (views never aggregated, or no views)" };
  const last = Object.values(s.viewsLastDay).sort().at(-1)!;
  return { ...base, value: "aggregated", basis: `view aggregates for ${apps} app${apps === 1 ? "" : "s"}, newest ${last}` };
}

/** The event limit in force for one app: `plugins.getConfig("api", app.plugins, true)` lets the app's own `api.event_limit` override the server's. */
export function eventLimitFor(profile: CountlyProfile, appId: string): number {
  return profile.eventLimit.apps[appId] ?? profile.eventLimit.server;
}

/**
 * Whether an app's event list is full, so Countly neither lists nor aggregates a new
 * event key (its raw drill events are still stored). The change-stream aggregator still
 * adds a key while the list holds `limit` keys (`<=`); the API stops at `limit` (`>=`).
 */
export function eventListFull(profile: CountlyProfile, listLength: number, limit: number): boolean {
  return profile.aggregation.value === "change-streams" ? listLength > limit : listLength >= limit;
}

/** One line per behaviour, for the console header and report properties. */
export function describeProfile(p: CountlyProfile): Record<string, string> {
  const overrides = Object.entries(p.eventLimit.apps);
  return {
    aggregation: `${p.aggregation.value === "change-streams" ? "change-stream aggregator (25.x)" : "synchronous API (24.x and older)"} — ${p.aggregation.basis}`,
    segments: `${p.segments.value === "written" ? "segment documents written" : p.segments.value === "not-written" ? "no segment documents (totals-only aggregator): segment checks skip" : "unknown"} — ${p.segments.basis}`,
    views: `${p.views.value === "aggregated" ? "views aggregated" : "no view aggregates"} — ${p.views.basis}`,
    "event-limit": `${p.eventLimit.server} (${p.eventLimit.basis})${overrides.length ? `; per-app overrides: ${overrides.map(([a, n]) => `${a}=${n}`).join(", ")}` : ""}`,
  };
}

/** The profile's behaviours as docs/checks.md explains them (Markdown lines). */
export const PROFILE_DOC: readonly string[] = [
  "## Countly builds as profiles",
  "",
  "Countly builds differ in what they write, so every run first detects from the data which behaviours the database shows and prints that profile in the console header, as JUnit `<property name=\"profile.*\">` of every suite and as `profile` in the JSON report. The checks judge by it:",
  "",
  "| behaviour | detected from | what the checks do | Countly source |",
  "|---|---|---|---|",
  "| aggregation: change-stream aggregator (25.x) or synchronous API | a `countly.plugins` `_changeStreams` document with consumers; else the per-event `drill_events<hash>` / `events<hash>` layout means the API | decides how a full event list behaves (below) and whether the views-aggregator bug is a possible cause | api/aggregator/processing.js (commit 001abe8); api/parts/data/events.js (commit 051870e) |",
  `| segments written or not | segment month documents in \`events_data\` / \`events<hash>\` and \`countly.events\` \`segments\`; a change-stream build with event totals but neither writes no segments | \`event-segments-within-total\` and \`segment-meta-matches-data\` skip with that reason instead of passing vacuously | ${CITES.totalsOnly} |`,
  `| event limit | \`countly.plugins\` \`{_id: "plugins"}\` \`api.event_limit\`, overridden per app by \`countly.apps\` \`plugins.api.event_limit\` (plugins.getConfig("api", app.plugins, true)); default ${DEFAULT_EVENT_LIMIT} | \`events-match-raw\` does not expect aggregates for a key missing from a full list; \`event-list-matches-data\` does not report it. Full: more than the limit on the change-stream aggregator, the limit or more on the API | ${CITES.eventLimit25}; ${CITES.eventLimitLegacy} |`,
  `| views aggregated or not | per app the first and last day with visits in the no-segment view documents (\`app_viewdata\`, legacy \`app_viewdata<sha1(appId)>\`), over all time | \`views-match-raw\` and \`views-present-when-raw\` tell "never aggregated on this server at all" (no view aggregates for any day; cause: not restored, or the build below) from "missing only up to <day>" (aggregates start later: the ones before a restore were not restored) and "missing after <day>" (aggregates stop) | ${CITES.viewsBug} |`,
  "",
  "Segment values also differ by writer: the legacy API keeps day-like values \"1\"..\"31\" as `[CLY]1`..`[CLY]31` (api/parts/data/events.js, commit 051870e), the 25.x processEventFromStream skips them (api/aggregator/usage.js, commit 63d5a9b9); the generator (`fixtures/`) writes each build's way. `countly-check selftest` and the mutation matrix generate every build: `24.x-api`, `25.x-aggregator` (segments written) and `25.x-totals-only`.",
];

/** The consumer names of the changeStreams fact. */
export function consumersOf(streams: ChangeStreamsFact | undefined): string[] {
  return streams?.tokens.map((t) => t.consumer) ?? [];
}
