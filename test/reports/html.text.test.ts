// The HTML report's text, without a browser (test/reports/html.test.ts drives Chromium):
// the header, the tables and the SVG charts, value by value. Chart coordinates are worked
// out by hand from the layout (a 520 x 180 view box, plot area x 48..510, y 12..154).
import { describe, expect, it } from "vitest";
import { HTML_LIMITS, toHtml } from "../../reports/html.ts";
import type { CaseResult, DailySeries, RunResult } from "../../runner/model.ts";
import { compactRun } from "./sample-run.ts";

const between = (html: string, start: string, end: string): string => {
  const i = html.indexOf(start);
  if (i < 0) throw new Error(`no ${start}`);
  return html.slice(i, html.indexOf(end, i) + end.length);
};
const charts = (html: string): string[] => html.match(/<figure class="chart"[\s\S]*?<\/figure>/g) ?? [];

function withSeries(series: DailySeries[], outcome: CaseResult["outcome"] = "failed"): RunResult {
  const run = compactRun();
  const c = run.suites[0]!.cases[0]!;
  run.suites[0]!.cases = [{ ...c, outcome, series, seriesTotal: series.length }];
  return run;
}

describe("toHtml: header", () => {
  it("gives the verdict, the totals and the run's facts", () => {
    const html = toHtml(compactRun());
    expect(html).toContain("<title>countly-check: ERROR</title>");
    expect(html).toContain('<header class="verdict error">\n  <h1><span class="badge error">ERROR</span> countly-check</h1>');
    expect(between(html, '<p class="totals">', "</p>")).toBe(
      '<p class="totals"><span class="chip tests" data-total="tests"><b>5</b> tests</span> <span class="chip passed" data-total="passed"><b>1</b> passed</span> <span class="chip failed" data-total="failed"><b>1</b> failed</span> <span class="chip warned" data-total="warned"><b>1</b> warned</span> <span class="chip errors" data-total="errors"><b>1</b> errors</span> <span class="chip skipped" data-total="skipped"><b>1</b> skipped</span></p>',
    );
    expect(between(html, '<dl class="meta">', "</dl>")).toBe(
      '<dl class="meta">\n    <dt>source</dt><dd>dump .demo/incident</dd>\n    <dt>layout</dt><dd>events: current, drill: current, views: current</dd>\n    <dt>started</dt><dd>2026-11-25T00:00:00.000Z (1.23 s)</dd>\n    <dt>exit code</dt><dd>3</dd>\n    <dt>tool</dt><dd>countly-check 0.1.0</dd>\n  </dl>',
    );
    expect(html.startsWith("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")).toBe(true);
    expect(html.endsWith("</script>\n</body>\n</html>\n")).toBe(true);
  });

  it("says FAILED, PASSED with warnings and PASSED, and leaves out a missing layout", () => {
    const run = compactRun();
    const [failed, , warned, , passed] = run.suites[0]!.cases;
    delete run.layout;
    run.suites[0]!.cases = [failed!, passed!];
    let html = toHtml(run);
    expect(html).toContain('<header class="verdict failed">\n  <h1><span class="badge failed">FAILED</span> countly-check</h1>');
    expect(html).toContain("<title>countly-check: FAILED</title>");
    expect(html).not.toContain("<dt>layout</dt>");
    run.suites[0]!.cases = [warned!, passed!];
    html = toHtml(run);
    expect(html).toContain('<header class="verdict warned">\n  <h1><span class="badge warned">PASSED with warnings</span> countly-check</h1>');
    run.suites[0]!.cases = [passed!];
    html = toHtml(run);
    expect(html).toContain('<header class="verdict passed">\n  <h1><span class="badge passed">PASSED</span> countly-check</h1>');
    expect(html).toContain("<dt>exit code</dt><dd>0</dd>");
  });

  it("says CHECKED NOTHING, never PASSED, when every case skipped", () => {
    const run = compactRun();
    run.suites[0]!.cases = run.suites[0]!.cases.filter((c) => c.outcome === "skipped");
    const html = toHtml(run);
    expect(html).toContain('<header class="verdict skipped">\n  <h1><span class="badge skipped">CHECKED NOTHING</span> countly-check</h1>');
    expect(html).toContain("<title>countly-check: CHECKED NOTHING</title>");
  });

  it("shows a profile of any shape: an object's fields (objects as JSON), or a plain value", () => {
    const run = compactRun() as unknown as Record<string, unknown>;
    run.profile = { summary: { views: "aggregated" }, name: "countly-25" };
    expect(toHtml(run as unknown as RunResult)).toContain('<section class="profile" aria-label="Countly profile"><h2>Countly profile</h2><dl class="meta"><dt>summary</dt><dd>{&quot;views&quot;:&quot;aggregated&quot;}</dd><dt>name</dt><dd>countly-25</dd></dl></section>');
    run.profile = "countly-24";
    expect(toHtml(run as unknown as RunResult)).toContain('<dl class="meta"><dt>profile</dt><dd>countly-24</dd></dl>');
    run.profile = null;
    expect(toHtml(run as unknown as RunResult)).not.toContain("Countly profile");
  });
});

