// Per event, day and segment key, the segment values add up to at most the event's
// no-segment total; exactly to it for segments the SDK always sends.
import type { Counters } from "../runner/facts/types.ts";
import { SEGMENT_WRITING_FACTS, skipWithoutSegmentWriting } from "./support/segment-writing.ts";
import type { CheckDefinition } from "./types.ts";
import { withinTolerance } from "./types.ts";

export interface SegmentsWithinTotalOptions {
  always_sent: string[] | Record<string, string[]>;
  tolerance: number;
  fields: ("c" | "s" | "dur")[];
}

const FLOAT_EPSILON = 1e-9;

export const eventSegmentsWithinTotal: CheckDefinition<SegmentsWithinTotalOptions> = {
  meta: {
    kind: "event-segments-within-total",
    summary: "Per event, day and segment, the sum over the segment's values is at most the event total (equal for always-sent segments).",
    proves:
      "Every occurrence of an event increments the no-segment document once and, for each kept segment key, exactly one value of that segment. So per event, app-local day and segment key, Σ values `d.<day>.<value>.c` ≤ `d.<day>.c` (same for `s` and `dur`), with equality for segments sent on every occurrence. Applies to aggregated data only, so it also works where raw data has been deleted. Skipped, with that reason, where the data shows a build that writes no segment documents at all (a change-stream aggregator with event totals but no segment document and no `countly.events.segments`: api/aggregator/processing.js commit 001abe8 registers only processEventTotalsFromStream).",
    perApp: true,
    options: {
      type: "object",
      properties: {
        always_sent: {
          anyOf: [
            { type: "array", items: { type: "string" } },
            { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
          ],
          default: [],
          description: "Segment keys sent with every occurrence: a list (for every event that has them) or a map event key -> segment keys. Their values must add up exactly to the total.",
        },
        tolerance: { type: "number", minimum: 0, default: 0, description: "Absolute difference allowed." },
        fields: { type: "array", items: { enum: ["c", "s", "dur"] }, minItems: 1, default: ["c", "s"], description: "Counters to compare. `dur` is off by default: some Countly 25.x builds write a segment value's dur into the no-segment document." },
      },
    },
    likelyCause:
      "Segment values above the total: the no-segment totals were zeroed or lost while segment documents survived (partial restore), or segment documents were merged twice. An always-sent segment below the total: segment documents were lost, or the running Countly build does not aggregate segments (25.x builds that only register processEventTotalsFromStream).",
    remediation:
      "Restore `countly.events_data` (or `events<hash>`) from the backup as a whole, not per document kind; if segments are missing for new data only, check that the aggregator version writes segment documents.",
    exampleFinding: "app Shop (65f0…) · event Buy · day 2024-10-27 · segment method · c: expected <= 0, actual 40 — the segment's 3 values add up to more than the event total: totals zeroed or lost while segment documents survived?",
  },
  needs: () => [...SEGMENT_WRITING_FACTS, { fact: "eventAggregates" }],
  evaluate(ctx) {
    const o = ctx.options;
    const unwritten = skipWithoutSegmentWriting(ctx.facts);
    if (unwritten) return unwritten;
    const facts = ctx.facts.get("eventAggregates");
    if (facts.totals.length === 0 && facts.segments.length === 0) return { skipped: "no aggregated event data in the period" };
    const totals = new Map<string, Counters>();
    for (const t of facts.totals) totals.set(`${t.key}\u0000${t.day}`, t);
    const alwaysSent = (key: string): string[] => (Array.isArray(o.always_sent) ? o.always_sent : (o.always_sent[key] ?? []));
    const seen = new Set<string>();

    for (const s of facts.segments) {
      seen.add(`${s.key}\u0000${s.day}\u0000${s.segment}`);
      const total = totals.get(`${s.key}\u0000${s.day}`) ?? { c: 0, s: 0, dur: 0 };
      const exact = alwaysSent(s.key).includes(s.segment);
      for (const f of o.fields) {
        const eps = f === "c" ? 0 : FLOAT_EPSILON * Math.max(1, Math.abs(total[f]));
        if (s[f] > total[f] + eps && !withinTolerance(total[f], s[f], { absolute: o.tolerance, relative: 0 })) {
          ctx.report({
            event: s.key,
            day: s.day,
            segment: s.segment,
            field: f,
            expected: `<= ${total[f]}`,
            actual: s[f],
            message: `the segment's ${s.values} value${s.values === 1 ? "" : "s"} add up to more than the event total: totals zeroed or lost while segment documents survived?`,
          });
        } else if (exact && s[f] < total[f] - eps && !withinTolerance(total[f], s[f], { absolute: o.tolerance, relative: 0 })) {
          ctx.report({
            event: s.key,
            day: s.day,
            segment: s.segment,
            field: f,
            expected: total[f],
            actual: s[f],
            message: `an always-sent segment adds up to less than the event total: segment documents lost?`,
          });
        }
      }
    }
    // An always-sent segment with no document at all on a day the event happened.
    for (const t of facts.totals) {
      if (t.c === 0) continue;
      for (const seg of alwaysSent(t.key)) {
        if (seen.has(`${t.key}\u0000${t.day}\u0000${seg}`)) continue;
        ctx.report({
          event: t.key,
          day: t.day,
          segment: seg,
          field: "c",
          expected: t.c,
          actual: 0,
          message: `an always-sent segment has no values on a day with ${t.c} events: segment documents lost?`,
        });
      }
    }
  },
};
