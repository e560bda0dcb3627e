import type { FactName } from "../../../facts/types.ts";
import { eventAggregatesLive, sourceAggregatesLive, viewAggregatesLive } from "./aggregates.ts";
import { rawEventsLive } from "./raw-events.ts";
import { rawSessionsLive } from "./raw-sessions.ts";
import { rawViewsLive } from "./raw-views.ts";
import type { LiveCollector } from "./types.ts";

/** Every fact's live collector, by fact name (the counterpart of DUMP_COLLECTORS). */
export const LIVE_COLLECTORS: { [K in FactName]: LiveCollector<K> } = {
  rawEvents: rawEventsLive,
  rawSessions: rawSessionsLive,
  rawViews: rawViewsLive,
  eventAggregates: eventAggregatesLive,
  viewAggregates: viewAggregatesLive,
  sourceAggregates: sourceAggregatesLive,
};
