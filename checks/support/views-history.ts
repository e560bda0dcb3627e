// Why an app's view aggregates are missing on a day with raw views, from the whole
// history of its view aggregates (buildSignals, all time): never aggregated at all,
// missing only before the aggregates start (up to a restore), or missing after they stop.
// Some 25.x builds never aggregate views from change streams: plugins/views/api/aggregator.js
// (commit 0a0731a) `$project`s the change event without `a` and then requires `next.a`.
import { CITES } from "../../countly/profile.ts";
import { PROFILE_FACTS, profileOf } from "./profile.ts";
import type { Day } from "../../countly/time.ts";
import type { AppFacts } from "../types.ts";

export type ViewsGap = "never" | "before-first" | "after-last" | "inside";

export interface ViewsHistory {
  gap(day: Day): ViewsGap;
  /** The cause of a missing day, in words. */
  explain(day: Day): string;
}

export function viewsHistory(facts: AppFacts, appId: string): ViewsHistory {
  const profile = profileOf(facts);
  const first = profile.views.firstDay[appId];
  const last = profile.views.lastDay[appId];
  const streams = profile.aggregation.value === "change-streams";
  const gap = (day: Day): ViewsGap => (first === undefined || last === undefined ? "never" : day < first ? "before-first" : day > last ? "after-last" : "inside");
  return {
    gap,
    explain(day) {
      switch (gap(day)) {
        case "never": {
          const scope = profile.views.value === "none" ? "no app on this server has view aggregates for any day" : "this app has no view aggregates for any day (other apps do)";
          return `${scope}: views were never aggregated here at all — the view aggregates were not restored (or were emptied)${streams ? `, or the running Countly build never aggregates views (${CITES.viewsBug})` : ""}`;
        }
        case "before-first":
          return `this app's view aggregates start on ${first}: views are missing only up to then (the aggregates from before, e.g. before a restore, were not restored; the aggregator works since)`;
        case "after-last":
          return `this app's view aggregates stop on ${last}: the raw views after it were never aggregated (the views aggregator stopped, or after a restore its \`views-insert\` resume token cannot resume on this server)`;
        default:
          return "";
      }
    },
  };
}

/** The facts viewsHistory reads. */
export const VIEWS_HISTORY_FACTS = PROFILE_FACTS;
