// GitHub Actions output: workflow commands (escaping, levels, caps, locations) and the
// Markdown job summary (verdict, table, findings, escaping, size bound).
import { describe, expect, it } from "vitest";
import { GITHUB_ANNOTATIONS_CAP, SUMMARY_BUDGET, command, escapeData, escapeProperty, toGithubAnnotations, toStepSummary } from "../../reports/github.ts";
import { labelRun, type CaseResult, type RunResult } from "../../runner/model.ts";
import { sampleRun } from "./sample-run.ts";

const base = { root: "/work/repo", cwd: "/work/repo" };

/** Undoes GitHub's escaping of a command's message, as the runner does. */
const unescape = (t: string) => t.replace(/%0A/g, "\n").replace(/%0D/g, "\r").replace(/%3A/g, ":").replace(/%2C/g, ",").replace(/%25/g, "%");

function hostileRun(): RunResult {
  const run = sampleRun();
  const c = run.suites[0]!.cases[0]!;
  c.name = "evil, name: 100% \n::error::injected\r";
  c.message = "75 findings: 50% lost\n::warning::injected";
  return run;
}

describe("GitHub annotations", () => {
  it("one ::error per failed or errored case and one ::warning per warned case, at the YAML line", () => {
    const lines = toGithubAnnotations(sampleRun(), base).trimEnd().split("\n");
    expect(lines.map((l) => l.match(/^::(\w+) file=([^,]+),line=(\d+),/)?.slice(1))).toEqual([
      ["error", "scenarios/post-restore.yaml", "20"],
      ["error", "scenarios/post-restore.yaml", "40"],
      ["warning", "scenarios/post-restore.yaml", "45"],
    ]);
    expect(lines[0]).toContain("title=post-restore.events-match-raw [Shop & <Co> \"EU\"]::75 findings: no aggregated data");
    expect(lines[2]).toMatch(/::1 finding: minor%0A- app Shop/);
  });

  it("escapes data (% CR LF) and properties (also : and ,) so no value can start a command of its own", () => {
    const out = toGithubAnnotations(hostileRun(), base);
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^::(error|warning) /);
    expect(lines[0]).toContain("title=post-restore.events-match-raw [Shop & <Co> \"EU\"]");
    expect(lines[0]).toContain("::75 findings: 50%25 lost%0A::warning::injected%0A");
    expect(escapeProperty("a:b,c%d\ne")).toBe("a%3Ab%2Cc%25d\\ne");
    expect(escapeData("a\r\nb%")).toBe("a%0Ab%25");
    expect(unescape(command("error", { title: "x: y, z" }, "50% done\nnext").split("::")[2]!)).toBe("50% done\nnext");
  });

  it("makes control characters of the data visible (no ANSI colours or terminal escapes in the log)", () => {
    const out = toGithubAnnotations(sampleRun(), base);
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(out).toContain("\\x1b[31mred");
  });

  it("annotates at most GITHUB_ANNOTATIONS_CAP per level and counts the rest in one notice", () => {
    const run = sampleRun();
    const failed = run.suites[0]!.cases[0]!;
    const warned = run.suites[0]!.cases[4]!;
    run.suites[0]!.cases = [
      ...Array.from({ length: 13 }, (_, i): CaseResult => ({ ...failed, name: `f${i}` })),
      ...Array.from({ length: 11 }, (_, i): CaseResult => ({ ...warned, name: `w${i}` })),
    ];
    const lines = toGithubAnnotations(run, base).trimEnd().split("\n");
    expect(lines.filter((l) => l.startsWith("::error "))).toHaveLength(GITHUB_ANNOTATIONS_CAP);
    expect(lines.filter((l) => l.startsWith("::warning "))).toHaveLength(GITHUB_ANNOTATIONS_CAP);
    expect(lines.at(-1)).toBe("::notice title=countly-check::3 more failed or errored cases and 1 more warning not annotated (GitHub shows 10 per step): see the job summary and the reports");
  });

  it("gives paths relative to the workspace; a file outside it or of the package is named in the message instead", () => {
    const run = sampleRun();
    const [a, , , b, c] = run.suites[0]!.cases;
    a!.file = "/elsewhere/s.yaml";
    b!.file = "countly-check:scenarios/post-restore.yaml";
    c!.file = "sub/x.yaml";
    const lines = toGithubAnnotations(run, { root: "/work/repo", cwd: "/work/repo/ci" }).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^::error title=[^:]+::75 findings: no aggregated data%0Aat \/elsewhere\/s.yaml:20%0A/);
    expect(lines[1]).toMatch(/^::error title=.*::could not read the data.*%0Aat countly-check:scenarios\/post-restore.yaml:40$/);
    expect(lines[2]).toMatch(/^::warning file=ci\/sub\/x.yaml,line=45,/);
  });

  it("prints nothing when nothing failed or warned", () => {
    const run = sampleRun();
    run.suites[0]!.cases = run.suites[0]!.cases.filter((c) => c.outcome === "passed" || c.outcome === "skipped");
    expect(toGithubAnnotations(run, base)).toBe("");
  });
});

