// Countly's event limit, as both event checks apply it: once an app's `countly.events.list`
// is full, a new event key is neither listed nor aggregated, while its raw drill events
// are still stored. 25.x: api/aggregator/usage.js (commit 63d5a9b9)
// processEventTotalsFromStream; legacy: api/parts/data/events.js (commit 051870e).
// The limit is `api.event_limit` of `countly.plugins`, overridden per app by
// `countly.apps` `plugins.api.event_limit` (default 500).
import { eventLimitFor, eventListFull } from "../../countly/profile.ts";
import { PROFILE_FACTS, profileOf } from "./profile.ts";
import type { AppFacts } from "../types.ts";

export interface EventLimitState {
  limit: number;
  /** Where the limit comes from, for messages. */
  basis: string;
  /** The list is full: unlisted keys are not aggregated by design. */
  full: boolean;
  listed: ReadonlySet<string>;
  /** A key left out of the full list: Countly keeps its raw events but never aggregates them. */
  neverAggregated(key: string): boolean;
}

/** The option `event_limit` (when the scenario sets it) wins over what the data says. */
export function eventLimitState(facts: AppFacts, appId: string, optionLimit: number | undefined): EventLimitState {
  const profile = profileOf(facts);
  const list = facts.get("eventCatalog").apps[0]?.list ?? [];
  const limit = optionLimit ?? eventLimitFor(profile, appId);
  const basis =
    optionLimit !== undefined ? "the scenario's event_limit" : profile.eventLimit.apps[appId] !== undefined ? "the app's plugins.api.event_limit" : profile.eventLimit.basis;
  const full = eventListFull(profile, list.length, limit);
  const listed = new Set(list);
  return { limit, basis, full, listed, neverAggregated: (key) => full && !listed.has(key) };
}

/** The facts eventLimitState reads. */
export const EVENT_LIMIT_FACTS = [...PROFILE_FACTS, { fact: "eventCatalog" as const }];
