// Which live collector computes each fact. Facts over raw drill data have a server-side
// pipeline here; every other fact reads small aggregated or metadata collections and is
// streamed through its dump collector's own visitor (pipelines/aggregates.ts), so a
// fact added to the dump collectors works live at once, with identical semantics.
import type { FactName } from "../../../facts/types.ts";
import { eventAggregatesLive, sourceAggregatesLive, streamed, viewAggregatesLive } from "./aggregates.ts";
import { buildSignalsLive } from "./build-signals.ts";
import { changeStreamsLive } from "./change-streams.ts";
import { collectionCountsLive } from "./collection-counts.ts";
import { drillMetaDocsLive, drillMetaLive } from "./drill-meta.ts";
import { rawEventsLive } from "./raw-events.ts";
import { rawInsertsLive } from "./raw-inserts.ts";
import { rawSessionsLive } from "./raw-sessions.ts";
import { rawTailLive } from "./raw-tail.ts";
import { rawViewsLive } from "./raw-views.ts";
import type { LiveCollector } from "./types.ts";

type Collectors = Partial<{ [K in FactName]: LiveCollector<K> }>;

const DEDICATED: Collectors = {
  rawEvents: rawEventsLive,
  rawSessions: rawSessionsLive,
  rawViews: rawViewsLive,
  rawTail: rawTailLive,
  rawInserts: rawInsertsLive,
  eventAggregates: eventAggregatesLive,
  viewAggregates: viewAggregatesLive,
  sourceAggregates: sourceAggregatesLive,
  collectionCounts: collectionCountsLive,
  buildSignals: buildSignalsLive,
  changeStreams: changeStreamsLive,
  drillMeta: drillMetaLive,
  drillMetaDocs: drillMetaDocsLive,
};

/** The live collector of a fact (the generic streamed one refuses to read raw drill collections). */
export function liveCollector<K extends FactName>(fact: K): LiveCollector<K> {
  return (DEDICATED[fact] as LiveCollector<K> | undefined) ?? streamed(fact);
}
