// The result model as one self-contained HTML page (`--html FILE`): verdict and totals, the
// raw-vs-aggregated charts (inline SVG, drawn here: no script needed to see them), each
// suite's cases, and the findings in a searchable table. No network: inline CSS, SVG and a
// few lines of script for the search, under a Content-Security-Policy that forbids fetching.
// Bounded: the series are bounded by the runner (runner/series.ts), the rest here.
import type { CaseResult, DailySeries, Finding, RunResult, SuiteResult } from "../runner/model.ts";
import { exitCodeOf, isWarning, totalsOf, verdictOf } from "../runner/model.ts";
import { formatFinding } from "./format.ts";
import { escapeXml as esc } from "./xml.ts";

export const HTML_LIMITS = {
  /** Cases listed per suite (those not passed first); the rest are counted. */
  casesPerSuite: 500,
  /** Charts drawn (cases that failed first); the rest are counted. */
  charts: 150,
  /** Rows of the findings table, in all and per case. */
  findings: 2000,
  findingsPerCase: 200,
} as const;

type Status = "passed" | "failed" | "warned" | "error" | "skipped";

function statusOf(c: CaseResult): Status {
  return isWarning(c) ? "warned" : c.outcome;
}

const STATUS_ORDER: Record<Status, number> = { error: 0, failed: 1, warned: 2, skipped: 3, passed: 4 };
const byStatus = (a: CaseResult, b: CaseResult) => STATUS_ORDER[statusOf(a)] - STATUS_ORDER[statusOf(b)];

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString("en-US") : (Math.round(n * 100) / 100).toLocaleString("en-US"));

