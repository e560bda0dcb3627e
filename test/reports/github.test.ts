// GitHub Actions output: workflow commands (escaping, levels, caps, locations) and the
// Markdown job summary (verdict, table, findings, escaping, size bound).
import { describe, expect, it } from "vitest";
import { GITHUB_ANNOTATIONS_CAP, SUMMARY_BUDGET, command, escapeData, escapeProperty, toGithubAnnotations, toStepSummary } from "../../reports/github.ts";
import { labelRun, type CaseResult, type RunResult } from "../../runner/model.ts";
import { compactRun, sampleRun } from "./sample-run.ts";

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
    const advice = toStepSummary(skipped, base).split("\n");
    expect(advice.slice(advice.indexOf("### What to do") + 2, advice.indexOf("### What to do") + 3)).toEqual([
      "- **Nothing was checked**: give the run data to check (a source with raw data in the period, the right `--app`/`--from`/`--to`), then run again.",
    ]);
    expect(advice).not.toContain("- Nothing to do: every check passed.");
    const warned = sampleRun();
    warned.suites[0]!.cases = warned.suites[0]!.cases.filter((c) => c.outcome === "warned" || c.outcome === "passed");
    expect(toStepSummary(warned, base).split("\n")[0]).toBe("## ⚠️ countly-check: PASSED");
  });
});

