// The HTML report: one self-contained, bounded page, tested as text and for real in headless
// Chromium (Debian's `chromium`, driven by playwright-core): the incident demo renders without
// console errors or network requests, its charts hold exactly the JSON report's series, the
// findings search works, it fits a phone and follows dark mode. Screenshots go to reports/
// (git-ignored; CI keeps them as artifacts).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCorruptions } from "../../fixtures/corruptions.ts";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import type { CaseResult, DailySeries, RunResult } from "../../runner/model.ts";
import { HTML_LIMITS, toHtml } from "../../reports/html.ts";
import { cli } from "../support/cli.ts";
import { resultValidator } from "../support/report-schemas.ts";
import { sampleRun } from "./sample-run.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHROMIUM = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p): p is string => !!p && existsSync(p));
const SEED = 20250319; // the demo's

// The callbacks below run in the page; the project's TypeScript has no DOM library.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Element = any;
declare const document: any;
declare const window: any;
declare function getComputedStyle(e: unknown): any;

describe("toHtml", () => {
  it("escapes every value once: markup in data stays text", () => {
    const run = sampleRun();
    const c = run.suites[0]!.cases[0]!;
    const hostile: CaseResult = {
      ...c,
      outcome: "failed",
      findings: [{ event: `<img src=x onerror=alert(1)>`, message: `"quoted" & <b>bold</b>` }],
      findingsTotal: 1,
      series: [{ label: `event <script>x</script> · c`, days: ["2024-10-01"], raw: [3], aggregated: [0] }],
      seriesTotal: 1,
    };
    const html = toHtml({ ...run, suites: [{ ...run.suites[0]!, cases: [hostile] }] });
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>x</script>");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;");
    expect(html.match(/<script>/g)).toHaveLength(1); // only the page's own search script
  });

  it("shows the detected Countly profile when the run has one, and no such section otherwise", () => {
    const run = sampleRun();
    expect(toHtml(run)).not.toContain("Countly profile");
    const html = toHtml({ ...run, profile: { name: "countly-25", evidence: "drill_events merged collection" } } as unknown as RunResult);
    expect(html).toContain("<h2>Countly profile</h2>");
    expect(html).toContain("<dt>name</dt><dd>countly-25</dd>");
    expect(html).toContain("drill_events merged collection");
  });

  it("loads nothing from the network: a CSP forbids it and no URL is referenced", () => {
    const html = toHtml(sampleRun());
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/);
  });

  it("stays bounded on a huge run: cases, charts and finding rows are capped and counted", () => {
    const base = sampleRun();
    const template = base.suites[0]!.cases[0]!;
    const days = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10)) as DailySeries["days"];
    const series: DailySeries[] = Array.from({ length: 6 }, (_, i) => ({ label: `event e${i} · c`, days, raw: days.map((_, d) => d), aggregated: days.map(() => 0) }));
    const cases: CaseResult[] = Array.from({ length: 3000 }, (_, i) => ({
      ...template,
      name: `case ${i}`,
      outcome: "failed",
      findings: Array.from({ length: 50 }, (_, f) => ({ event: `e${f}`, day: "2024-01-01", expected: 1, actual: 0, message: "m".repeat(200) })),
      findingsTotal: 50,
      series,
      seriesTotal: 6,
    }));
    const html = toHtml({ ...base, suites: [{ ...base.suites[0]!, cases }] });
    expect(html.match(/<figure class="chart"/g)).toHaveLength(HTML_LIMITS.charts);
    expect(html.match(/<tr class="failed" data-status="failed" data-search=/g)).toHaveLength(HTML_LIMITS.findings);
    expect(html).toContain(`… and ${3000 - HTML_LIMITS.casesPerSuite} more cases`);
    expect(html.length).toBeLessThan(20_000_000);
  });
});

it.runIf(!CHROMIUM && process.env.COUNTLY_CHECK_REQUIRE_CHROMIUM === "1")("chromium is installed where CI requires the browser test (.ci/run sets COUNTLY_CHECK_REQUIRE_CHROMIUM=1)", () => {
  expect.fail("no chromium at CHROMIUM_PATH, /usr/bin/chromium or /usr/bin/chromium-browser: apt-get install -y chromium");
});

