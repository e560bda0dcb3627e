// View visits per app, view and day in the views plugin's aggregates equal the raw
// `[CLY]_view` visits, and every viewed view is in the view list (`app_viewsmeta`).
import { md5Hex } from "../countly/hash.ts";
import type { Day } from "../countly/time.ts";
import { INTERNAL_EVENTS } from "../countly/layout.ts";
import { DailyComparison } from "./shared/daily-comparison.ts";
import type { CheckDefinition } from "./types.ts";
import { withinTolerance } from "./types.ts";
import { looksShifted, plural, recentRows, shiftedHint } from "./session-kinds.ts";
import { VIEWS_HISTORY_FACTS, viewsHistory } from "./support/views-history.ts";

export interface ViewsMatchRawOptions {
  tolerance: number;
  relative_tolerance: number;
  settle_minutes: number;
  views?: string[];
  exclude_views: string[];
  require_meta: boolean;
  aggregates_without_raw: "ignore" | "fail";
}

export const viewsMatchRaw: CheckDefinition<ViewsMatchRawOptions> = {
  meta: {
    kind: "views-match-raw",
    summary: "View visits (app_viewdata d.<day>.t) per app, view and day equal the raw [CLY]_view visits, and app_viewsmeta lists every viewed view.",
    proves:
      "For every view and app-local day in the period with raw `[CLY]_view` visits (`sg.visit`), the views plugin's no-segment month document holds the same number of visits `t`. Current layout: `app_viewdata` `<appId>_no-segment_<YYYY:M>_<md5(view name)>`; legacy layout: `app_viewdata<sha1(appId)>` `<viewObjectId>_<YYYY:M>`, whose view is named only by `app_viewsmeta<appId>`. Every view with raw events in the period is listed in `app_viewsmeta` (current: `<appId>_<md5(view name)>`), which the Views dashboard lists. Visits inserted (`cd`) within the settle window before the newest raw insert may still be missing.",
    perApp: true,
    options: {
      type: "object",
      properties: {
        tolerance: { type: "number", minimum: 0, default: 0, description: "Absolute difference in visits allowed per view and day." },
        relative_tolerance: { type: "number", minimum: 0, maximum: 1, default: 0, description: "Relative difference allowed per view and day (0.01 = 1 %)." },
        settle_minutes: { type: "number", minimum: 0, default: 5, description: "Raw views inserted (`cd`) this many minutes before the newest raw insert may not be aggregated yet." },
        views: { type: "array", items: { type: "string" }, description: "Only these view names (default: all)." },
        exclude_views: { type: "array", items: { type: "string" }, default: [], description: "View names to leave out." },
        require_meta: { type: "boolean", default: true, description: "Also require every view with raw events to be listed in `app_viewsmeta`." },
        aggregates_without_raw: {
          enum: ["ignore", "fail"],
          default: "ignore",
          description: "Aggregated visits on days without raw view events: `ignore` (drill data retention deletes old raw data) or `fail`.",
        },
      },
    },
    likelyCause:
      "No or 0 visits with raw views present: the views aggregates were not restored or were emptied, or the raw views were never aggregated after a restore (the `views-insert` resume token in `countly.plugins` `_changeStreams` belongs to the old server; Countly issue #6073: \"views and sources section is empty\"), or the running build never aggregates views (plugins/views/api/aggregator.js commit 0a0731a `$project`s the change event without `a`, then requires `next.a`). The finding says which from the app's view aggregates over all time: none for any day, missing only before they start (up to a restore), or missing after they stop. Visits moved between neighbouring days: aggregated in another timezone than the app's. A view missing from app_viewsmeta: the view list was lost while the data survived (partial restore).",
    remediation:
      "Restore `countly.app_viewdata` and `countly.app_viewsmeta` (legacy: `app_viewdata<hash>`, `app_viewsmeta<appId>`) from the backup together; check the app's `timezone` in `countly.apps`; if raw views after the restore are missing, see the `aggregation-cursor-fresh` check for the aggregator's resume tokens.",
    exampleFinding:
      "app Shop (65f0…) · event [CLY]_view · day 2024-10-27 · segment name=Checkout · t: expected 12, actual 0 — no aggregated visits for this view and day, but 12 raw visits: views aggregates not restored, or never rebuilt after a restore",
  },
  needs: (o) => [{ fact: "rawViews" }, { fact: "viewVisits" }, { fact: "rawTail", params: { tailMinutes: o.settle_minutes } }, ...VIEWS_HISTORY_FACTS],
  evaluate(ctx) {
    const o = ctx.options;
    const wanted = (name: string) => (o.views === undefined || o.views.includes(name)) && !o.exclude_views.includes(name);
    const raw = ctx.facts.get("rawViews").filter((r) => wanted(r.view) && (r.events > 0 || r.visits > 0));
    if (raw.length === 0) return { skipped: "no raw [CLY]_view events in the period" };

    const facts = ctx.facts.get("viewVisits");
    const byName = new Map<string, Map<Day, number>>();
    const byId = new Map<string, Map<Day, number>>();
    for (const d of facts.days) {
      const target = d.view !== undefined ? byName : byId;
      const k = d.view ?? d.viewId;
      const days = target.get(k) ?? new Map<Day, number>();
      days.set(d.day, (days.get(d.day) ?? 0) + d.visits);
      target.set(k, days);
    }
    const aggregatedOf = (view: string): Map<Day, number> | undefined => byName.get(view) ?? byId.get(md5Hex(view));
    const recent = new Map<string, number>();
    /** view -> its raw events inserted within the settle window (not necessarily listed yet). */
    const recentEvents = new Map<string, number>();
    for (const t of recentRows(ctx.facts.get("rawTail"), o.settle_minutes)) {
      if (t.e !== INTERNAL_EVENTS.view) continue;
      const k = `${t.key}\u0000${t.day}`;
      recent.set(k, (recent.get(k) ?? 0) + t.visits);
      recentEvents.set(t.key, (recentEvents.get(t.key) ?? 0) + t.docs);
    }
    const tol = { absolute: o.tolerance, relative: o.relative_tolerance };
    const history = viewsHistory(ctx.facts, ctx.app.id);

    const seen = new Set<string>(raw.map((r) => `${r.view}\u0000${r.day}`));
    const onlyAggregated: [number, number][] = [];
    for (const [view, days] of byName) if (wanted(view)) for (const [day, v] of days) if (!seen.has(`${view}\u0000${day}`)) onlyAggregated.push([0, v]);
    const shifted = looksShifted([...raw.map((r) => [r.visits, aggregatedOf(r.view)?.get(r.day) ?? 0] as const), ...onlyAggregated]);
    const chart = new DailyComparison();
    for (const [view, days] of byName) if (wanted(view)) for (const [day, v] of days) if (!seen.has(`${view}\u0000${day}`)) chart.add(`view ${view} · visits`, day, 0, v);
    for (const r of raw) {
      const days = aggregatedOf(r.view);
      const actual = days?.get(r.day) ?? 0;
      const hi = r.visits;
      const lo = Math.max(0, hi - (recent.get(`${r.view}\u0000${r.day}`) ?? 0));
      chart.add(`view ${r.view} · visits`, r.day, hi, actual);
      if (actual >= lo && actual <= hi) continue;
      if (withinTolerance(actual < lo ? lo : hi, actual, tol)) continue;
      chart.flag(`view ${r.view} · visits`);
      const gap = actual === 0 ? history.explain(r.day) : "";
      const message = shifted
        ? `${plural(actual, "aggregated visit")}, ${plural(hi, "raw visit")}: ${shiftedHint(ctx.app.timezone)}`
        : gap
          ? `no aggregated visits for this view and day, but ${plural(hi, "raw visit")}: ${gap}`
          : describe(hi, lo, actual, days !== undefined);
      ctx.report({ event: INTERNAL_EVENTS.view, day: r.day, segment: `name=${r.view}`, field: "t", expected: hi, actual, message });
    }

    if (o.require_meta) {
      const names = new Set(facts.meta.map((m) => m.view));
      const ids = new Set(facts.meta.map((m) => m.viewId));
      const events = new Map<string, number>();
      for (const r of raw) events.set(r.view, (events.get(r.view) ?? 0) + r.events);
      for (const [view, n] of events) {
        if (n <= (recentEvents.get(view) ?? 0) || names.has(view) || ids.has(md5Hex(view))) continue;
        ctx.report({
          event: INTERNAL_EVENTS.view,
          segment: `name=${view}`,
          field: "app_viewsmeta",
          expected: "listed",
          actual: "missing",
          message: `${plural(n, "raw [CLY]_view event")} in the period, but app_viewsmeta does not list the view: the Views dashboard does not show it (view list lost or not restored)`,
        });
      }
    }

    // Legacy data whose view no meta entry names cannot be matched to raw views: say why.
    const orphanIds = [...byId.keys()].filter((id) => ![...byName.keys()].some((n) => md5Hex(n) === id) && !raw.some((r) => md5Hex(r.view) === id));
    if (orphanIds.length > 0) {
      const visits = orphanIds.reduce((n, id) => n + [...byId.get(id)!.values()].reduce((a, b) => a + b, 0), 0);
      ctx.report({
        event: INTERNAL_EVENTS.view,
        field: "app_viewsmeta",
        expected: "every aggregated view named",
        actual: `${orphanIds.length} unnamed`,
        message: `${plural(visits, "aggregated visit")} in the period belong to ${plural(orphanIds.length, "view")} that app_viewsmeta does not name (ids ${orphanIds.slice(0, 3).join(", ")}${orphanIds.length > 3 ? ", …" : ""}): the view list was lost while the data survived`,
      });
    }

    if (o.aggregates_without_raw === "fail") {
      for (const [view, days] of byName) {
        if (!wanted(view)) continue;
        for (const [day, visits] of days) {
          if (visits === 0 || seen.has(`${view}\u0000${day}`)) continue;
          ctx.report({ event: INTERNAL_EVENTS.view, day, segment: `name=${view}`, field: "t", expected: 0, actual: visits, message: `${plural(visits, "aggregated visit")} but no raw [CLY]_view events that day (raw data deleted, or aggregates restored over another dataset)` });
        }
      }
    }
    chart.report(ctx, "all views · visits");
  },
};

function describe(hi: number, lo: number, actual: number, hasView: boolean): string {
  const raw = plural(hi, "raw visit");
  const pending = lo === hi ? "" : ` (${hi - lo} of them inserted within the settle window may still be pending)`;
  if (actual === 0) {
    return hasView
      ? `no aggregated visits for this view and day, but ${raw}${pending}: the raw views of this day were never aggregated, or the days are shifted (aggregated in another timezone than the app's)`
      : `no aggregated visits for this view at all, but ${raw}${pending}: views aggregates not restored (or emptied), or never rebuilt after a restore`;
  }
  if (actual < lo) return `${lo - actual} fewer visits than the ${raw}${pending}: part of the raw views were never aggregated, or the days are shifted (another timezone than the app's)`;
  const ratio = hi > 0 ? actual / hi : Infinity;
  if (Number.isInteger(ratio) && ratio >= 2) return `exactly ${ratio}x the ${raw}: a restore merged over live aggregation (double counting)?`;
  return `${actual - hi} more visits than the ${raw}: aggregates exceed the raw data (days shifted to another timezone, or counted twice)`;
}
