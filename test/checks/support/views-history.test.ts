// Why an app's views are missing on a day, from its view aggregates over all time.
import { describe, expect, it } from "vitest";
import { viewsHistory } from "../../../checks/support/views-history.ts";
import type { AppFacts } from "../../../checks/types.ts";
import type { BuildSignalsFact, ChangeStreamsFact, FactName } from "../../../runner/facts/types.ts";
import { EMPTY_FACTS } from "../../support/check-harness.ts";

const VIEWS_BUG = "plugins/views/api/aggregator.js (commit 0a0731a) `views-insert` $projects the change event to {__id, cd, sg, e, n, ts, dur} (no `a`) and then requires `next.a`: no view is ever aggregated from the change stream (the older version, commit 6fcc82b, used $addFields)";
const streams: ChangeStreamsFact = { drillLayout: "current", present: true, tokens: [{ consumer: "views-insert", hasToken: true }] };
const legacy: BuildSignalsFact["layout"] = { events: "legacy", drill: "legacy", views: "legacy" };

function facts(signals: Partial<BuildSignalsFact>, changeStreams: ChangeStreamsFact = streams): AppFacts {
  const all = { ...EMPTY_FACTS, buildSignals: { ...EMPTY_FACTS.buildSignals, ...signals }, changeStreams };
  return { get: <K extends FactName>(n: K) => all[n], inPeriod: () => true };
}

describe("viewsHistory", () => {
  it("never aggregated on this server: no app has view aggregates; the views bug is a cause only with the change-stream aggregator", () => {
    const h = viewsHistory(facts({}), "app1");
    expect(h.gap("2024-10-27")).toBe("never");
    expect(h.explain("2024-10-27")).toBe(
      `no app on this server has view aggregates for any day: views were never aggregated here at all — the view aggregates were not restored (or were emptied), or the running Countly build never aggregates views (${VIEWS_BUG})`,
    );
    const sync = viewsHistory(facts({ layout: legacy }, EMPTY_FACTS.changeStreams), "app1");
    expect(sync.explain("2024-10-27")).toBe("no app on this server has view aggregates for any day: views were never aggregated here at all — the view aggregates were not restored (or were emptied)");
  });

  it("never aggregated for this app while other apps have views", () => {
    const h = viewsHistory(facts({ viewsFirstDay: { other: "2024-01-01" }, viewsLastDay: { other: "2024-12-01" } }), "app1");
    expect(h.gap("2024-06-01")).toBe("never");
    expect(h.explain("2024-06-01")).toMatch(/^this app has no view aggregates for any day \(other apps do\): views were never aggregated here at all/);
  });

  it("tells days before the first and after the last aggregated day from days inside (first and last day count as inside)", () => {
    const h = viewsHistory(facts({ viewsFirstDay: { app1: "2024-10-20" }, viewsLastDay: { app1: "2024-11-09" } }), "app1");
    expect(["2024-10-19", "2024-10-20", "2024-11-01", "2024-11-09", "2024-11-10"].map(h.gap)).toEqual(["before-first", "inside", "inside", "inside", "after-last"]);
    expect(h.explain("2024-10-19")).toBe(
      "this app's view aggregates start on 2024-10-20: views are missing only up to then (the aggregates from before, e.g. before a restore, were not restored; the aggregator works since)",
    );
    expect(h.explain("2024-11-10")).toBe(
      "this app's view aggregates stop on 2024-11-09: the raw views after it were never aggregated (the views aggregator stopped, or after a restore its `views-insert` resume token cannot resume on this server)",
    );
    expect(h.explain("2024-11-01")).toBe("");
  });
});