describe.skipIf(!CHROMIUM)(`the incident demo's HTML report in headless Chromium (${CHROMIUM ?? "chromium not installed: apt-get install -y chromium"})`, () => {
  let work: string;
  let htmlFile: string;
  let report: RunResult;
  let browser: any;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "cc-html-"));
    const dump = join(work, "incident");
    await writeDump(applyCorruptions(generateDataset(SEED, { layout: "current" }), ["post-restore-incident"]), dump);
    htmlFile = join(work, "report.html");
    const jsonFile = join(work, "report.json");
    const r = await cli(["run", "scenarios/post-restore.yaml", "--source", dump, "--junit", join(work, "junit.xml"), "--json", jsonFile, "--html", htmlFile]);
    expect(r.code, r.stderr).toBe(1);
    report = JSON.parse(await readFile(jsonFile, "utf8")) as RunResult;
    // The series the charts draw are part of the documented JSON.
    expect(resultValidator()(report)).toEqual([]);
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function open(options: { width: number; height: number; dark?: boolean }) {
    const page = await browser.newPage({ viewport: { width: options.width, height: options.height }, colorScheme: options.dark ? "dark" : "light" });
    const problems: string[] = [];
    page.on("console", (m: { type(): string; text(): string }) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e: Error) => problems.push(`page error: ${e.message}`));
    const url = pathToFileURL(htmlFile).href;
    page.on("request", (req: { url(): string }) => {
      if (req.url() !== url) problems.push(`request: ${req.url()}`);
    });
    await page.goto(url, { waitUntil: "load" });
    return { page, problems };
  }

  it("renders without console errors or requests, and every chart holds the JSON report's series exactly", async () => {
    const { page, problems } = await open({ width: 1280, height: 900 });
    const charts = (await page.$$eval("figure.chart", (figs: Element[]) =>
      figs.map((f) => ({
        case: f.getAttribute("data-case"),
        label: f.getAttribute("data-label"),
        days: [...f.querySelectorAll("rect.day")].map((r: Element) => r.getAttribute("data-day")),
        raw: [...f.querySelectorAll("rect.day")].map((r: Element) => Number(r.getAttribute("data-raw"))),
        aggregated: [...f.querySelectorAll("rect.day")].map((r: Element) => Number(r.getAttribute("data-aggregated"))),
        lines: f.querySelectorAll("polyline.line").length,
        height: f.querySelector("svg")!.getBoundingClientRect().height,
      })),
    )) as { case: string; label: string; days: string[]; raw: number[]; aggregated: number[]; lines: number; height: number }[];
    const expected = report.suites.flatMap((s) => s.cases.flatMap((c) => (c.series ?? []).map((x) => ({ case: c.name, label: x.label, days: x.days, raw: x.raw, aggregated: x.aggregated }))));
    expect(expected.length).toBeGreaterThan(0);
    expect(charts.map(({ case: c, label, days, raw, aggregated }) => ({ case: c, label, days, raw, aggregated })).sort(byKey)).toEqual([...expected].sort(byKey));
    for (const c of charts) {
      expect(c.lines).toBe(2);
      expect(c.height).toBeGreaterThan(50);
    }
    // The incident is visible: raw events on days whose aggregated count is 0.
    const events = charts.find((c) => c.label === "all events · c")!;
    expect(events.raw.some((v) => v > 0) && events.aggregated.every((v) => v === 0)).toBe(true);
    // The totals shown are the JSON's.
    const failedChip = await page.textContent('[data-total="failed"] b');
    expect(Number(failedChip)).toBe(report.suites.flatMap((s) => s.cases).filter((c) => c.outcome === "failed" && c.severity === "error").length);
    await mkdir(join(ROOT, "reports"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "reports", "html-incident.png"), fullPage: false });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("the findings search narrows the table to matching rows", async () => {
    const { page, problems } = await open({ width: 1280, height: 900 });
    const all = await page.$$eval("table.findings tbody tr", (rows: Element[]) => rows.length);
    const event = report.suites.flatMap((s) => s.cases).flatMap((c) => c.findings).find((f) => f.event)!.event!;
    await page.fill("#q", event.toLowerCase());
    const visible = (await page.$$eval("table.findings tbody tr:not([hidden])", (rows: Element[]) => rows.map((r) => r.textContent ?? ""))) as string[];
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.length).toBeLessThan(all);
    for (const text of visible) expect(text.toLowerCase()).toContain(event.toLowerCase());
    expect(await page.textContent("#shown")).toBe(`${visible.length} shown`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("fits a phone's width and follows dark mode", async () => {
    const { page, problems } = await open({ width: 390, height: 844, dark: true });
    const layout = (await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      width: window.innerWidth,
      background: getComputedStyle(document.body).backgroundColor,
      chart: document.querySelector("figure.chart")!.getBoundingClientRect().width,
    }))) as { scroll: number; width: number; background: string; chart: number };
    expect(layout.scroll).toBeLessThanOrEqual(layout.width);
    expect(layout.chart).toBeLessThanOrEqual(layout.width);
    expect(layout.background).toBe("rgb(13, 17, 23)");
    await page.screenshot({ path: join(ROOT, "reports", "html-incident-phone-dark.png"), fullPage: false });
    expect(problems).toEqual([]);
    await page.close();
  });
});

function byKey(a: { case: string; label: string }, b: { case: string; label: string }): number {
  return `${a.case}\u0000${a.label}` < `${b.case}\u0000${b.label}` ? -1 : 1;
}