export function toHtml(run: RunResult): string {
  const cases = run.suites.flatMap((s) => s.cases.map((c) => ({ suite: s, c })));
  const totals = totalsOf(cases.map((x) => x.c));
  const code = exitCodeOf(run);
  // A run whose every check skipped is no evidence: never shown as PASSED (as in the console).
  const nothing = code === 0 && verdictOf(cases.map((x) => x.c)) === "CHECKED NOTHING";
  const verdict = nothing ? "CHECKED NOTHING" : code === 0 ? (totals.warned ? "PASSED with warnings" : "PASSED") : code === 1 ? "FAILED" : "ERROR";
  const verdictClass = nothing ? "skipped" : code === 0 ? (totals.warned ? "warned" : "passed") : code === 1 ? "failed" : "error";
  const title = `countly-check: ${verdict}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="color-scheme" content="light dark">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="verdict ${verdictClass}">
  <h1><span class="badge ${verdictClass}">${esc(verdict)}</span> countly-check</h1>
  <p class="totals">${[
    ["tests", totals.tests],
    ["passed", totals.passed],
    ["failed", totals.failed],
    ["warned", totals.warned],
    ["errors", totals.errors],
    ["skipped", totals.skipped],
  ]
    .map(([k, v]) => `<span class="chip ${k}" data-total="${k}"><b>${v}</b> ${k}</span>`)
    .join(" ")}</p>
  <dl class="meta">
    <dt>source</dt><dd>${esc(run.source)}</dd>
    ${run.layout ? `<dt>layout</dt><dd>${esc(run.layout)}</dd>` : ""}
    <dt>started</dt><dd>${esc(run.startedAt)} (${fmt(run.durationMs / 1000)} s)</dd>
    <dt>exit code</dt><dd>${code}</dd>
    <dt>tool</dt><dd>${esc(run.tool.name)} ${esc(run.tool.version)}</dd>
  </dl>
  ${profileSection((run as { profile?: unknown }).profile)}
</header>
${chartsSection(cases)}
${run.suites.map(suiteSection).join("\n")}
${findingsSection(cases)}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** The detected Countly profile (which build's behaviour was modelled), whatever its fields. */
function profileSection(profile: unknown): string {
  if (profile === undefined || profile === null) return "";
  const rows = typeof profile === "object" ? Object.entries(profile as Record<string, unknown>) : [["profile", profile] as const];
  const show = (v: unknown) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));
  return `<section class="profile" aria-label="Countly profile"><h2>Countly profile</h2><dl class="meta">${rows
    .map(([k, v]) => `<dt>${esc(String(k))}</dt><dd>${esc(show(v))}</dd>`)
    .join("")}</dl></section>`;
}

function chartsSection(cases: { suite: SuiteResult; c: CaseResult }[]): string {
  const withSeries = cases.filter((x) => x.c.series?.length).sort((a, b) => byStatus(a.c, b.c));
  if (withSeries.length === 0) return "";
  let drawn = 0;
  let left = 0;
  const cards: string[] = [];
  for (const { suite, c } of withSeries) {
    const charts: string[] = [];
    for (const s of c.series!) {
      if (drawn >= HTML_LIMITS.charts) {
        left++;
        continue;
      }
      drawn++;
      charts.push(chart(suite, c, s));
    }
    if (charts.length === 0) continue;
    const more = (c.seriesTotal ?? 0) - c.series!.length;
    const status = statusOf(c);
    cards.push(`<article class="card ${status}" data-case="${esc(c.name)}">
  <h3><span class="badge ${status}">${status}</span> ${esc(c.checkId)}${c.app ? ` <span class="app">${esc(c.app.name)}</span>` : ""}</h3>
  <p class="sub">${esc(suite.name)} · ${esc(c.kind)}${c.findingsTotal ? ` · ${fmt(c.findingsTotal)} finding${c.findingsTotal === 1 ? "" : "s"}` : ""}${more > 0 ? ` · ${more} more series in the JSON report's seriesTotal, not kept` : ""}</p>
  <div class="charts">${charts.join("\n")}</div>
</article>`);
  }
  const failing = withSeries.filter((x) => statusOf(x.c) !== "passed").length;
  return `<section id="charts">
<h2>Raw vs aggregated, per day</h2>
<p class="hint">Each chart is what a check compared: the <span class="key raw">raw</span> data (drill events, sessions) and the <span class="key agg">aggregated</span> counters the dashboards show, per app-local day. Days where they differ are marked <span class="key diff">red</span>. ${failing ? `${failing} of ${withSeries.length} compared case${withSeries.length === 1 ? "" : "s"} differ.` : "They agree everywhere."}${left ? ` ${left} more chart${left === 1 ? "" : "s"} not drawn (limit ${HTML_LIMITS.charts}); the JSON report has their values.` : ""}</p>
<div class="cards">${cards.join("\n")}</div>
</section>`;
}

const W = 520;
const H = 180;
const M = { left: 48, right: 10, top: 12, bottom: 26 };
const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/** One series as an SVG line chart over a continuous day axis; days absent from the series are 0 on both lines. */
function chart(suite: SuiteResult, c: CaseResult, s: DailySeries): string {
  const first = dayNumber(s.days[0]!);
  const last = dayNumber(s.days[s.days.length - 1]!);
  const span = Math.max(1, last - first);
  const max = niceMax(Math.max(1, ...s.raw, ...s.aggregated));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (n: number) => M.left + ((n - first) / span) * pw;
  const y = (v: number) => M.top + ph - (v / max) * ph;
  const line = (values: readonly number[]) => {
    const pts: string[] = [];
    let prev: number | undefined;
    s.days.forEach((d, i) => {
      const n = dayNumber(d);
      if (prev !== undefined && n - prev > 1) {
        pts.push(`${x(prev + 1).toFixed(1)},${y(0).toFixed(1)}`);
        if (n - prev > 2) pts.push(`${x(n - 1).toFixed(1)},${y(0).toFixed(1)}`);
      }
      pts.push(`${x(n).toFixed(1)},${y(values[i]!).toFixed(1)}`);
      prev = n;
    });
    return pts.join(" ");
  };
  const slot = Math.max(1.5, pw / (span + 1));
  const hits: string[] = [];
  let differing = 0;
  s.days.forEach((d, i) => {
    const raw = s.raw[i]!;
    const agg = s.aggregated[i]!;
    const diff = raw !== agg;
    if (diff) differing++;
    const cx = x(dayNumber(d));
    hits.push(
      `<rect class="day${diff ? " diff" : ""}" x="${(cx - slot / 2).toFixed(1)}" y="${M.top}" width="${slot.toFixed(1)}" height="${ph}" data-day="${d}" data-raw="${raw}" data-aggregated="${agg}"><title>${d}: raw ${fmt(raw)}, aggregated ${fmt(agg)}</title></rect>`,
    );
  });
  const ticks = [0, max / 2, max].map((v) => `<text class="axis" x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text><line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`);
  const short = (n: number) => new Date(n * DAY_MS).toISOString().slice(5, 10);
  const ends = [`<text class="axis" x="${M.left}" y="${H - 8}" text-anchor="start">${short(first)}</text>`, last > first ? `<text class="axis" x="${W - M.right}" y="${H - 8}" text-anchor="end">${short(last)}</text>` : ""];
  const labels = monthTicks(first, last).filter((n) => x(n) - M.left > 60 && W - M.right - x(n) > 60).map((n) => `<text class="axis" x="${x(n).toFixed(1)}" y="${H - 8}" text-anchor="middle">${new Date(n * DAY_MS).toISOString().slice(0, 7)}</text><line class="tick" x1="${x(n).toFixed(1)}" x2="${x(n).toFixed(1)}" y1="${M.top + ph}" y2="${M.top + ph + 4}"/>`);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  return `<figure class="chart" data-suite="${esc(suite.name)}" data-case="${esc(c.name)}" data-label="${esc(s.label)}" data-differing="${differing}">
<figcaption><b>${esc(s.label)}</b> <span class="sub">${s.days[0]} → ${s.days[s.days.length - 1]} · raw ${fmt(sum(s.raw))}, aggregated ${fmt(sum(s.aggregated))}${differing ? ` · <span class="bad">${differing} day${differing === 1 ? "" : "s"} differ</span>` : ""}${s.daysLeftOut ? ` · ${s.daysLeftOut} earlier days not kept` : ""}</span></figcaption>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${s.label}: raw vs aggregated per day`)}" preserveAspectRatio="xMidYMid meet">
${ticks.join("")}${ends.join("")}${labels.join("")}
<g class="days">${hits.join("")}</g>
<polyline class="line raw" points="${line(s.raw)}"/>
<polyline class="line agg" points="${line(s.aggregated)}"/>
</svg>
</figure>`;
}

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** First days of months inside the range, at most 6 of them. */
function monthTicks(first: number, last: number): number[] {
  const out: number[] = [];
  const d = new Date(first * DAY_MS);
  d.setUTCDate(1);
  if (d.getTime() / DAY_MS < first) d.setUTCMonth(d.getUTCMonth() + 1);
  while (d.getTime() / DAY_MS <= last) {
    out.push(d.getTime() / DAY_MS);
    d.setUTCMonth(d.getUTCMonth() + 1);
  }
  if (out.length <= 6) return out;
  const step = Math.ceil(out.length / 6);
  return out.filter((_, i) => i % step === 0);
}

