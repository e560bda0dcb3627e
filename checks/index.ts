// The one explicit registry of check kinds. Adding a check: write checks/<kind>.ts and list it here.
import { compare } from "./compare.ts";
import { eventSegmentsWithinTotal } from "./event-segments-within-total.ts";
import { eventsMatchRaw } from "./events-match-raw.ts";
import { pipeline } from "./pipeline.ts";
import { sourcesPresentWhenRaw } from "./sources-present-when-raw.ts";
import type { CheckDefinition } from "./types.ts";
import { viewsPresentWhenRaw } from "./views-present-when-raw.ts";
import { countersAreNumbers } from "./counters-are-numbers.ts";
import { eventAllKeyMatches } from "./event-all-key-matches.ts";
import { eventHoursMatchDay } from "./event-hours-match-day.ts";
import { eventListMatchesData } from "./event-list-matches-data.ts";
import { noDoubleCounting } from "./no-double-counting.ts";
import { segmentMetaMatchesData } from "./segment-meta-matches-data.ts";
import { aggregationCursorFresh } from "./aggregation-cursor-fresh.ts";
import { resumeTokensResumable } from "./resume-tokens-resumable.ts";
import { collectionsPresent } from "./collections-present.ts";
import { sessionsMatchRaw } from "./sessions-match-raw.ts";
import { sourcesMatchRaw } from "./sources-match-raw.ts";
import { viewsMatchRaw } from "./views-match-raw.ts";
import { matchesBackup } from "./matches-backup.ts";
import { drillMetaMatchesData } from "./drill-meta-matches-data.ts";

const ALL = [eventsMatchRaw, eventSegmentsWithinTotal, viewsPresentWhenRaw, sourcesPresentWhenRaw, pipeline, compare, eventHoursMatchDay, eventAllKeyMatches, eventListMatchesData, segmentMetaMatchesData, countersAreNumbers, noDoubleCounting, sessionsMatchRaw, viewsMatchRaw, sourcesMatchRaw, aggregationCursorFresh, resumeTokensResumable, collectionsPresent, matchesBackup, drillMetaMatchesData] as unknown as CheckDefinition[];

export const CHECKS: ReadonlyMap<string, CheckDefinition> = new Map(ALL.map((c) => [c.meta.kind, c]));