describe("toHtml: suites and findings tables", () => {
  it("lists a suite's cases, problems first, with check, app, severity, findings, message and what to do", () => {
    const run = compactRun();
    run.suites[0]!.description = "nightly <checks>";
    run.suites[0]!.durationMs = 1500;
    const html = toHtml(run);
    const suite = between(html, '<section class="suite">', "</section>");
    expect(suite).toContain('<h2>nightly <span class="sub">scenarios/n.yaml</span></h2>\n<p class="desc">nightly &lt;checks&gt;</p>\n<p class="totals small">5 tests: 1 passed, 1 failed, 1 warned, 1 errors, 1 skipped · 1.5 s</p>');
    const rows = suite.match(/<tr class="[^"]+" data-status[\s\S]*?<\/tr>/g)!;
    expect(rows).toEqual([
      '<tr class="error" data-status="error"><td><span class="badge error">error</span></td><td><code>src</code><div class="sub">sources-present-when-raw · line 20</div></td><td>—</td><td>error</td><td class="num"></td><td><details><summary>what to do</summary>never shown</details></td></tr>',
      '<tr class="failed" data-status="failed"><td><span class="badge failed">failed</span></td><td><code>events</code><div class="sub">events-match-raw · line 12</div></td><td>Shop<div class="sub mono">a1</div></td><td>error</td><td class="num">9</td><td>9 findings: missing<details><summary>what to do</summary>restore events_data</details></td></tr>',
      '<tr class="warned" data-status="warned"><td><span class="badge warned">warned</span></td><td><code>w</code><div class="sub">events-match-raw · line 0</div></td><td>Shop<div class="sub mono">a1</div></td><td>warn</td><td class="num">2</td><td></td></tr>',
      '<tr class="skipped" data-status="skipped"><td><span class="badge skipped">skipped</span></td><td><code>views</code><div class="sub">views-present-when-raw · line 30</div></td><td>—</td><td>error</td><td class="num"></td><td>no views\nsecond line</td></tr>',
      '<tr class="passed" data-status="passed"><td><span class="badge passed">passed</span></td><td><code>seg</code><div class="sub">event-segments-within-total · line 40</div></td><td>—</td><td>error</td><td class="num"></td><td></td></tr>',
    ]);
    expect(suite).not.toContain("more cases");
    // a passed case's remediation is not advice
    run.suites[0]!.cases[4]!.remediation = "nothing";
    expect(toHtml(run)).not.toContain("<summary>what to do</summary>nothing");
  });

  it("lists every finding with its fields, searchable by suite, check and text", () => {
    const run = compactRun();
    run.suites[0]!.cases[0]!.findings = [{ app: { id: "a1", name: "Shop" }, event: "Buy", day: "2024-10-27", segment: "Country", field: "c", expected: 42, actual: "x", message: "Missing" }, { message: "bare" }];
    run.suites[0]!.cases[0]!.findingsTotal = 2;
    run.suites[0]!.cases[1]!.findings = [];
    const html = toHtml(run);
    const rows = between(html, '<table class="findings">', "</table>").match(/<tr class[\s\S]*?<\/tr>/g)!;
    expect(rows).toEqual([
      '<tr class="failed" data-status="failed" data-search="nightly events app shop (a1) · event buy · day 2024-10-27 · segment country · c: expected 42, actual x — missing"><td><span class="badge failed">failed</span></td><td><code>events</code></td><td>Shop</td><td>Buy</td><td>2024-10-27</td><td>Country</td><td>c</td><td class="num">42</td><td class="num">x</td><td>Missing</td></tr>',
      '<tr class="failed" data-status="failed" data-search="nightly events bare"><td><span class="badge failed">failed</span></td><td><code>events</code></td><td></td><td></td><td></td><td></td><td></td><td class="num"></td><td class="num"></td><td>bare</td></tr>',
      '<tr class="warned" data-status="warned" data-search="nightly w app shop (a1) — minor"><td><span class="badge warned">warned</span></td><td><code>w</code></td><td>Shop</td><td></td><td></td><td></td><td></td><td class="num"></td><td class="num"></td><td>minor</td></tr>',
    ]);
    expect(html).toContain('<span id="shown" class="sub">3 shown</span></div>\n<p class="sub">4 findings in all; the first 3 are listed here (the JSON report keeps up to the run\'s --max-findings per case).</p>');
    run.suites[0]!.cases[2]!.findingsTotal = 1;
    expect(toHtml(run)).toContain('<p class="sub">3 findings in all.</p>');
    run.suites[0]!.cases = run.suites[0]!.cases.slice(0, 1);
    run.suites[0]!.cases[0]!.findings = [{ message: "one" }];
    run.suites[0]!.cases[0]!.findingsTotal = 1;
    expect(toHtml(run)).toContain('<p class="sub">1 finding in all.</p>');
    run.suites[0]!.cases = [];
    expect(toHtml(run)).toContain('<section id="findings"><h2>Findings</h2><p>None: every check that ran found its invariant holding.</p></section>');
  });

  it("caps the cases per suite and the finding rows, per case and in all", () => {
    const run = compactRun();
    const [failed, , , , passed] = run.suites[0]!.cases;
    const many = (c: CaseResult, n: number, findings: number) => Array.from({ length: n }, (_, i): CaseResult => ({ ...c, name: `${c.name} ${i}`, findings: Array.from({ length: findings }, (_, f) => ({ message: `f${f}` })), findingsTotal: findings }));
    run.suites[0]!.cases = [...many(passed!, HTML_LIMITS.casesPerSuite, 0), ...many(failed!, 12, 250)];
    const html = toHtml(run);
    const suite = between(html, '<section class="suite">', "</section>");
    expect(suite.match(/<tr class="failed"/g)).toHaveLength(12);
    expect(suite.match(/<tr class="passed"/g)).toHaveLength(HTML_LIMITS.casesPerSuite - 12);
    expect(suite).toContain('<p class="sub">… and 12 more cases (passed or skipped); the JUnit and JSON reports list every case.</p>');
    const findings = between(html, '<table class="findings">', "</table>");
    expect(findings.match(/<tr class="failed"/g)).toHaveLength(HTML_LIMITS.findings);
    // 10 cases give 200 rows each; the 11th and 12th none
    expect(findings.match(/data-search="nightly events f199"/g)).toHaveLength(10);
    expect(findings).not.toContain('data-search="nightly events f200"');
    expect(html).toContain(`<span id="shown" class="sub">2,000 shown</span>`);
    expect(html).toContain("3,000 findings in all; the first 2,000 are listed here");
    expect([HTML_LIMITS.casesPerSuite, HTML_LIMITS.charts, HTML_LIMITS.findings, HTML_LIMITS.findingsPerCase]).toEqual([500, 150, 2000, 200]);
  });
});