function suiteSection(suite: SuiteResult): string {
  const t = totalsOf(suite.cases);
  const shown = [...suite.cases].sort(byStatus).slice(0, HTML_LIMITS.casesPerSuite);
  const rest = suite.cases.length - shown.length;
  return `<section class="suite">
<h2>${esc(suite.name)} <span class="sub">${esc(suite.file)}</span></h2>
${suite.description ? `<p class="desc">${esc(suite.description)}</p>` : ""}
<p class="totals small">${t.tests} tests: ${t.passed} passed, ${t.failed} failed, ${t.warned} warned, ${t.errors} errors, ${t.skipped} skipped · ${fmt(suite.durationMs / 1000)} s</p>
<div class="scroll"><table class="cases">
<thead><tr><th>status</th><th>check</th><th>app</th><th>severity</th><th>findings</th><th>message</th></tr></thead>
<tbody>
${shown
  .map((c) => {
    const s = statusOf(c);
    return `<tr class="${s}" data-status="${s}"><td><span class="badge ${s}">${s}</span></td><td><code>${esc(c.checkId)}</code><div class="sub">${esc(c.kind)} · line ${c.line}</div></td><td>${c.app ? `${esc(c.app.name)}<div class="sub mono">${esc(c.app.id)}</div>` : "—"}</td><td>${c.severity}</td><td class="num">${c.findingsTotal ? fmt(c.findingsTotal) : ""}</td><td>${c.message ? esc(c.message) : ""}${c.remediation && s !== "passed" ? `<details><summary>what to do</summary>${esc(c.remediation)}</details>` : ""}</td></tr>`;
  })
  .join("\n")}
</tbody></table></div>
${rest ? `<p class="sub">… and ${rest} more cases (passed or skipped); the JUnit and JSON reports list every case.</p>` : ""}
</section>`;
}

