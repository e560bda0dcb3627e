// Aggregated event counts that are an exact multiple (2x, 3x...) of the raw drill
// events: the signature of a restore merged over aggregates the aggregator had rebuilt.
import type { Counters, RawEventDay } from "../runner/facts/types.ts";
import { DailyComparison } from "./shared/daily-comparison.ts";
import { EVENT_LIMIT_FACTS, eventLimitState } from "./support/event-limit.ts";
import type { CheckDefinition } from "./types.ts";

export interface NoDoubleCountingOptions {
  min_ratio: number;
  min_share: number;
  strong_raw_count: number;
  exclude_events: string[];
}

const FLOAT_EPSILON = 1e-9;

export const noDoubleCounting: CheckDefinition<NoDoubleCountingOptions> = {
  meta: {
    kind: "no-double-counting",
    summary: "No event and day has an aggregated count that is an exact multiple (2x or more) of its raw drill events.",
    proves:
      "Per app, custom event and app-local day with raw `[CLY]_custom` drill events, the no-segment aggregated count `d.<day>.c` is not an integer multiple k >= `min_ratio` of the raw count. An exact multiple is what `mongorestore` (which merges, without `--drop`) or a second aggregation pass leaves behind: the same increments applied twice. A restore multiplies whole ranges of days, so a day is reported when at least `min_share` of the event's days with raw events are the same multiple, or when its raw count is at least `strong_raw_count` and its sum and duration (where sent) are the same multiple (no coincidence); sums and durations being the same multiple are named as further evidence.",
    perApp: true,
    options: {
      type: "object",
      properties: {
        min_ratio: { type: "integer", minimum: 2, default: 2, description: "Smallest multiple reported." },
        min_share: {
          type: "number",
          minimum: 0,
          maximum: 1,
          default: 0.5,
          description: "Report an event's multiple days when at least this share of its days with raw events in the period are the same multiple: a restore merged over live data multiplies whole ranges of days, while a day with 1 raw event and an aggregate of 2 happens by chance (e.g. data aggregated in another timezone).",
        },
        strong_raw_count: {
          type: "integer",
          minimum: 1,
          default: 20,
          description: "A day with at least this raw count, whose sum and duration (where sent) are the same multiple, is reported on its own whatever the share: that is no coincidence.",
        },
        exclude_events: { type: "array", items: { type: "string" }, default: [], description: "Event keys to leave out." },
      },
    },
    likelyCause:
      "The same increments were applied twice: a backup restored (`countly restore` runs `mongorestore` without `--drop`, and aggregated documents are upserted by `$inc` when re-aggregated) on top of aggregates the aggregator had already rebuilt from the restored raw data, or the raw data replayed through the aggregator twice (e.g. the `_changeStreams` resume tokens reset while the aggregates were kept).",
    remediation:
      "Restore `countly.events_data` (legacy: `events<hash>`) from the backup with `mongorestore --drop` for that collection, with the aggregator stopped, and keep the aggregator from re-processing restored raw data (fresh `_changeStreams` tokens); then re-run events-match-raw.",
    exampleFinding: "app Shop (65f0…) · event Buy · day 2024-10-27 · c: expected 40, actual 80 — the aggregated count 80 is exactly 2x the raw count 40 (40 drill documents; 21 of the event's 21 days with raw events are exactly 2x, sum and duration too): a restore merged over live aggregation, or raw data aggregated twice?",
  },
  needs: () => [{ fact: "rawEvents" }, { fact: "eventAggregates" }, ...EVENT_LIMIT_FACTS],
  evaluate(ctx) {
    const o = ctx.options;
    // Keys left out of a full event list are never aggregated by Countly (see events-match-raw): no evidence either way.
    const limit = eventLimitState(ctx.facts, ctx.app.id, undefined);
    const raw = ctx.facts.get("rawEvents").rows.filter((r) => !o.exclude_events.includes(r.key) && r.c > 0 && !limit.neverAggregated(r.key));
    if (raw.length === 0) return { skipped: "no raw custom events in the period" };
    const totals = new Map<string, Counters>();
    for (const t of ctx.facts.get("eventAggregates").totals) totals.set(`${t.key}\u0000${t.day}`, t);
    /** event -> its days with raw events, and per multiple k the days that are exactly k times the raw count. */
    const events = new Map<string, { days: number; byRatio: Map<number, { r: RawEventDay; agg: Counters }[]> }>();
    const chart = new DailyComparison();
    for (const r of raw) {
      const e = events.get(r.key) ?? { days: 0, byRatio: new Map() };
      events.set(r.key, e);
      e.days++;
      const agg = totals.get(`${r.key}\u0000${r.day}`);
      chart.add(`event ${r.key} · c`, r.day, r.c, agg?.c ?? 0);
      if (!agg) continue;
      const k = agg.c / r.c;
      if (!Number.isInteger(k) || k < o.min_ratio) continue;
      const multiples = e.byRatio.get(k);
      if (multiples) multiples.push({ r, agg });
      else e.byRatio.set(k, [{ r, agg }]);
    }
    for (const e of events.values()) {
      for (const [k, days] of e.byRatio) {
        const share = days.length / e.days;
        for (const { r, agg } of days) {
          const sent = (["s", "dur"] as const).filter((f) => r[f] !== 0);
          const same = sent.filter((f) => Math.abs(agg[f] - k * r[f]) <= FLOAT_EPSILON * Math.max(1, Math.abs(k * r[f])));
          // On its own, a day needs a large count, and its sum and duration (where sent) the same multiple.
          const strong = r.c >= o.strong_raw_count && same.length === sent.length;
          if (share < o.min_share && !strong) continue;
          const evidence = same.length === 0 ? "" : same.length === 2 ? ", sum and duration too" : same[0] === "s" ? ", sum too" : ", duration too";
          const spread = `${days.length} of the event's ${e.days} day${e.days === 1 ? "" : "s"} with raw events are exactly ${k}x`;
          chart.flag(`event ${r.key} · c`);
          ctx.report({
            event: r.key,
            day: r.day,
            field: "c",
            expected: r.c,
            actual: agg.c,
            message: `the aggregated count ${agg.c} is exactly ${k}x the raw count ${r.c} (${r.docs} drill document${r.docs === 1 ? "" : "s"}; ${spread}${evidence}): a restore merged over live aggregation, or raw data aggregated ${k === 2 ? "twice" : `${k} times`}?`,
          });
        }
      }
    }
    chart.report(ctx, "all events · c");
  },
};