describe("toHtml: charts", () => {
  it("draws a series as two lines over its days, marks the days that differ and labels both ends", () => {
    const html = toHtml(withSeries([{ label: "event Buy · c", days: ["2024-10-01", "2024-10-02", "2024-10-03"], raw: [0, 5, 10], aggregated: [0, 5, 4] }]));
    const [fig] = charts(html);
    expect(fig).toBe(`<figure class="chart" data-suite="nightly" data-case="events [Shop a1]" data-label="event Buy · c" data-differing="1">
<figcaption><b>event Buy · c</b> <span class="sub">2024-10-01 → 2024-10-03 · raw 15, aggregated 9 · <span class="bad">1 day differ</span></span></figcaption>
<svg viewBox="0 0 520 180" role="img" aria-label="event Buy · c: raw vs aggregated per day" preserveAspectRatio="xMidYMid meet">
<text class="axis" x="42" y="158.0" text-anchor="end">0</text><line class="grid" x1="48" x2="510" y1="154.0" y2="154.0"/><text class="axis" x="42" y="87.0" text-anchor="end">5</text><line class="grid" x1="48" x2="510" y1="83.0" y2="83.0"/><text class="axis" x="42" y="16.0" text-anchor="end">10</text><line class="grid" x1="48" x2="510" y1="12.0" y2="12.0"/><text class="axis" x="48" y="172" text-anchor="start">10-01</text><text class="axis" x="510" y="172" text-anchor="end">10-03</text>
<g class="days"><rect class="day" x="-29.0" y="12" width="154.0" height="142" data-day="2024-10-01" data-raw="0" data-aggregated="0"><title>2024-10-01: raw 0, aggregated 0</title></rect><rect class="day" x="202.0" y="12" width="154.0" height="142" data-day="2024-10-02" data-raw="5" data-aggregated="5"><title>2024-10-02: raw 5, aggregated 5</title></rect><rect class="day diff" x="433.0" y="12" width="154.0" height="142" data-day="2024-10-03" data-raw="10" data-aggregated="4"><title>2024-10-03: raw 10, aggregated 4</title></rect></g>
<polyline class="line raw" points="48.0,154.0 279.0,83.0 510.0,12.0"/>
<polyline class="line agg" points="48.0,154.0 279.0,83.0 510.0,97.2"/>
</svg>
</figure>`);
  });

  it("draws missing days at 0 on both lines, and notes days left out", () => {
    // days 0, 2 and 6 of the span: one missing day, then three; the scale tops at 5
    const html = toHtml(withSeries([{ label: "sessions (t)", days: ["2024-10-01", "2024-10-03", "2024-10-07"], raw: [1, 2, 3], aggregated: [1, 2, 3], daysLeftOut: 3 }], "passed"));
    const [fig] = charts(html);
    const points = "48.0,125.6 125.0,154.0 202.0,97.2 279.0,154.0 433.0,154.0 510.0,68.8";
    expect(fig).toContain(`<polyline class="line raw" points="${points}"/>\n<polyline class="line agg" points="${points}"/>`);
    expect(fig).toContain('<span class="sub">2024-10-01 → 2024-10-07 · raw 6, aggregated 6 · 3 earlier days not kept</span>');
    expect(fig).toContain('data-differing="0"');
    expect(fig).toContain('<text class="axis" x="42" y="87.0" text-anchor="end">2.5</text>');
    expect(fig).toContain('<text class="axis" x="42" y="16.0" text-anchor="end">5</text>');
    expect(fig).toContain('<rect class="day" x="15.0" y="12" width="66.0" height="142" data-day="2024-10-01"');
    expect(fig).toContain('<rect class="day" x="477.0" y="12" width="66.0" height="142" data-day="2024-10-07"');
    expect(html).toContain("They agree everywhere.");
  });

  it("labels the months inside the span, away from the ends, at most six", () => {
    // 2024-09-20 .. 2024-12-10 is 81 days: October at x 110.7, November at 287.6, December too close to the end
    const [fig] = charts(toHtml(withSeries([{ label: "l", days: ["2024-09-20", "2024-12-10"], raw: [0, 0], aggregated: [0, 0] }])));
    expect(fig).toContain('<text class="axis" x="48" y="172" text-anchor="start">09-20</text><text class="axis" x="510" y="172" text-anchor="end">12-10</text><text class="axis" x="110.7" y="172" text-anchor="middle">2024-10</text><line class="tick" x1="110.7" x2="110.7" y1="154" y2="158"/><text class="axis" x="287.6" y="172" text-anchor="middle">2024-11</text><line class="tick" x1="287.6" x2="287.6" y1="154" y2="158"/>\n');
    // an all-zero series still has a scale: 0, 0.5, 1
    expect(fig).toContain('text-anchor="end">0.5</text>');
    // 14 month starts in 2024-01-15 .. 2025-03-10: every third, those far enough from the ends
    const [long] = charts(toHtml(withSeries([{ label: "l", days: ["2024-01-15", "2025-03-10"], raw: [0, 0], aggregated: [0, 0] }])));
    expect(long!.match(/text-anchor="middle">(\d{4}-\d{2})</g)!.map((m) => m.slice(-8, -1))).toEqual(["2024-05", "2024-08", "2024-11"]);
    // one day: a start label only
    const [one] = charts(toHtml(withSeries([{ label: "l", days: ["2024-03-01"], raw: [7], aggregated: [7] }])));
    expect(one!.match(/<text class="axis" x="[\d.]+" y="172"/g)).toEqual(['<text class="axis" x="48" y="172"']);
    expect(one).toContain('<polyline class="line raw" points="48.0,54.6"/>');
  });

  it("rounds the scale up to 1, 2, 2.5 or 5 times a power of ten", () => {
    const top = (v: number) => charts(toHtml(withSeries([{ label: "l", days: ["2024-03-01", "2024-03-02"], raw: [v, 0], aggregated: [0, 0] }])))[0]!.match(/<text class="axis" x="42" y="16.0" text-anchor="end">([^<]+)<\/text>/)![1];
    // 1234 tops at 2,000; below 1 the scale stays 1
    expect([1, 2, 3, 10, 11, 21, 25, 26, 51, 99, 100, 1234, 0.3].map(top)).toEqual(["1", "2", "5", "10", "20", "25", "25", "50", "100", "100", "100", "2,000", "1"]);
  });

  it("draws problem cases first, counts the charts over the limit, and says how many compared cases differ", () => {
    const run = compactRun();
    const [failed, , , , passed] = run.suites[0]!.cases;
    const s = (label: string): DailySeries => ({ label, days: ["2024-03-01"], raw: [1], aggregated: [1] });
    run.suites[0]!.cases = [
      { ...passed!, series: [s("p")], seriesTotal: 1 },
      { ...failed!, series: Array.from({ length: HTML_LIMITS.charts + 2 }, (_, i) => s(`f${i}`)), seriesTotal: HTML_LIMITS.charts + 5 },
    ];
    const html = toHtml(run);
    const figs = charts(html);
    expect(figs).toHaveLength(HTML_LIMITS.charts);
    expect(figs[0]).toContain('data-label="f0"');
    expect(html).toContain("1 of 2 compared cases differ. 3 more charts not drawn (limit 150); the JSON report has their values.");
    expect(html).toContain(`<p class="sub">nightly · events-match-raw · 9 findings · 3 more series in the JSON report's seriesTotal, not kept</p>`);
    expect(html).toContain(`<h3><span class="badge failed">failed</span> events <span class="app">Shop</span></h3>`);
    expect(html).not.toContain('data-case="seg"');
    run.suites[0]!.cases = [{ ...failed!, findingsTotal: 1, series: Array.from({ length: HTML_LIMITS.charts + 1 }, (_, i) => s(`f${i}`)), seriesTotal: HTML_LIMITS.charts + 1 }];
    const one = toHtml(run);
    expect(one).toContain("1 of 1 compared case differ. 1 more chart not drawn (limit 150); the JSON report has their values.");
    expect(one).toContain(`<p class="sub">nightly · events-match-raw · 1 finding</p>`);
    run.suites[0]!.cases = [{ ...passed!, findingsTotal: 0 }];
    expect(toHtml(run)).not.toContain('<section id="charts">');
  });
});

