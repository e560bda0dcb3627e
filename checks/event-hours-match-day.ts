// In each no-segment month document, a day's c/s/dur equals the sum over its hour
// buckets: common.fillTimeObjectMonth writes `d.<day>.<prop>` and `d.<day>.<hour>.<prop>`
// from the same increment, so only something other than Countly can split them.
import type { CheckDefinition } from "./types.ts";
import { withinTolerance } from "./types.ts";

export interface EventHoursMatchDayOptions {
  fields: ("c" | "s" | "dur")[];
  tolerance: number;
  missing_hours: "fail" | "ignore";
  exclude_events: string[];
}

const FIELD_NAMES = { c: "count (c)", s: "sum (s)", dur: "duration (dur)" } as const;
const FLOAT_EPSILON = 1e-9;

export const eventHoursMatchDay: CheckDefinition<EventHoursMatchDayOptions> = {
  meta: {
    kind: "event-hours-match-day",
    summary: "In every no-segment month document, each day's c/s/dur equals the sum over its 24 hour buckets.",
    proves:
      "Countly increments an event's no-segment month document at the day (`d.<day>.c`) and at the hour (`d.<day>.<hour>.c`, hours \"0\"..\"23\" in the app's timezone) from the same increment (common.fillTimeObjectMonth), in both the current (`countly.events_data`) and the legacy (`countly.events<hash>`) layout. So per event and app-local day, `d.<day>.c` = Σ hours `d.<day>.<h>.c`, and the same for `s` and `dur`. Needs no raw data: it holds for any history.",
    perApp: true,
    options: {
      type: "object",
      properties: {
        fields: {
          type: "array",
          items: { enum: ["c", "s", "dur"] },
          minItems: 1,
          default: ["c", "s", "dur"],
          description: "Counters to compare. (A Countly 25.x build whose processEventFromStream wrote a segment value's dur into the no-segment document puts the dur of a segment value \"0\" into hour 0; leave `dur` out if such data exists.)",
        },
        tolerance: { type: "number", minimum: 0, default: 0, description: "Absolute difference allowed per event, day and counter (float rounding of s/dur is always allowed)." },
        missing_hours: {
          enum: ["fail", "ignore"],
          default: "fail",
          description: "Days with counters but no hour bucket at all: `fail`, or `ignore` for data whose hourly level was removed on purpose.",
        },
        exclude_events: { type: "array", items: { type: "string" }, default: [], description: "Event keys to leave out." },
      },
    },
    likelyCause:
      "The day total and the hour buckets were changed separately: a partial merge (merge_events_collections.js applies a document's `$inc`s in chunks and can stop between them; a restore or hand-made repair that rewrote `d.<day>.c` but not the hours, or the reverse), or counters edited by hand. The dashboard's hourly chart and the daily numbers then disagree.",
    remediation:
      "Restore the affected documents of `countly.events_data` (legacy: `countly.events<hash>`) from the backup as a whole; if a merge was interrupted, re-run it from a clean copy rather than on top of the partial result.",
    exampleFinding: "app Shop (65f0…) · event Buy · day 2024-10-27 · c: expected 42, actual 40 — the day's count (c) is 42 but its 23 hour buckets add up to 40: day and hours were merged separately (a partial merge?)",
  },
  needs: () => [{ fact: "eventHours" }],
  evaluate(ctx) {
    const o = ctx.options;
    const rows = ctx.facts.get("eventHours").rows.filter((r) => !o.exclude_events.includes(r.key));
    if (rows.length === 0) return { skipped: "no aggregated event data in the period" };
    for (const r of rows) {
      if (r.hourBuckets === 0) {
        if (o.missing_hours === "fail" && o.fields.some((f) => r[f] !== 0)) {
          const f = o.fields.find((x) => r[x] !== 0)!;
          ctx.report({
            event: r.key,
            day: r.day,
            field: f,
            expected: r[f],
            actual: 0,
            message: `the day has ${FIELD_NAMES[f]} ${round(r[f])} but no hour buckets at all (${r.doc}): hourly data lost in a partial merge or removed by hand?`,
          });
        }
        continue;
      }
      for (const f of o.fields) {
        const day = r[f];
        const hours = r.hours[f];
        const eps = f === "c" ? 0 : FLOAT_EPSILON * Math.max(1, Math.abs(day));
        if (Math.abs(day - hours) <= eps || withinTolerance(day, hours, { absolute: o.tolerance, relative: 0 })) continue;
        const why = hours < day ? "hour increments are missing: day and hours were merged separately (a partial merge?)" : "the hours hold more than the day: hour buckets merged twice, or the day total was overwritten";
        ctx.report({
          event: r.key,
          day: r.day,
          field: f,
          expected: day,
          actual: hours,
          message: `the day's ${FIELD_NAMES[f]} is ${round(day)} but its ${r.hourBuckets} hour bucket${r.hourBuckets === 1 ? "" : "s"} add up to ${round(hours)} (${r.doc}): ${why}`,
        });
      }
    }
  },
};

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