function findingsSection(cases: { suite: SuiteResult; c: CaseResult }[]): string {
  const rows: string[] = [];
  let total = 0;
  let kept = 0;
  for (const { suite, c } of [...cases].sort((a, b) => byStatus(a.c, b.c))) {
    total += c.findingsTotal;
    const list: Finding[] = c.findings.slice(0, Math.max(0, Math.min(HTML_LIMITS.findingsPerCase, HTML_LIMITS.findings - kept)));
    kept += list.length;
    const s = statusOf(c);
    for (const f of list) {
      const cell = (v: unknown) => `<td>${v === undefined ? "" : esc(String(v))}</td>`;
      rows.push(
        `<tr class="${s}" data-status="${s}" data-search="${esc(`${suite.name} ${c.checkId} ${formatFinding(f)}`.toLowerCase())}"><td><span class="badge ${s}">${s}</span></td><td><code>${esc(c.checkId)}</code></td>${cell(f.app?.name)}${cell(f.event)}${cell(f.day)}${cell(f.segment)}${cell(f.field)}<td class="num">${f.expected === undefined ? "" : esc(String(f.expected))}</td><td class="num">${f.actual === undefined ? "" : esc(String(f.actual))}</td>${cell(f.message)}</tr>`,
      );
    }
  }
  if (total === 0) return `<section id="findings"><h2>Findings</h2><p>None: every check that ran found its invariant holding.</p></section>`;
  return `<section id="findings">
<h2>Findings</h2>
<div class="search"><input id="q" type="search" placeholder="Search findings: app, event, day, message…" aria-label="Search findings"><span id="shown" class="sub">${fmt(rows.length)} shown</span></div>
<p class="sub">${fmt(total)} finding${total === 1 ? "" : "s"} in all${rows.length < total ? `; the first ${fmt(rows.length)} are listed here (the JSON report keeps up to the run's --max-findings per case)` : ""}.</p>
<div class="scroll"><table class="findings">
<thead><tr><th>status</th><th>check</th><th>app</th><th>event</th><th>day</th><th>segment</th><th>field</th><th>expected</th><th>actual</th><th>message</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody></table></div>
</section>`;
}

const SCRIPT = `
(function () {
  var q = document.getElementById("q");
  if (!q) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.findings tbody tr"));
  var shown = document.getElementById("shown");
  q.addEventListener("input", function () {
    var words = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var n = 0;
    rows.forEach(function (r) {
      var text = r.getAttribute("data-search") || "";
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + " shown";
  });
})();
`;

const STYLE = `
:root { --bg: #f7f8fa; --fg: #1c2430; --muted: #5b6675; --card: #ffffff; --line: #dfe3e8;
  --passed: #1a7f37; --failed: #cf222e; --warned: #9a6700; --error: #8250df; --skipped: #6e7781;
  --raw: #0969da; --agg: #e36209; --diff: rgba(207, 34, 46, 0.13); --grid: #eaeef2; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9aa5b1; --card: #161b22; --line: #30363d;
    --passed: #3fb950; --failed: #f85149; --warned: #d29922; --error: #a371f7; --skipped: #8b949e;
    --raw: #58a6ff; --agg: #ffa657; --diff: rgba(248, 81, 73, 0.2); --grid: #21262d; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 0 0 8px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
h2 { font-size: 1.2rem; margin: 28px 0 8px; }
h3 { font-size: 1rem; margin: 0; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em; }
.sub { color: var(--muted); font-size: 0.85em; font-weight: normal; }
.verdict { background: var(--card); border: 1px solid var(--line); border-left: 6px solid var(--skipped); border-radius: 8px; padding: 14px 16px; }
.verdict.passed { border-left-color: var(--passed); } .verdict.failed { border-left-color: var(--failed); }
.verdict.warned { border-left-color: var(--warned); } .verdict.error { border-left-color: var(--error); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 0.78rem; font-weight: 600; color: #fff; background: var(--skipped); text-transform: uppercase; letter-spacing: 0.02em; white-space: nowrap; }
h1 .badge { font-size: 1rem; padding: 3px 12px; }
.badge.passed { background: var(--passed); } .badge.failed { background: var(--failed); } .badge.warned { background: var(--warned); } .badge.error { background: var(--error); }
.totals { display: flex; gap: 6px; flex-wrap: wrap; margin: 6px 0; }
.totals.small { font-size: 0.9em; color: var(--muted); }
.chip { border: 1px solid var(--line); border-radius: 6px; padding: 2px 8px; }
.chip.failed b { color: var(--failed); } .chip.passed b { color: var(--passed); } .chip.warned b { color: var(--warned); } .chip.errors b { color: var(--error); }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0 0; font-size: 0.9em; }
.meta dt { color: var(--muted); } .meta dd { margin: 0; overflow-wrap: anywhere; }
.profile h2 { font-size: 1rem; margin: 12px 0 4px; }
.hint { color: var(--muted); }
.key { font-weight: 600; } .key.raw { color: var(--raw); } .key.agg { color: var(--agg); } .key.diff, .bad { color: var(--failed); }
.cards { display: grid; grid-template-columns: 1fr; gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.card.failed { border-top: 3px solid var(--failed); } .card.warned { border-top: 3px solid var(--warned); }
.card .app { font-weight: normal; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 440px), 1fr)); gap: 10px; margin-top: 8px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; }
figcaption { font-size: 0.88em; margin-bottom: 2px; }
svg { width: 100%; height: auto; display: block; }
svg .axis { fill: var(--muted); font-size: 11px; }
svg .grid { stroke: var(--grid); stroke-width: 1; }
svg .tick { stroke: var(--muted); }
svg .line { fill: none; stroke-width: 2; stroke-linejoin: round; vector-effect: non-scaling-stroke; }
svg .line.raw { stroke: var(--raw); }
svg .line.agg { stroke: var(--agg); stroke-dasharray: 5 3; }
svg rect.day { fill: transparent; }
svg rect.day.diff { fill: var(--diff); }
svg rect.day:hover { fill: rgba(127, 127, 127, 0.25); }
.scroll { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { position: sticky; top: 0; background: var(--card); font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td:first-child { box-shadow: inset 3px 0 var(--failed); } tr.warned td:first-child { box-shadow: inset 3px 0 var(--warned); } tr.error td:first-child { box-shadow: inset 3px 0 var(--error); }
details summary { cursor: pointer; color: var(--muted); font-size: 0.9em; }
.search { display: flex; gap: 10px; align-items: center; margin: 6px 0; }
.search input { flex: 1; min-width: 0; padding: 8px 10px; font: inherit; color: var(--fg); background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
@media (max-width: 600px) {
  main { padding: 8px; }
  .meta { font-size: 0.85em; }
  svg .axis { font-size: 17px; }
  table.findings td:nth-child(6), table.findings th:nth-child(6) { display: none; }
}
`;