describe("toHtml: how the parts are joined", () => {
  const s = (label: string, raw: number[], aggregated: number[]): DailySeries => ({ label, days: raw.map((_, i) => `2024-03-0${i + 1}`), raw, aggregated });

  it("a run without layout, profile, charts or description has nothing in their place", () => {
    const run = compactRun();
    delete run.layout;
    const html = toHtml(run);
    expect(between(html, '<dl class="meta">', "</header>")).toBe(
      '<dl class="meta">\n    <dt>source</dt><dd>dump .demo/incident</dd>\n    \n    <dt>started</dt><dd>2026-11-25T00:00:00.000Z (1.23 s)</dd>\n    <dt>exit code</dt><dd>3</dd>\n    <dt>tool</dt><dd>countly-check 0.1.0</dd>\n  </dl>\n  \n</header>',
    );
    expect(html).toContain('</header>\n\n<section class="suite">\n<h2>nightly <span class="sub">scenarios/n.yaml</span></h2>\n\n<p class="totals small">');
    expect(html).toContain("</tr>\n</tbody></table></div>\n\n</section>\n<section id=\"findings\">");
    expect(html).not.toContain("Countly profile");
  });

  it("puts one suite, case row, finding row, card and chart per line", () => {
    const run = compactRun();
    const [failed, , warned] = run.suites[0]!.cases;
    // the warning comes first in the suite; the findings table still lists the failure first
    run.suites[0]!.cases = [{ ...warned!, series: [s("w", [1], [1])], seriesTotal: 1 }, { ...failed!, findings: failed!.findings.slice(0, 2), series: [s("a", [2, 3], [2, 0]), s("b", [1, 4], [0, 0])], seriesTotal: 2 }];
    run.suites.push({ ...run.suites[0]!, name: "second" });
    const html = toHtml(run);
    expect(html).toContain("</section>\n<section class=\"suite\">\n<h2>second ");
    expect(html).toContain('<div class="cards"><article class="card failed" data-case="events [Shop a1]">');
    expect(html).toContain('</article>\n<article class="card warned" data-case="w [Shop a1]">');
    expect(html).toContain('<h3><span class="badge warned">warned</span> w <span class="app">Shop</span></h3>\n  <p class="sub">nightly · events-match-raw · 2 findings</p>');
    expect(html).toContain("</figure>\n<figure class=\"chart\" data-suite=\"nightly\" data-case=\"events [Shop a1]\" data-label=\"b\"");
    expect(html).toContain('<span class="bad">2 days differ</span>');
    expect(html).toContain('<span class="bad">1 day differ</span>');
    expect(html).toContain("Days where they differ are marked <span class=\"key diff\">red</span>. 4 of 4 compared cases differ.</p>");
    const findings = between(html, '<table class="findings">', "</table>");
    expect(findings.match(/data-search="[^"]*"/g)).toEqual([
      'data-search="nightly events app shop (a1) · event e0 — m0"',
      'data-search="nightly events app shop (a1) · event e1 — m1"',
      'data-search="second events app shop (a1) · event e0 — m0"',
      'data-search="second events app shop (a1) · event e1 — m1"',
      'data-search="nightly w app shop (a1) — minor"',
      'data-search="second w app shop (a1) — minor"',
    ]);
    expect(findings).toContain("</tr>\n<tr");
    expect(between(html, '<section class="suite">', "</section>")).toContain("</tr>\n<tr");
  });

  it("a chart card without an app or findings, and a one-day chart ends at its start label", () => {
    const run = compactRun();
    const passed = run.suites[0]!.cases[4]!;
    run.suites[0]!.cases = [{ ...passed, series: [s("p", [7], [7])], seriesTotal: 1 }];
    const html = toHtml(run);
    expect(html).toContain('<h3><span class="badge passed">passed</span> seg</h3>\n  <p class="sub">nightly · event-segments-within-total</p>');
    expect(html).toContain('text-anchor="start">03-01</text>\n<g class="days">');
  });

  it("labels a month exactly 60 px from either end of the axis only when it is further", () => {
    const labels = (from: string, to: string) => (charts(toHtml(withSeries([{ label: "l", days: [from, to], raw: [0, 0], aggregated: [0, 0] }])))[0]!.match(/text-anchor="middle">(\d{4}-\d{2})</g) ?? []).map((m) => m.slice(-8, -1));
    // 77 days from 2024-09-21: October 1 is 10 days in, x = 48 + 10/77 * 462 = 108, 60 px from the left end
    expect(labels("2024-09-21", "2024-12-07")).toEqual(["2024-11"]);
    // 77 days from 2024-09-25: December 1 is 67 days in, x = 450, 60 px from the right end
    expect(labels("2024-09-25", "2024-12-11")).toEqual(["2024-11"]);
    // seven month starts, the first on the first day: every second one (January is at the left end, July too close to the right)
    expect(labels("2024-01-01", "2024-07-15")).toEqual(["2024-03", "2024-05"]);
    // seven month starts, the last on the last day
    expect(labels("2024-01-15", "2024-08-01")).toEqual(["2024-04", "2024-06"]);
  });
});
