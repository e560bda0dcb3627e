// Aggregated event counters per app, event and day equal the raw drill events.
// This is the invariant that broke in Countly issue #6073 (counts 0 after restore).
import type { Counters, RawEventDay } from "../runner/facts/types.ts";
import { EVENT_LIMIT_FACTS, eventLimitState } from "./support/event-limit.ts";
import { DailyComparison } from "./shared/daily-comparison.ts";
import type { CheckDefinition } from "./types.ts";
import { withinTolerance } from "./types.ts";

export interface EventsMatchRawOptions {
  tolerance: number;
  relative_tolerance: number;
  settle_minutes: number;
  fields: ("c" | "s" | "dur")[];
  events?: string[];
  exclude_events: string[];
  aggregates_without_raw: "ignore" | "fail";
  event_limit?: number;
}

const FIELD_NAMES = { c: "count (c)", s: "sum (s)", dur: "duration (dur)" } as const;

/** Float sums of s/dur differ by rounding between Countly's $inc and ours. */
const FLOAT_EPSILON = 1e-9;

export const eventsMatchRaw: CheckDefinition<EventsMatchRawOptions> = {
  meta: {
    kind: "events-match-raw",
    summary: "Aggregated event counts (c, s, dur) per app, event and day equal the raw drill events.",
    proves:
      "For every custom event and app-local day in the period, the no-segment month document's `d.<day>.c` (and `s`, `dur` where sent) equals the sum over the raw `[CLY]_custom` drill documents of that event, bucketed by the app's timezone. Raw events inserted within the settle window before the newest insert may still be missing from the aggregates. Keys missing from a full `countly.events.list` are not compared: Countly keeps their raw events but never aggregates them (event limit from `countly.plugins` `api.event_limit` and the app's `plugins.api.event_limit`; 25.x api/aggregator/usage.js commit 63d5a9b9 stops adding keys at event_limit + 1, the legacy api/parts/data/events.js commit 051870e at event_limit or, within one request, a few more).",
    perApp: true,
    options: {
      type: "object",
      properties: {
        tolerance: { type: "number", minimum: 0, default: 0, description: "Absolute difference allowed per event and day." },
        relative_tolerance: { type: "number", minimum: 0, maximum: 1, default: 0, description: "Relative difference allowed per event and day (0.01 = 1 %)." },
        settle_minutes: { type: "number", minimum: 0, default: 5, description: "Raw events inserted (`cd`) this many minutes before the newest insert may not be aggregated yet." },
        fields: { type: "array", items: { enum: ["c", "s", "dur"] }, minItems: 1, default: ["c", "s", "dur"], description: "Counters to compare." },
        events: { type: "array", items: { type: "string" }, description: "Only these event keys (default: all)." },
        exclude_events: { type: "array", items: { type: "string" }, default: [], description: "Event keys to leave out." },
        aggregates_without_raw: {
          enum: ["ignore", "fail"],
          default: "ignore",
          description: "Aggregated days with no raw events at all: `ignore` (drill data retention deletes old raw data) or `fail`.",
        },
        event_limit: {
          type: "integer",
          minimum: 1,
          description:
            "Countly's `event_limit`; default: the limit in force from the data (`countly.apps` `plugins.api.event_limit`, else `countly.plugins` `api.event_limit`, else 500). An event missing from a full `countly.events.list` is never aggregated by Countly (its raw drill events are kept), so its raw events are not compared: 25.x api/aggregator/usage.js (commit 63d5a9b9) processEventTotalsFromStream adds a new key only while the list holds <= event_limit keys and otherwise returns (\"do not record this event in aggregated data\"), so the list ends at event_limit + 1 keys; the legacy api/parts/data/events.js (commit 051870e) checks the list as read at the start of each request, so one request can push it past the limit.",
        },
      },
    },
    likelyCause:
      "Aggregated counts of 0 or missing with raw events present: the aggregates were not rebuilt after a restore (the aggregator's change-stream resume tokens in `countly.plugins` `_changeStreams` belong to the old server) or the aggregated collections were not restored. Counts above raw: a restore merged into live data (double counting).",
    remediation:
      "Compare with the backup (`countly-check diff --before <backup> --after <database>`). Restore `countly.events_data` (or the legacy `events<hash>` collections) from the same backup as the raw data. Do not delete the `countly.plugins` `_changeStreams` entries to force re-aggregation: a consumer without an entry starts from \"now\"; builds with the bad-range recovery re-read raw data from a failing entry's `cd`, so keep the entries and run `aggregation-cursor-fresh`. Counts above raw: restore into an empty database (`mongorestore --drop`) instead of merging.",
    exampleFinding:
      "app Shop (65f0…) · event Buy · day 2024-10-27 · c: expected 42, actual 0 — no aggregated data for this day, 42 raw drill events: aggregates not rebuilt after restore?",
  },
  needs: (o) => [{ fact: "rawEvents", params: { tailMinutes: o.settle_minutes } }, { fact: "eventAggregates" }, ...EVENT_LIMIT_FACTS],
  evaluate(ctx) {
    const o = ctx.options;
    const wanted = (key: string) => (o.events === undefined || o.events.includes(key)) && !o.exclude_events.includes(key);
    const raw = ctx.facts.get("rawEvents");
    const aggregated = new AggregatedDays();
    for (const t of ctx.facts.get("eventAggregates").totals) if (wanted(t.key)) aggregated.set(t);

    const limit = eventLimitState(ctx.facts, ctx.app.id, o.event_limit);
    const candidates = raw.rows.filter((r) => wanted(r.key));
    const rows = candidates.filter((r) => !limit.neverAggregated(r.key));
    if (candidates.length === 0) return { skipped: "no raw custom events in the period" };
    if (rows.length === 0) {
      const keys = new Set(candidates.map((r) => r.key)).size;
      return { skipped: `the ${keys} event key${keys === 1 ? "" : "s"} with raw events in the period ${keys === 1 ? "is" : "are"} not in the full event list (event_limit ${limit.limit} from ${limit.basis}): Countly does not aggregate ${keys === 1 ? "it" : "them"}` };
    }

    const cutoff = raw.maxCdMinute === undefined ? undefined : raw.maxCdMinute - o.settle_minutes;
    const tol = { absolute: o.tolerance, relative: o.relative_tolerance };
    const chart = new DailyComparison();
    const charted = o.fields[0]!;
    const labels = new Map<string, string>();
    const label = (key: string): string => {
      let l = labels.get(key);
      if (l === undefined) labels.set(key, (l = `event ${key} · ${charted}`));
      return l;
    };
    for (const r of rows) {
      const agg = aggregated.take(r.key, r.day);
      chart.add(label(r.key), r.day, r[charted], agg?.[charted] ?? 0);
      const recent = recentCounters(r, cutoff);
      for (const f of o.fields) {
        const hi = r[f];
        const lo = hi - recent[f];
        const actual = agg?.[f] ?? 0;
        const epsilon = f === "c" ? 0 : FLOAT_EPSILON * Math.max(1, Math.abs(hi));
        if (actual >= lo - epsilon && actual <= hi + epsilon) continue;
        const expected = actual < lo ? lo : hi;
        if (withinTolerance(expected, actual, tol)) continue;
        chart.flag(label(r.key));
        ctx.report({
          event: r.key,
          day: r.day,
          field: f,
          expected: hi,
          actual,
          message: describe(f, hi, lo, actual, agg === undefined, r.docs),
        });
      }
    }
    const left = aggregated.left();
    for (const t of left) chart.add(label(t.key), t.day, 0, t[charted]);
    chart.report(ctx, `all events · ${charted}`);
    if (o.aggregates_without_raw === "fail") {
      for (const t of left) {
        if (t.c === 0) continue;
        ctx.report({ event: t.key, day: t.day, field: "c", expected: 0, actual: t.c, message: `aggregated count ${t.c} but no raw drill events that day (raw data deleted, or aggregates restored over another dataset)` });
      }
    }
  },
};

