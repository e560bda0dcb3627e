// Shared by the session and source checks: which raw session documents Countly counted,
// and which raw documents are recent enough to be still on their way to the aggregates.
import { INTERNAL_EVENTS } from "../countly/layout.ts";
import type { RawTailFact, RawTailRow } from "../runner/facts/types.ts";
import type { JsonSchema } from "./types.ts";

export type CountFrom = "auto" | "session" | "session_begin";
export type SessionKind = typeof INTERNAL_EVENTS.session | typeof INTERNAL_EVENTS.sessionBegin;

export const COUNT_FROM_OPTION: JsonSchema = {
  enum: ["auto", "session", "session_begin"],
  default: "auto",
  description:
    "Which raw documents a session is: `session` counts `[CLY]_session` (Countly builds whose `session-ingestion` aggregator watches it, e.g. api/aggregator/processing.js 001abe8, and the legacy API), `session_begin` counts `[CLY]_session_begin` (later builds, e.g. processing.ts 0a732d3). `auto`: the kind that exists; if the app has both, the kind that matches the aggregates on more days.",
};

/** The raw kind to count for an app: fixed by the option, or picked (see COUNT_FROM_OPTION). */
export function chooseSessionKind(option: CountFrom, totals: Record<SessionKind, number>, matches: (kind: SessionKind) => number): SessionKind {
  if (option === "session") return INTERNAL_EVENTS.session;
  if (option === "session_begin") return INTERNAL_EVENTS.sessionBegin;
  if (totals[INTERNAL_EVENTS.sessionBegin] === 0) return INTERNAL_EVENTS.session;
  if (totals[INTERNAL_EVENTS.session] === 0) return INTERNAL_EVENTS.sessionBegin;
  // Both exist: the one the aggregates agree with more often; on a tie the newer builds' kind.
  return matches(INTERNAL_EVENTS.session) > matches(INTERNAL_EVENTS.sessionBegin) ? INTERNAL_EVENTS.session : INTERNAL_EVENTS.sessionBegin;
}

/** Tail rows inserted within the settle window: after minute `maxCdMinute - settleMinutes`. */
export function recentRows(tail: RawTailFact, settleMinutes: number): RawTailRow[] {
  if (tail.maxCdMinute === undefined) return [];
  const cutoff = tail.maxCdMinute - settleMinutes;
  return tail.rows.filter((r) => r.minute > cutoff);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Do per-day differences mostly cancel out over the period? That is what aggregating in
 * another timezone than the app's does: every moved document is one too few on its day
 * and one too many on a neighbouring day, so the totals agree while the days do not.
 * `pairs` are (expected, actual) over every compared cell, aggregated-only ones included.
 */
export function looksShifted(pairs: Iterable<readonly [number, number]>): boolean {
  let net = 0;
  let gross = 0;
  for (const [expected, actual] of pairs) {
    net += actual - expected;
    gross += Math.abs(actual - expected);
  }
  return gross >= 2 && Math.abs(net) * 2 <= gross;
}

export function shiftedHint(timezone: string): string {
  return `the period's totals agree but the days do not: aggregated in another timezone than the app's (${timezone})? check \`timezone\` in countly.apps`;
}
