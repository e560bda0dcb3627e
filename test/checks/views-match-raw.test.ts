import { describe, expect, it } from "vitest";
import { viewsMatchRaw } from "../../checks/views-match-raw.ts";
import { md5Hex } from "../../countly/hash.ts";
import type { RawViewDay, RawTailRow, ViewVisitsDay } from "../../runner/facts/types.ts";
import { APP, EMPTY_FACTS, evaluate, evaluateSeries } from "../support/check-harness.ts";
import { withDefaults } from "../../checks/types.ts";

const a = APP.id;
const raw = (view: string, day: string, visits: number, events = visits): RawViewDay => ({ app: a, view, day, events, visits });
/** Current layout: the view id is md5(name) and the data documents carry the name. */
const visits = (view: string, day: string, n: number): ViewVisitsDay => ({ app: a, viewId: md5Hex(view), view, day, visits: n });
const meta = (...views: string[]) => views.map((view) => ({ app: a, viewId: md5Hex(view), view }));
const tail = (view: string, day: string, minute: number, n: number): RawTailRow => ({ app: a, e: "[CLY]_view", key: view, day, minute, docs: n, visits: n, bySource: {} });

describe("views-match-raw", () => {
  it("passes when every view and day matches and every view is listed", () => {
    const out = evaluate(viewsMatchRaw, {}, {
      rawViews: [raw("Home", "2024-10-27", 3), raw("Cart", "2024-10-28", 1)],
      viewVisits: { days: [visits("Home", "2024-10-27", 3), visits("Cart", "2024-10-28", 1)], meta: meta("Home", "Cart") },
    });
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("reports a view with no aggregated visits and a missing view list (views emptied after a restore)", () => {
    const out = evaluate(viewsMatchRaw, {}, { rawViews: [raw("Home", "2024-10-27", 12)] });
    expect(out.findings).toEqual([
      expect.objectContaining({
        event: "[CLY]_view",
        day: "2024-10-27",
        segment: "name=Home",
        field: "t",
        expected: 12,
        actual: 0,
        // No view aggregates for any app at any time: not restored, or the 0a0731a views aggregator that never aggregates.
        message: expect.stringMatching(/^no aggregated visits for this view and day, but 12 raw visits: no app on this server has view aggregates for any day: views were never aggregated here at all — the view aggregates were not restored \(or were emptied\), or the running Countly build never aggregates views \(plugins\/views\/api\/aggregator\.js \(commit 0a0731a\)/),
      }),
      expect.objectContaining({ segment: "name=Home", field: "app_viewsmeta", expected: "listed", actual: "missing", message: expect.stringMatching(/^12 raw \[CLY\]_view events in the period, but app_viewsmeta does not list the view/) }),
    ]);
  });

  it("names a timezone shift when visits moved between neighbouring days", () => {
    const out = evaluate(viewsMatchRaw, {}, {
      rawViews: [raw("Home", "2024-10-27", 2), raw("Home", "2024-10-28", 2)],
      viewVisits: { days: [visits("Home", "2024-10-27", 1), visits("Home", "2024-10-28", 3)], meta: meta("Home") },
    });
    expect(out.findings.map((f) => [f.day, f.message])).toEqual([
      ["2024-10-27", "1 aggregated visit, 2 raw visits: the period's totals agree but the days do not: aggregated in another timezone than the app's (Europe/Berlin)? check `timezone` in countly.apps"],
      ["2024-10-28", "3 aggregated visits, 2 raw visits: the period's totals agree but the days do not: aggregated in another timezone than the app's (Europe/Berlin)? check `timezone` in countly.apps"],
    ]);
  });

  it("matches views by md5(name) when the data documents carry no name, and by the view list in the legacy layout", () => {
    const rawViews = [raw("Home", "2024-10-27", 2)];
    const unnamed = { app: a, viewId: md5Hex("Home"), day: "2024-10-27", visits: 2 };
    expect(evaluate(viewsMatchRaw, {}, { rawViews, viewVisits: { days: [unnamed], meta: meta("Home") } }).findings).toEqual([]);
    // with other raw views beside it, the unnamed documents still belong to the view whose md5 they carry
    const two = [...rawViews, raw("Cart", "2024-10-27", 1)];
    expect(evaluate(viewsMatchRaw, {}, { rawViews: two, viewVisits: { days: [unnamed, visits("Cart", "2024-10-27", 1)], meta: meta("Home", "Cart") } }).findings).toEqual([]);
    // Legacy: the id is the app_viewsmeta ObjectId; the fact names the view from the meta entry.
    const legacy = { days: [{ app: a, viewId: "65f0aaaaaaaaaaaaaaaaaaaa", view: "Home", day: "2024-10-27", visits: 2 }], meta: [{ app: a, viewId: "65f0aaaaaaaaaaaaaaaaaaaa", view: "Home" }] };
    expect(evaluate(viewsMatchRaw, {}, { rawViews, viewVisits: legacy }).findings).toEqual([]);
  });

  it("says so when the view list lost the names of views with data (legacy views-meta-lost)", () => {
    const out = evaluate(viewsMatchRaw, {}, { rawViews: [raw("Home", "2024-10-27", 2)], viewVisits: { days: [{ app: a, viewId: "65f0aaaaaaaaaaaaaaaaaaaa", day: "2024-10-27", visits: 2 }], meta: [] } });
    expect(out.findings.map((f) => f.field)).toEqual(["t", "app_viewsmeta", "app_viewsmeta"]);
    expect(out.findings[2]!.message).toBe("2 aggregated visits in the period belong to 1 view that app_viewsmeta does not name (ids 65f0aaaaaaaaaaaaaaaaaaaa): the view list was lost while the data survived");
  });

  it("lets visits inserted within the settle window be missing", () => {
    const facts = (n: number) => ({
      rawViews: [raw("Home", "2024-10-27", 10)],
      viewVisits: { days: [visits("Home", "2024-10-27", n)], meta: meta("Home") },
      rawTail: { rows: [tail("Home", "2024-10-27", 500, 2), tail("Home", "2024-10-27", 503, 3), tail("Cart", "2024-10-27", 503, 4)], maxCdMinute: 503 },
    });
    expect(evaluate(viewsMatchRaw, {}, facts(5)).findings).toEqual([]);
    expect(evaluate(viewsMatchRaw, { settle_minutes: 2 }, facts(6)).findings).toHaveLength(1);
    expect(evaluate(viewsMatchRaw, { settle_minutes: 0 }, facts(9)).findings).toHaveLength(1);
  });

  it("does not require a view whose every raw event is within the settle window to be listed yet", () => {
    const facts = (tailDocs: number) => ({
      rawViews: [raw("New", "2024-10-27", 2)],
      viewVisits: { days: [], meta: [] },
      rawTail: { rows: [tail("New", "2024-10-27", 503, tailDocs)], maxCdMinute: 503 },
    });
    expect(evaluate(viewsMatchRaw, {}, facts(2)).findings).toEqual([]);
    expect(evaluate(viewsMatchRaw, {}, facts(1)).findings.map((f) => f.field)).toEqual(["t", "app_viewsmeta"]);
  });

  it("honours views/exclude_views, require_meta, tolerance and aggregates_without_raw, and skips without raw views", () => {
    const facts = { rawViews: [raw("Home", "2024-10-27", 3), raw("Cart", "2024-10-27", 1)], viewVisits: { days: [visits("Home", "2024-10-27", 3), visits("Home", "2023-01-01", 7)], meta: meta("Home") } };
    expect(evaluate(viewsMatchRaw, { exclude_views: ["Cart"] }, facts).findings).toEqual([]);
    expect(evaluate(viewsMatchRaw, { views: ["Cart"], require_meta: false }, facts).findings).toEqual([expect.objectContaining({ segment: "name=Cart", expected: 1, actual: 0 })]);
    expect(evaluate(viewsMatchRaw, { views: ["Cart"], require_meta: false, tolerance: 1 }, facts).findings).toEqual([]);
    expect(evaluate(viewsMatchRaw, { views: ["Home"], aggregates_without_raw: "fail" }, facts).findings).toEqual([expect.objectContaining({ day: "2023-01-01", segment: "name=Home", expected: 0, actual: 7 })]);
    expect(evaluate(viewsMatchRaw, {}, {}).skipped).toBe("no raw [CLY]_view events in the period");
    expect(evaluate(viewsMatchRaw, {}, facts, { from: "2024-11-01" }).skipped).toBe("no raw [CLY]_view events in the period");
  });

  // Item: tell "views missing only up to the restore" from "never aggregated on this server"
  // from the app's view aggregates over all time (buildSignals).
  describe("why views are missing, from the app's view aggregates over all time", () => {
    const signals = (first?: string, last?: string) => ({
      ...EMPTY_FACTS.buildSignals,
      ...(first ? { viewsFirstDay: { [a]: first }, viewsLastDay: { [a]: last! } } : {}),
    });
    const rows = [raw("Home", "2024-10-20", 2), raw("Home", "2024-10-27", 3), raw("Home", "2024-11-05", 4)];
    const agg = { days: [visits("Home", "2024-10-27", 3)], meta: meta("Home") };
    const messages = (b: object) => evaluate(viewsMatchRaw, {}, { rawViews: rows, viewVisits: agg, buildSignals: b as typeof EMPTY_FACTS.buildSignals }).findings.map((f) => [f.day, f.message]);

    it("missing only before the aggregates start: the ones from before (a restore) were not restored", () => {
      expect(messages(signals("2024-10-25", "2024-11-09"))[0]).toEqual(["2024-10-20", expect.stringMatching(/this app's view aggregates start on 2024-10-25: views are missing only up to then \(the aggregates from before, e\.g\. before a restore, were not restored; the aggregator works since\)/)]);
    });

    it("missing after the aggregates stop: the aggregator stopped or its token cannot resume", () => {
      expect(messages(signals("2024-10-01", "2024-10-30")).at(-1)).toEqual(["2024-11-05", expect.stringMatching(/this app's view aggregates stop on 2024-10-30: the raw views after it were never aggregated/)]);
    });

    it("never aggregated: another app has views, this one none; on the API build the 25.x views bug is not named", () => {
      const other = { ...signals(), viewsFirstDay: { other: "2024-10-01" }, viewsLastDay: { other: "2024-11-09" } };
      const out = evaluate(viewsMatchRaw, {}, { rawViews: rows, buildSignals: other }).findings[0]!.message;
      expect(out).toMatch(/this app has no view aggregates for any day \(other apps do\): views were never aggregated here at all .* or the running Countly build never aggregates views \(plugins\/views\/api\/aggregator\.js \(commit 0a0731a\)/);
      const api = { ...EMPTY_FACTS.buildSignals, layout: { events: "legacy" as const, drill: "legacy" as const, views: "legacy" as const } };
      expect(evaluate(viewsMatchRaw, {}, { rawViews: rows, buildSignals: api }).findings[0]!.message).not.toMatch(/0a0731a/);
    });
  });

  describe("messages, whole", () => {
    // Aggregates present for the view and for days around: the history explains nothing, the difference does.
    const history = { ...EMPTY_FACTS.buildSignals, viewsFirstDay: { [a]: "2024-01-01" }, viewsLastDay: { [a]: "2024-12-31" } };
    const one = (rawVisits: number, aggVisits: number | undefined, extra = {}) =>
      evaluate(viewsMatchRaw, {}, {
        rawViews: [raw("Home", "2024-10-27", rawVisits), raw("Cart", "2024-10-27", 1)],
        viewVisits: { days: [...(aggVisits === undefined ? [] : [visits("Home", "2024-10-27", aggVisits)]), visits("Cart", "2024-10-27", 1), visits("Home", "2024-10-26", 0)], meta: meta("Home", "Cart") },
        buildSignals: history,
        ...extra,
      }).findings.map((f) => f.message);

    it("says what each kind of difference likely means", () => {
      expect(one(10, 0)).toEqual(["no aggregated visits for this view and day, but 10 raw visits: the raw views of this day were never aggregated, or the days are shifted (aggregated in another timezone than the app's)"]);
      expect(one(10, 6)).toEqual(["4 fewer visits than the 10 raw visits: part of the raw views were never aggregated, or the days are shifted (another timezone than the app's)"]);
      expect(one(10, 20)).toEqual(["exactly 2x the 10 raw visits: a restore merged over live aggregation (double counting)?"]);
      expect(one(1, 3)).toEqual(["exactly 3x the 1 raw visit: a restore merged over live aggregation (double counting)?"]);
      expect(one(10, 13)).toEqual(["3 more visits than the 10 raw visits: aggregates exceed the raw data (days shifted to another timezone, or counted twice)"]);
      const pending = { rawTail: { rows: [tail("Home", "2024-10-27", 503, 2)], maxCdMinute: 503 } };
      expect(one(10, 5, pending)).toEqual(["3 fewer visits than the 10 raw visits (2 of them inserted within the settle window may still be pending): part of the raw views were never aggregated, or the days are shifted (another timezone than the app's)"]);
    });

    it("a view with no aggregates at all, while the app has view aggregates", () => {
      const out = evaluate(viewsMatchRaw, {}, { rawViews: [raw("Home", "2024-10-27", 4), raw("Cart", "2024-10-27", 3)], viewVisits: { days: [visits("Cart", "2024-10-27", 3)], meta: meta("Home", "Cart") }, buildSignals: history });
      expect(out.findings).toEqual([{ event: "[CLY]_view", day: "2024-10-27", segment: "name=Home", field: "t", expected: 4, actual: 0, message: "no aggregated visits for this view at all, but 4 raw visits: views aggregates not restored (or emptied), or never rebuilt after a restore" }]);
    });

    it("the view list and aggregates without raw data: whole findings", () => {
      const out = evaluate(viewsMatchRaw, { aggregates_without_raw: "fail" }, { rawViews: [raw("Home", "2024-10-27", 1, 3)], viewVisits: { days: [visits("Home", "2024-10-27", 1), visits("Home", "2023-01-01", 1), visits("Home", "2023-01-02", 0)], meta: [] } });
      expect(out.findings).toEqual([
        { event: "[CLY]_view", segment: "name=Home", field: "app_viewsmeta", expected: "listed", actual: "missing", message: "3 raw [CLY]_view events in the period, but app_viewsmeta does not list the view: the Views dashboard does not show it (view list lost or not restored)" },
        { event: "[CLY]_view", day: "2023-01-01", segment: "name=Home", field: "t", expected: 0, actual: 1, message: "1 aggregated visit but no raw [CLY]_view events that day (raw data deleted, or aggregates restored over another dataset)" },
      ]);
    });

    it("unnamed aggregated views: at most 3 ids named, visits summed over them", () => {
      const ids = ["65f0aaaaaaaaaaaaaaaaaaa1", "65f0aaaaaaaaaaaaaaaaaaa2", "65f0aaaaaaaaaaaaaaaaaaa3", "65f0aaaaaaaaaaaaaaaaaaa4"];
      const days = ids.map((viewId, i) => ({ app: a, viewId, day: "2024-10-27", visits: i + 1 }));
      const out = evaluate(viewsMatchRaw, { require_meta: false }, { rawViews: [raw("Home", "2024-10-27", 1)], viewVisits: { days: [...days, visits("Home", "2024-10-27", 1)], meta: meta("Home") } });
      expect(out.findings).toEqual([
        { event: "[CLY]_view", field: "app_viewsmeta", expected: "every aggregated view named", actual: "4 unnamed", message: `10 aggregated visits in the period belong to 4 views that app_viewsmeta does not name (ids ${ids.slice(0, 3).join(", ")}, …): the view list was lost while the data survived` },
      ]);
    });

    it("the meta entry of a view counts by its md5 id too, and raw days of views left out are not compared", () => {
      const facts = { rawViews: [raw("Home", "2024-10-27", 2)], viewVisits: { days: [visits("Home", "2024-10-27", 2)], meta: [{ app: a, viewId: md5Hex("Home"), view: "renamed" }] } };
      expect(evaluate(viewsMatchRaw, {}, facts).findings).toEqual([]);
      expect(evaluate(viewsMatchRaw, { views: ["Other"] }, facts).skipped).toBe("no raw [CLY]_view events in the period");
      expect(evaluate(viewsMatchRaw, {}, { rawViews: [raw("Home", "2024-10-27", 0, 0)] }).skipped).toBe("no raw [CLY]_view events in the period");
      expect(viewsMatchRaw.needs(withDefaults(viewsMatchRaw.meta, { settle_minutes: 3 }))).toContainEqual({ fact: "rawTail", params: { tailMinutes: 3 } });
    });

    it("relative tolerance per view and day, and visits of one view and day summed over documents", () => {
      const facts = { rawViews: [raw("Home", "2024-10-27", 100)], viewVisits: { days: [visits("Home", "2024-10-27", 60), visits("Home", "2024-10-27", 35)], meta: meta("Home") }, buildSignals: history };
      expect(evaluate(viewsMatchRaw, {}, facts).findings).toHaveLength(1);
      expect(evaluate(viewsMatchRaw, { relative_tolerance: 0.05 }, facts).findings).toEqual([]);
      expect(evaluate(viewsMatchRaw, { relative_tolerance: 0.04 }, facts).findings).toHaveLength(1);
    });
  });
  describe("what is compared, and against what", () => {
    // The app has view aggregates around the days below: the history explains nothing.
    const history = { ...EMPTY_FACTS.buildSignals, viewsFirstDay: { [a]: "2024-01-01" }, viewsLastDay: { [a]: "2024-12-31" } };
    const judge = (facts: object, options: Record<string, unknown> = {}) => evaluate(viewsMatchRaw, options, { buildSignals: history, ...facts });

    it("a view with raw events but no visit among them is still a view to list; a row of nothing is no raw view", () => {
      expect(judge({ rawViews: [raw("Home", "2024-10-27", 0, 2)], viewVisits: { days: [], meta: [] } }).findings).toEqual([
        { event: "[CLY]_view", segment: "name=Home", field: "app_viewsmeta", expected: "listed", actual: "missing", message: "2 raw [CLY]_view events in the period, but app_viewsmeta does not list the view: the Views dashboard does not show it (view list lost or not restored)" },
      ]);
      expect(judge({ rawViews: [raw("Home", "2024-10-27", 0, 0)], viewVisits: { days: [visits("Home", "2024-10-27", 0)], meta: [] } }).skipped).toBe("no raw [CLY]_view events in the period");
    });

    it("only [CLY]_view rows of the settle window excuse missing visits (a session under the same key does not)", () => {
      const facts = (e: string) => ({ rawViews: [raw("Home", "2024-10-27", 10)], viewVisits: { days: [visits("Home", "2024-10-27", 7)], meta: meta("Home") }, rawTail: { rows: [{ ...tail("Home", "2024-10-27", 503, 3), e }], maxCdMinute: 503 } });
      expect(judge(facts("[CLY]_view")).findings).toEqual([]);
      expect(judge(facts("[CLY]_session")).findings).toEqual([expect.objectContaining({ segment: "name=Home", expected: 10, actual: 7, message: "3 fewer visits than the 10 raw visits: part of the raw views were never aggregated, or the days are shifted (another timezone than the app's)" })]);
    });

    it("the tolerance is measured from the nearer end of the settle window", () => {
      // 10 raw visits, 5 of them pending: anything in [5, 10] holds; with tolerance 1 also 4 and 11, not 3 or 12.
      const facts = (n: number) => ({ rawViews: [raw("Home", "2024-10-27", 10)], viewVisits: { days: [visits("Home", "2024-10-27", n)], meta: meta("Home") }, rawTail: { rows: [tail("Home", "2024-10-27", 503, 5)], maxCdMinute: 503 } });
      const actuals = (n: number) => judge(facts(n), { tolerance: 1 }).findings.map((f) => f.actual);
      expect([3, 4, 5, 10, 11, 12].flatMap(actuals)).toEqual([3, 12]);
    });

    it("visits moved to a day without raw views count for the timezone-shift hint; a view left out does not", () => {
      const shifted = "the period's totals agree but the days do not: aggregated in another timezone than the app's (Europe/Berlin)? check `timezone` in countly.apps";
      const moved = { rawViews: [raw("Home", "2024-10-27", 2)], viewVisits: { days: [visits("Home", "2024-10-28", 2)], meta: meta("Home") } };
      expect(judge(moved).findings.map((f) => f.message)).toEqual([`0 aggregated visits, 2 raw visits: ${shifted}`]);
      // The visits of an excluded view on another day are not Home's visits moved there.
      const other = { rawViews: [raw("Home", "2024-10-27", 2)], viewVisits: { days: [visits("Home", "2024-10-26", 0), visits("Old", "2024-10-28", 2)], meta: meta("Home", "Old") } };
      expect(judge(other, { exclude_views: ["Old"] }).findings.map((f) => f.message)).toEqual(["no aggregated visits for this view and day, but 2 raw visits: the raw views of this day were never aggregated, or the days are shifted (aggregated in another timezone than the app's)"]);
    });

    it("an aggregate of 2.5 times the raw visits is not 'exactly' a multiple", () => {
      const out = judge({ rawViews: [raw("Home", "2024-10-27", 2)], viewVisits: { days: [visits("Home", "2024-10-27", 5)], meta: meta("Home") } });
      expect(out.findings.map((f) => f.message)).toEqual(["3 more visits than the 2 raw visits: aggregates exceed the raw data (days shifted to another timezone, or counted twice)"]);
    });

    it("aggregates_without_raw leaves out excluded views", () => {
      const facts = { rawViews: [raw("Home", "2024-10-27", 1)], viewVisits: { days: [visits("Home", "2024-10-27", 1), visits("Old", "2024-10-20", 4)], meta: meta("Home", "Old") } };
      expect(judge(facts, { aggregates_without_raw: "fail" }).findings).toEqual([expect.objectContaining({ day: "2024-10-20", segment: "name=Old", expected: 0, actual: 4 })]);
      expect(judge(facts, { aggregates_without_raw: "fail", exclude_views: ["Old"] }).findings).toEqual([]);
    });

    it("a view's documents without the name are matched to its named documents by md5 (not unnamed); exactly 3 unnamed ids get no ellipsis", () => {
      const unnamed = (view: string, day: string, n: number): ViewVisitsDay => ({ app: a, viewId: md5Hex(view), day, visits: n });
      const facts = { rawViews: [raw("Home", "2024-10-27", 1)], viewVisits: { days: [visits("Home", "2024-10-27", 1), visits("Cart", "2024-10-20", 2), unnamed("Cart", "2024-10-21", 1)], meta: meta("Home", "Cart") } };
      expect(judge(facts).findings).toEqual([]);
      const ids = ["65f0aaaaaaaaaaaaaaaaaaa1", "65f0aaaaaaaaaaaaaaaaaaa2", "65f0aaaaaaaaaaaaaaaaaaa3"];
      const three = { rawViews: [raw("Home", "2024-10-27", 1)], viewVisits: { days: [visits("Home", "2024-10-27", 1), ...ids.map((viewId) => ({ app: a, viewId, day: "2024-10-27", visits: 1 }))], meta: meta("Home") } };
      expect(judge(three).findings.map((f) => f.message)).toEqual([`3 aggregated visits in the period belong to 3 views that app_viewsmeta does not name (ids ${ids.join(", ")}): the view list was lost while the data survived`]);
    });

    it("charts raw against aggregated visits per view and day: the total first, then views with findings, aggregated-only days of the views compared", () => {
      const series = evaluateSeries(viewsMatchRaw, { exclude_views: ["Old"] }, {
        buildSignals: history,
        rawViews: [raw("Home", "2024-10-27", 2), raw("Cart", "2024-10-27", 1)],
        viewVisits: { days: [visits("Home", "2024-10-27", 2), visits("Home", "2024-10-28", 5), visits("Old", "2024-10-28", 9)], meta: meta("Home", "Cart", "Old") },
      });
      expect(series).toEqual([
        { label: "all views · visits", points: [{ day: "2024-10-27", raw: 3, aggregated: 2 }, { day: "2024-10-28", raw: 0, aggregated: 5 }] },
        { label: "view Cart · visits", points: [{ day: "2024-10-27", raw: 1, aggregated: 0 }] },
        { label: "view Home · visits", points: [{ day: "2024-10-28", raw: 0, aggregated: 5 }, { day: "2024-10-27", raw: 2, aggregated: 2 }] },
      ]);
    });
  });
});
