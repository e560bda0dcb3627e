// The all-events counters (`all_key` documents) of each event and day equal the
// event's own no-segment totals: the 25.x aggregator increments both from one event.
import { isInternalEventKey } from "../countly/events-doc.ts";
import { monthIdOfDay } from "../countly/time.ts";
import type { Counters } from "../runner/facts/types.ts";
import type { CheckDefinition } from "./types.ts";
import { withinTolerance } from "./types.ts";

export interface EventAllKeyMatchesOptions {
  fields: ("c" | "s" | "dur")[];
  tolerance: number;
  missing_months: "fail" | "ignore";
  include_internal: boolean;
  exclude_events: string[];
}

const FIELD_NAMES = { c: "count (c)", s: "sum (s)", dur: "duration (dur)" } as const;
const FLOAT_EPSILON = 1e-9;
const ZERO: Counters = { c: 0, s: 0, dur: 0 };

export const eventAllKeyMatches: CheckDefinition<EventAllKeyMatchesOptions> = {
  meta: {
    kind: "event-all-key-matches",
    summary: "The all-events (all_key) counters per event and day equal that event's no-segment totals.",
    proves:
      "In the current layout the event aggregator (api/aggregator/usage.* processEventTotalsFromStream) increments, for every event, both the event's no-segment month document and the app's all-events document `<appId>_all_key_<YYYY:M>_<P(eventKey)>` at `d.<day>.<eventKey>.{c,s,dur}`, from the same increment. So per event and app-local day the two agree. The legacy layout (api/parts/data/events.js) writes no all_key documents: skipped. Months without any all_key document are data merged from the legacy layout by merge_events_collections.js, which does not create them, or all_key documents lost.",
    perApp: true,
    options: {
      type: "object",
      properties: {
        fields: { type: "array", items: { enum: ["c", "s", "dur"] }, minItems: 1, default: ["c", "s", "dur"], description: "Counters to compare." },
        tolerance: { type: "number", minimum: 0, default: 0, description: "Absolute difference allowed per event, day and counter (float rounding of s/dur is always allowed)." },
        missing_months: {
          enum: ["fail", "ignore"],
          default: "fail",
          description: "Months with event data but no all_key document at all: `fail`, or `ignore` for history merged from the legacy layout (merge_events_collections.js creates no all_key documents).",
        },
        include_internal: { type: "boolean", default: false, description: "Also compare internal `[CLY]_…` events (the event aggregator only writes all_key counters for custom events)." },
        exclude_events: { type: "array", items: { type: "string" }, default: [], description: "Event keys to leave out." },
      },
    },
    likelyCause:
      "The all_key documents were not restored or not updated together with the per-event documents: `countly.events_data` restored from two different backups or partially, a repair script that rebuilt the per-event documents only, or all_key documents lost. In the month of an upgrade from the legacy layout, merge_events_collections.js adds the legacy counts to the per-event documents only, so all_key falls short for the days before the upgrade. The dashboard's all-events overview then disagrees with the per-event pages.",
    remediation:
      "Restore `countly.events_data` from one backup as a whole. For history merged from the legacy layout (no all_key documents before the upgrade), set `missing_months: ignore`.",
    exampleFinding: "app Shop (65f0…) · event Buy · day 2024-10-27 · c: expected 42, actual 30 — the all-events (all_key) count (c) is 30, the event's own total 42: all_key documents not updated with the per-event data (restored from another backup?)",
  },
  needs: () => [{ fact: "eventAggregates" }, { fact: "allKeyTotals" }],
  evaluate(ctx) {
    const o = ctx.options;
    const allKey = ctx.facts.get("allKeyTotals");
    if (allKey.layout === "legacy") return { skipped: "legacy layout (countly.events<hash>): Countly's events.js writes no all_key documents, so there is nothing to compare" };
    const wanted = (key: string) => !o.exclude_events.includes(key) && (o.include_internal || !isInternalEventKey(key));
    const totals = ctx.facts.get("eventAggregates").totals.filter((t) => wanted(t.key));
    const rows = allKey.rows.filter((r) => wanted(r.key));
    if (totals.length === 0 && rows.length === 0) return { skipped: "no aggregated event data in the period" };
    const months = new Set(allKey.months.map((m) => m.month));
    const byKeyDay = new Map(rows.map((r) => [`${r.key}\u0000${r.day}`, r]));
    const missingMonths = new Map<string, { events: Set<string>; days: string[]; c: number }>();
    const tol = { absolute: o.tolerance, relative: 0 };

    for (const t of totals) {
      const k = `${t.key}\u0000${t.day}`;
      const a = byKeyDay.get(k);
      byKeyDay.delete(k);
      if (o.fields.every((f) => t[f] === 0) && !a) continue;
      const month = monthIdOfDay(t.day);
      if (!months.has(month)) {
        const m = missingMonths.get(month) ?? { events: new Set<string>(), days: [], c: 0 };
        m.events.add(t.key);
        m.days.push(t.day);
        m.c += t.c;
        missingMonths.set(month, m);
        continue;
      }
      const actual = a ?? ZERO;
      for (const f of o.fields) {
        const eps = f === "c" ? 0 : FLOAT_EPSILON * Math.max(1, Math.abs(t[f]));
        if (Math.abs(actual[f] - t[f]) <= eps || withinTolerance(t[f], actual[f], tol)) continue;
        ctx.report({
          event: t.key,
          day: t.day,
          field: f,
          expected: t[f],
          actual: actual[f],
          message: a
            ? `the all-events (all_key) ${FIELD_NAMES[f]} is ${round(actual[f])}, the event's own total ${round(t[f])}: all_key documents not updated with the per-event data (restored from another backup, a partial repair${actual[f] < t[f] ? ", or legacy history merged into the month of the upgrade by merge_events_collections.js, which creates no all_key counters" : ""}?)`
            : `the event has ${FIELD_NAMES[f]} ${round(t[f])} but the all_key documents of ${month} have nothing for it that day: all_key documents not updated or lost`,
        });
      }
    }
    for (const [month, m] of [...missingMonths].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (o.missing_months === "ignore") continue;
      const days = [...new Set(m.days)].sort();
      ctx.report({
        day: days[0],
        field: "c",
        expected: m.c,
        actual: 0,
        message: `no all_key document at all for ${month}, while ${m.events.size} event${m.events.size === 1 ? " has" : "s have"} data on ${days.length} day${days.length === 1 ? "" : "s"} (${days[0]}..${days[days.length - 1]}): history merged from the legacy layout (merge_events_collections.js creates no all_key documents; set missing_months: ignore) or all_key documents lost`,
      });
    }
    // all_key counters for an event that has no per-event data that day.
    for (const a of byKeyDay.values()) {
      for (const f of o.fields) {
        if (a[f] === 0 || withinTolerance(0, a[f], tol)) continue;
        ctx.report({
          event: a.key,
          day: a.day,
          field: f,
          expected: 0,
          actual: a[f],
          message: `the all_key documents count ${FIELD_NAMES[f]} ${round(a[f])} for this event, but it has no per-event data that day: per-event documents lost, or all_key restored from another dataset`,
        });
      }
    }
  },
};

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