describe("GitHub output, pinned", () => {
  it("annotations: at most three findings, the rest counted, what to do; an error shows no findings; a case without a line has no file", () => {
    expect(toGithubAnnotations(compactRun(), base).split("\n")).toEqual([
      "::error file=scenarios/n.yaml,line=12,title=nightly.events [Shop]::9 findings: missing%0A- app Shop (a1) · event E0 — m0%0A- app Shop (a1) · event E1 — m1%0A- app Shop (a1) · event E2 — m2%0A… and 6 more%0AWhat to do: restore events_data",
      "::error file=scenarios/n.yaml,line=20,title=nightly.src::could not be evaluated",
      "::warning title=nightly.w [Shop]::2 findings%0A- app Shop (a1) — minor%0A… and 1 more",
      "",
    ]);
  });

  it("annotations: a case with all its findings shown has no 'more' line, and no 'What to do' without a remediation", () => {
    const run = compactRun();
    const c = run.suites[0]!.cases[0]!;
    c.findings = c.findings.slice(0, 2);
    c.findingsTotal = 2;
    delete c.remediation;
    expect(toGithubAnnotations(run, base).split("\n")[0]).toBe("::error file=scenarios/n.yaml,line=12,title=nightly.events [Shop]::9 findings: missing%0A- app Shop (a1) · event E0 — m0%0A- app Shop (a1) · event E1 — m1");
  });

  it("commands: empty properties are left out, CR alone is a line break too", () => {
    expect(command("notice", { title: "" }, "m")).toBe("::notice::m");
    expect(command("notice", { title: "", file: undefined, line: 0 }, "m")).toBe("::notice line=0::m");
    expect(escapeData("a\rb\r\nc\nd")).toBe("a%0Ab%0Ac%0Ad");
  });

  it("the notice counts what was not annotated, in the singular and with either part alone", () => {
    const run = compactRun();
    const [failed, , warned] = run.suites[0]!.cases;
    const many = (c: CaseResult, n: number) => Array.from({ length: n }, (_, i): CaseResult => ({ ...c, name: `${c.name} ${i}` }));
    run.suites[0]!.cases = [...many(failed!, 11), ...many(warned!, 11)];
    expect(toGithubAnnotations(run, base).trimEnd().split("\n").at(-1)).toBe("::notice title=countly-check::1 more failed or errored case and 1 more warning not annotated (GitHub shows 10 per step): see the job summary and the reports");
    run.suites[0]!.cases = [...many(failed!, 2), ...many(warned!, 12)];
    const lines = toGithubAnnotations(run, base).trimEnd().split("\n");
    expect(lines).toHaveLength(13);
    expect(lines.at(-1)).toBe("::notice title=countly-check::2 more warnings not annotated (GitHub shows 10 per step): see the job summary and the reports");
    run.suites[0]!.cases = many(failed!, 12);
    expect(toGithubAnnotations(run, base).trimEnd().split("\n").at(-1)).toBe("::notice title=countly-check::2 more failed or errored cases not annotated (GitHub shows 10 per step): see the job summary and the reports");
    run.suites[0]!.cases = many(failed!, 10);
    expect(toGithubAnnotations(run, base)).not.toContain("::notice");
  });

  it("job summary: every line of a run with every outcome", () => {
    expect(toStepSummary(compactRun(), base).split("\n")).toEqual([
      "## ⛔ countly-check: INCOMPLETE",
      "",
      "**5 checks**: 1 failed, 1 warned, 1 could not run, 1 skipped, 1 passed · dump .demo/incident · 1.2 s",
      "",
      "| | Suite | Check | Result | Where |",
      "|---|---|---|---|---|",
      "| ❌ | nightly | events \\[Shop a1\\] | failed\\: 9 findings | scenarios/n.yaml\\:12 |",
      "| ⛔ | nightly | src | could not run\\:  | scenarios/n.yaml\\:20 |",
      "| ⚠️ | nightly | w \\[Shop a1\\] | warned\\: 2 findings |  |",
      "| ⏭️ | nightly | views | skipped\\: no views | scenarios/n.yaml\\:30 |",
      "| ✅ | nightly | seg | passed | scenarios/n.yaml\\:40 |",
      "",
      "### Top findings",
      "",
      "**❌ nightly.events \\[Shop\\]** (scenarios/n.yaml\\:12): 9 findings\\: missing",
      "",
      "- app Shop \\(a1\\) · event E0 — m0",
      "- app Shop \\(a1\\) · event E1 — m1",
      "- app Shop \\(a1\\) · event E2 — m2",
      "- app Shop \\(a1\\) · event E3 — m3",
      "- app Shop \\(a1\\) · event E4 — m4",
      "- … and 4 more",
      "",
      "**What to do:** restore events\\_data",
      "",
      "**⛔ nightly.src** (scenarios/n.yaml\\:20): ",
      "",
      "**⚠️ nightly.w \\[Shop\\]**: ",
      "",
      "- app Shop \\(a1\\) — minor",
      "- … and 1 more",
      "",
      "### What to do",
      "",
      "- **Could not run** (exit 3): the source could not be read or a check could not be evaluated; fix the URI, the server or the dump and run again. Nothing about the data is known for these cases.",
      "- **Failed** (exit 1): the data is inconsistent. Each case above names the app, event and day and says what to do; the annotations point at the check in the scenario.",
      "- **Warned**: checks with `severity: warn` found something; the run does not fail for them. Read their findings, then fix the data or the scenario.",
      "",
    ]);
  });

  it("job summary: a run that passed, one with findings only, and one with no cases", () => {
    const run = compactRun();
    const [failed, , , , passed] = run.suites[0]!.cases;
    run.suites[0]!.cases = [passed!];
    expect(toStepSummary(run, base).split("\n")).toEqual([
      "## ✅ countly-check: PASSED",
      "",
      "**1 checks**: 0 failed, 0 warned, 0 could not run, 0 skipped, 1 passed · dump .demo/incident · 1.2 s",
      "",
      "| | Suite | Check | Result | Where |",
      "|---|---|---|---|---|",
      "| ✅ | nightly | seg | passed | scenarios/n.yaml\\:40 |",
      "",
      "### What to do",
      "",
      "- Nothing to do: every check passed.",
      "",
    ]);
    run.suites[0]!.cases = [{ ...failed!, findings: [failed!.findings[0]!], findingsTotal: 1 }];
    const lines = toStepSummary(run, base).split("\n");
    expect(lines).toContain("| ❌ | nightly | events \\[Shop a1\\] | failed\\: 1 finding | scenarios/n.yaml\\:12 |");
    expect(lines.slice(lines.indexOf("### What to do"))).toEqual(["### What to do", "", "- **Failed** (exit 1): the data is inconsistent. Each case above names the app, event and day and says what to do; the annotations point at the check in the scenario.", ""]);
    expect(lines).not.toContain("- … and 0 more");
    run.suites[0]!.cases = [];
    expect(toStepSummary(run, base).split("\n").slice(0, 7)).toEqual([
      "## ⏭️ countly-check: CHECKED NOTHING",
      "",
      "**0 checks**: 0 failed, 0 warned, 0 could not run, 0 skipped, 0 passed · dump .demo/incident · 1.2 s",
      "",
      "**Nothing was checked**: every case was skipped (no data to check against; the reasons are in the table). This run proves nothing about the data.",
      "",
      "### What to do",
    ]);
  });

  it("job summary: lists 100 cases and counts the rest, details 10 problem cases and counts the rest", () => {
    const run = compactRun();
    const [failed, , , , passed] = run.suites[0]!.cases;
    run.suites[0]!.cases = [...Array.from({ length: 11 }, (_, i): CaseResult => ({ ...failed!, name: `f${i}` })), ...Array.from({ length: 91 }, (_, i): CaseResult => ({ ...passed!, name: `p${i}` }))];
    const lines = toStepSummary(run, base).split("\n");
    const rows = lines.filter((l) => /^\| (❌|✅) \|/.test(l));
    expect(rows).toHaveLength(100);
    expect(rows.at(-1)).toBe("| ✅ | nightly | p88 | passed | scenarios/n.yaml\\:40 |");
    expect(lines[lines.indexOf(rows.at(-1)!) + 1]).toBe("| | | … and 2 more cases | | |");
    expect(lines.filter((l) => l.startsWith("**❌ nightly.events"))).toHaveLength(10);
    const i = lines.indexOf("… and 1 more cases with findings or errors: see the reports.");
    expect(i).toBeGreaterThan(0);
    expect(lines.slice(i + 1, i + 3)).toEqual(["", "### What to do"]);
    run.suites[0]!.cases = run.suites[0]!.cases.slice(0, 10).concat(run.suites[0]!.cases.slice(11, 101));
    const exact = toStepSummary(run, base);
    expect(exact).not.toContain("more cases");
  });

  it("job summary: locations relative to the repository root, not to the working directory; a skip without a reason", () => {
    const run = compactRun();
    delete run.suites[0]!.cases[3]!.message;
    const md = toStepSummary(run, { root: "/work/repo", cwd: "/work/repo/ci" });
    expect(md).toContain("| ❌ | nightly | events \\[Shop a1\\] | failed\\: 9 findings | ci/scenarios/n.yaml\\:12 |");
    expect(md).toContain("**❌ nightly.events \\[Shop\\]** (ci/scenarios/n.yaml\\:12): 9 findings\\: missing");
    expect(md).toContain("| ⏭️ | nightly | views | skipped\\:  | ci/scenarios/n.yaml\\:30 |");
  });

  it("job summary: keeps case names whole unless they carry the run's label", () => {
    const run = labelRun(compactRun(), "restored");
    run.suites[0]!.cases[4]!.name = "seg";
    const md = toStepSummary(run, base);
    expect(md).toContain("| ✅ | restored/nightly | seg | passed |");
    expect(md).toContain("| ❌ | restored/nightly | events \\[Shop a1\\] |");
    const plain = compactRun();
    plain.suites[0]!.cases[4]!.name = "undefined/seg";
    expect(toStepSummary(plain, base)).toContain("| ✅ | nightly | undefined/seg | passed |");
  });

  it("job summary: fills its budget to the character and ends with a note naming it", () => {
    // The header takes H characters, each row its length plus a line break; the first row's
    // name is sized so that m rows end exactly at SUMMARY_BUDGET - 200: the m-th row is kept,
    // and with one character more it is not.
    const run = compactRun();
    const failed = run.suites[0]!.cases[0]!;
    const header = ["## ❌ countly-check: FAILED", "", "**150 checks**: 150 failed, 0 warned, 0 could not run, 0 skipped, 0 passed · dump .demo/incident · 1.2 s", "", "| | Suite | Check | Result | Where |", "|---|---|---|---|---|"];
    const H = header.reduce((n, l) => n + l.length + 1, 0);
    const row = (name: string) => `| ❌ | nightly | ${name} | failed\\: 9 findings | scenarios/n.yaml\\:12 |`;
    const fixed = row("").length + 1;
    const m = 97;
    const k = 960;
    const j = SUMMARY_BUDGET - 200 - H - (m - 1) * (fixed + k) - fixed;
    expect(j).toBeGreaterThan(0);
    const summary = (first: number) => {
      run.suites[0]!.cases = Array.from({ length: 150 }, (_, i): CaseResult => ({ ...failed, name: i === 0 ? "y".repeat(first) : "x".repeat(k) }));
      return toStepSummary(run, base).split("\n");
    };
    const note = "… the summary stops here (100 kB); the JUnit, JSON and SARIF reports have everything.";
    const fits = summary(j);
    expect(fits.slice(0, 7)).toEqual([...header, row("y".repeat(j))]);
    expect(fits.slice(7, 6 + m)).toEqual(Array(m - 1).fill(row("x".repeat(k))));
    expect(fits.slice(6 + m)).toEqual(["", note, ""]);
    expect(fits.join("\n").length).toBeLessThanOrEqual(SUMMARY_BUDGET);
    const over = summary(j + 1);
    expect(over.slice(7, 6 + m)).toEqual([...Array(m - 2).fill(row("x".repeat(k))), ""]);
    expect(over.slice(5 + m)).toEqual(["", note, ""]);
  });
});
