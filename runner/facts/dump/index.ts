import type { FactName } from "../types.ts";
import type { DumpCollector } from "../collector.ts";
import { eventAggregatesFromDump } from "./event-aggregates.ts";
import { rawEventsFromDump } from "./raw-events.ts";
import { rawSessionsFromDump } from "./raw-sessions.ts";
import { rawViewsFromDump } from "./raw-views.ts";
import { sourceAggregatesFromDump } from "./source-aggregates.ts";
import { viewAggregatesFromDump } from "./view-aggregates.ts";

/** Every fact's dump collector, by fact name. */
export const DUMP_COLLECTORS: { [K in FactName]: DumpCollector<K> } = {
  rawEvents: rawEventsFromDump,
  rawSessions: rawSessionsFromDump,
  rawViews: rawViewsFromDump,
  eventAggregates: eventAggregatesFromDump,
  viewAggregates: viewAggregatesFromDump,
  sourceAggregates: sourceAggregatesFromDump,
};