type Aggregated = Counters & { key: string; day: RawEventDay["day"] };

/**
 * The aggregated days by event key and day, as a Map keyed by both would hold them (a
 * repeated key and day: the first one's place, the last one's counters); `take` hands a
 * day out once, `left` gives the days never taken, in their order. Keyed by the rows'
 * own strings, without a joined key string per row.
 */
class AggregatedDays {
  private readonly byKey = new Map<string, Map<string, number>>();
  private readonly days: Aggregated[] = [];
  private readonly taken: boolean[] = [];

  set(t: Aggregated): void {
    let byDay = this.byKey.get(t.key);
    if (byDay === undefined) this.byKey.set(t.key, (byDay = new Map()));
    const at = byDay.get(t.day);
    if (at === undefined) {
      byDay.set(t.day, this.days.length);
      this.days.push(t);
      this.taken.push(false);
    } else this.days[at] = t;
  }

  take(key: string, day: string): Aggregated | undefined {
    const at = this.byKey.get(key)?.get(day);
    if (at === undefined || this.taken[at]) return undefined;
    this.taken[at] = true;
    return this.days[at];
  }

  left(): Aggregated[] {
    return this.days.filter((_, i) => !this.taken[i]);
  }
}

function recentCounters(r: RawEventDay, cutoff: number | undefined): Counters {
  const out = { c: 0, s: 0, dur: 0 };
  if (cutoff === undefined) return out;
  for (const b of r.tail) {
    if (b.minute <= cutoff) continue;
    out.c += b.c;
    out.s += b.s;
    out.dur += b.dur;
  }
  return out;
}

function describe(f: "c" | "s" | "dur", hi: number, lo: number, actual: number, missing: boolean, docs: number): string {
  const unsettled = lo === hi ? "" : ` (${round(hi - lo)} of it inserted within the settle window may still be pending)`;
  const raw = `${docs} raw drill event${docs === 1 ? "" : "s"}`;
  if (missing) return `no aggregated data for this day, ${raw}${unsettled}: aggregates not rebuilt after restore?`;
  if (actual === 0) return `aggregated ${FIELD_NAMES[f]} is 0, ${raw}${unsettled}: counters zeroed, or the data was never aggregated`;
  if (actual < lo) return `${round(lo - actual)} less than the ${raw} add up to${unsettled}: part of the raw data was never aggregated`;
  const ratio = hi > 0 ? actual / hi : Infinity;
  const multiple = Number.isInteger(ratio) && ratio >= 2 ? `, exactly ${ratio}x: a restore merged over live aggregation?` : ": aggregates exceed the raw data";
  return `${round(actual - hi)} more than the ${raw} add up to${multiple}`;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