describe("GitHub job summary", () => {
  it("leads with the verdict and totals, lists every case with problems first, quotes the top findings and says what to do", () => {
    const md = toStepSummary(sampleRun(), base);
    expect(md.split("\n")[0]).toBe("## ⛔ countly-check: INCOMPLETE");
    expect(md).toContain("**5 checks**: 1 failed, 1 warned, 1 could not run, 1 skipped, 1 passed");
    const rows = md.split("\n").filter((l) => /^\| (❌|⛔|⚠️|⏭️|✅) \|/.test(l));
    expect(rows.map((r) => r.split(" | ")[0])).toEqual(["| ❌", "| ⛔", "| ⚠️", "| ⏭️", "| ✅"]);
    expect(rows[0]).toContain("| scenarios/post-restore.yaml\\:20 |");
    expect(md).toContain("### Top findings");
    expect(md).toMatch(/- app Shop .* event Buy0 · day 2024-10-27/);
    expect(md).toContain("- … and 70 more");
    expect(md).toContain("**What to do:** restore countly.events\\_data");
    expect(md).toContain("- **Could not run** (exit 3)");
  });

  it("escapes Markdown and HTML in data: a name cannot break the table, link, mention or inject HTML", () => {
    const run = sampleRun();
    const c = run.suites[0]!.cases[0]!;
    c.name = "a|b <img src=x onerror=alert(1)> [link](http://x) @admin `code`\nnext";
    const md = toStepSummary(run, base);
    const row = md.split("\n").find((l) => l.includes("a\\|b"))!;
    expect(row.split(/(?<!\\)\|/)).toHaveLength(7);
    expect(md).not.toMatch(/(?<!\\)<img/);
    expect(md).not.toMatch(/(?<!\\)\]\((?!\\)/);
    expect(md).toContain("\\[link\\]\\(http\\://x\\)");
    expect(md).not.toMatch(/(?<!\\)@admin/);
    expect(md).not.toMatch(/\u001b/);
  });

  it("stays within its size budget however many cases and however long the values", () => {
    const run = sampleRun();
    const failed = run.suites[0]!.cases[0]!;
    run.suites[0]!.cases = Array.from({ length: 5000 }, (_, i): CaseResult => ({ ...failed, name: `${"x".repeat(3000)}${i}`, message: "m".repeat(2000) }));
    const md = toStepSummary(run, base);
    expect(md.length).toBeLessThanOrEqual(SUMMARY_BUDGET);
    expect(md).toContain("the summary stops here");
  });

  it("names the label in the heading and keeps it out of the case column", () => {
    const md = toStepSummary(labelRun(sampleRun(), "restored"), base);
    expect(md.split("\n")[0]).toBe("## ⛔ countly-check restored: INCOMPLETE");
    expect(md).toContain("| ❌ | restored/post-restore | events-match-raw \\[Shop");
  });

  it("says so when nothing was checked, and passes with warnings", () => {
    const empty = sampleRun();
    empty.suites[0]!.cases = [];
    expect(toStepSummary(empty, base)).toContain("**Nothing was checked**");
    const skipped = sampleRun();
    skipped.suites[0]!.cases = skipped.suites[0]!.cases.filter((c) => c.outcome === "skipped");
    expect(toStepSummary(skipped, base).split("\n")[0]).toBe("## ⏭️ countly-check: CHECKED NOTHING");
    const warned = sampleRun();
    warned.suites[0]!.cases = warned.suites[0]!.cases.filter((c) => c.outcome === "warned" || c.outcome === "passed");
    expect(toStepSummary(warned, base).split("\n")[0]).toBe("## ⚠️ countly-check: PASSED");
  });
});
