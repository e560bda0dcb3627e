// The one explicit registry of check kinds. Adding a check: write checks/<kind>.ts and list it here.
import { eventSegmentsWithinTotal } from "./event-segments-within-total.ts";
import { eventsMatchRaw } from "./events-match-raw.ts";
import { sourcesPresentWhenRaw } from "./sources-present-when-raw.ts";
import type { CheckDefinition } from "./types.ts";
import { viewsPresentWhenRaw } from "./views-present-when-raw.ts";

const ALL = [eventsMatchRaw, eventSegmentsWithinTotal, viewsPresentWhenRaw, sourcesPresentWhenRaw] as unknown as CheckDefinition[];

export const CHECKS: ReadonlyMap<string, CheckDefinition> = new Map(ALL.map((c) => [c.meta.kind, c]));
