import type { FactName } from "../types.ts";
import type { DumpCollector } from "../collector.ts";
import { eventAggregatesFromDump } from "./event-aggregates.ts";
import { rawEventsFromDump } from "./raw-events.ts";
import { rawSessionsFromDump } from "./raw-sessions.ts";
import { rawViewsFromDump } from "./raw-views.ts";
import { sourceAggregatesFromDump } from "./source-aggregates.ts";
import { viewAggregatesFromDump } from "./view-aggregates.ts";
import { allKeyTotalsFromDump } from "./all-key-totals.ts";
import { counterProblemsFromDump } from "./counter-problems.ts";
import { eventCatalogFromDump } from "./event-catalog.ts";
import { eventHoursFromDump } from "./event-hours.ts";
import { segmentMetaFromDump } from "./segment-meta.ts";
import { changeStreamsFromDump } from "./change-streams.ts";
import { collectionCountsFromDump } from "./collection-counts.ts";
import { rawInsertsFromDump } from "./raw-inserts.ts";
import { rawTailFromDump } from "./raw-tail.ts";
import { sessionAggregatesFromDump } from "./session-aggregates.ts";
import { sourceMetaFromDump } from "./source-meta.ts";
import { viewVisitsFromDump } from "./view-visits.ts";
import { buildSignalsFromDump } from "./build-signals.ts";
import { drillMetaDocsFromDump, drillMetaFromDump } from "./drill-meta.ts";

/** Every fact's dump collector, by fact name. */
export const DUMP_COLLECTORS: { [K in FactName]: DumpCollector<K> } = {
  rawEvents: rawEventsFromDump,
  rawSessions: rawSessionsFromDump,
  rawViews: rawViewsFromDump,
  eventAggregates: eventAggregatesFromDump,
  viewAggregates: viewAggregatesFromDump,
  sourceAggregates: sourceAggregatesFromDump,
  eventHours: eventHoursFromDump,
  allKeyTotals: allKeyTotalsFromDump,
  eventCatalog: eventCatalogFromDump,
  segmentMeta: segmentMetaFromDump,
  counterProblems: counterProblemsFromDump,
  sessionAggregates: sessionAggregatesFromDump,
  rawTail: rawTailFromDump,
  viewVisits: viewVisitsFromDump,
  sourceMeta: sourceMetaFromDump,
  rawInserts: rawInsertsFromDump,
  changeStreams: changeStreamsFromDump,
  collectionCounts: collectionCountsFromDump,
  buildSignals: buildSignalsFromDump,
  drillMeta: drillMetaFromDump,
  drillMetaDocs: drillMetaDocsFromDump,
};
