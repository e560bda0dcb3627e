// The Views dashboard is not empty for an app and period in which raw view events exist.
import { VIEWS_HISTORY_FACTS, viewsHistory } from "./support/views-history.ts";
import type { CheckDefinition } from "./types.ts";
import { dayRange } from "./present-when-raw.ts";

export const viewsPresentWhenRaw: CheckDefinition<Record<string, never>> = {
  meta: {
    kind: "views-present-when-raw",
    summary: "Views data (app_viewdata, app_viewsmeta) is non-empty for an app and period with raw [CLY]_view events.",
    proves:
      "When the drill data holds `[CLY]_view` events for an app in the period, the views plugin's aggregates hold visits for that app in that period and the view list (`app_viewsmeta`) is not empty. No raw view events: skipped.",
    perApp: true,
    options: { type: "object", properties: {} },
    likelyCause:
      "The views aggregates were not rebuilt after a restore: in Countly 25.x the views plugin aggregates from the drill change stream, which does not replay restored documents (Countly issue #6073: \"views and sources section is empty\"). Or the running build never aggregates views at all: plugins/views/api/aggregator.js (commit 0a0731a) `$project`s the change event to {__id, cd, sg, e, n, ts, dur} (no `a`) and then requires `next.a`. The finding tells which from the app's view aggregates over all time: none for any day (never aggregated on this server), starting only on a day (missing only up to then, e.g. a restore), or stopping on a day.",
    remediation:
      "Restore `countly.app_viewdata` and `countly.app_viewsmeta` (legacy: `app_viewdata<hash>`, `app_viewsmeta<appId>`) from the same backup as the raw data. Keep the `views-insert` entry of `countly.plugins` `_changeStreams` (deleting it makes the consumer start from \"now\"); see `aggregation-cursor-fresh`.",
    exampleFinding: "app Shop (65f0…): 1200 raw [CLY]_view events on 21 days (2024-10-20..2024-11-09), but no aggregated view visits",
  },
  needs: () => [{ fact: "rawViews" }, { fact: "viewAggregates" }, ...VIEWS_HISTORY_FACTS],
  evaluate(ctx) {
    const raw = ctx.facts.get("rawViews");
    const events = raw.reduce((n, r) => n + r.events, 0);
    if (events === 0) return { skipped: "no raw [CLY]_view events in the period" };
    const agg = ctx.facts.get("viewAggregates");
    const visits = agg.days.reduce((n, d) => n + d.visits, 0);
    const meta = agg.metaCount[ctx.app.id] ?? 0;
    const where = dayRange(raw.map((r) => r.day));
    if (visits === 0) {
      const firstRaw = raw.map((r) => r.day).sort()[0]!;
      ctx.report({ expected: "> 0 visits", actual: 0, message: `${events} raw [CLY]_view events on ${where}, but no aggregated view visits in the period: ${viewsHistory(ctx.facts, ctx.app.id).explain(firstRaw) || "views not rebuilt after restore?"}` });
    }
    if (meta === 0) {
      ctx.report({ expected: "> 0 views listed", actual: 0, message: `${events} raw [CLY]_view events on ${where}, but app_viewsmeta lists no views: the Views dashboard is empty` });
    }
  },
};
