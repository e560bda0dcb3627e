// Whether the Countly build behind the data writes segment documents at all. Builds whose
// aggregator registers only processEventTotalsFromStream (api/aggregator/processing.js,
// commit 001abe8) write no segment documents and no `countly.events.segments`: there is
// nothing to check, and passing would claim segments were verified.
import { PROFILE_FACTS, profileOf } from "./profile.ts";
import type { AppFacts, Skip } from "../types.ts";

/** A skip when the data shows a totals-only build; undefined when segments are written (or it cannot tell). */
export function skipWithoutSegmentWriting(facts: AppFacts): Skip | undefined {
  const segments = profileOf(facts).segments;
  if (segments.value !== "not-written") return undefined;
  return { skipped: `segments not checked: this Countly build writes no segment documents — ${segments.basis}` };
}

/** The facts skipWithoutSegmentWriting reads. */
export const SEGMENT_WRITING_FACTS = PROFILE_FACTS;
