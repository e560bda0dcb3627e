// Property: whatever text the data and the scenarios carry (control characters, ANSI
// escapes, emoji, lone surrogates, `]]>`, markup characters, very long strings), the
// JUnit report parses, stays valid against the XSD, its counts match its test cases,
// and its test case names stay unique across the report as a consumer reads them.
//
// The results are built by the real runner (runScenarios / unreadableSourceResult with
// a fake source and fake check kinds), so case naming and de-duplication are the real
// ones. xmllint is a process spawn: each property run validates its batch of reports
// in one xmllint call.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CheckDefinition, CheckFinding } from "../../checks/types.ts";
import { toJUnit } from "../../reports/junit.ts";
import type { AppInfo } from "../../runner/facts/types.ts";
import { totalsOf, type RunResult } from "../../runner/model.ts";
import { runScenarios, unreadableSourceResult } from "../../runner/run.ts";
import type { Scenario } from "../../runner/scenario/types.ts";
import type { Source } from "../../runner/sources/source.ts";
import { countProblems, duplicateNames, parseJUnit } from "../support/junit-inspect.ts";
import { hasXmllint, validateJUnitBatch } from "../support/xsd.ts";

const SEED = 20261125;
const RUNS = 25; // property runs; each validates up to 40 reports in one xmllint call
const REPORTS_PER_RUN = 40;

const NASTY = [
  "\u0000", "\u0001", "\u0007", "\u0008", "\u000b", "\u000c", "\u001f", "\u007f", "\u0085", "\u00a0",
  "\u001b[31m", "\u001b[0m", "\u001b[1;32m", "\u001b]8;;https://example.test\u0007", "\u001b", "\u009b",
  "\ud800", "\udfff", "\udbff\udfff", "😀", "👩‍💻", "é", "\u0301", "\u2028", "\u200b", "\ufeff", "\ufffe", "\uffff",
  "]]>", "<![CDATA[", "&", "&amp;", "&#0;", "<", ">", "<testcase name=\"x\">", "\"", "'", "\t", "\n", "\r", "\r\n", " ", "  ",
];

const char16 = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: char16, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
);
/** Short nasty text, and now and then a very long one. */
const text = fc.oneof(
  { weight: 12, arbitrary: fc.array(piece, { maxLength: 6 }).map((p) => p.join("")) },
  { weight: 1, arbitrary: fc.tuple(piece, fc.integer({ min: 2_000, max: 40_000 })).map(([p, n]) => (p || "x").repeat(Math.ceil(n / Math.max(1, p.length)))) },
);
/** Check ids and app names are often alike, so de-duplication gets exercised. */
const shortText = fc.oneof(fc.constantFrom("a", "a\u0001", "a\u001b[0m", "a\t", "a ", "a\n", "a\r\n", "a\ud800", "A"), text);

type Behaviour = "pass" | "fail" | "skip" | "throw";

interface GenCheck {
  id: string;
  kind: string;
  perApp: boolean;
  severity: "error" | "warn";
  behaviour: Behaviour;
  findings: CheckFinding[];
  note: string;
}

const findingArb: fc.Arbitrary<CheckFinding> = fc.record(
  {
    message: text,
    event: text,
    day: fc.constantFrom("2026-10-01", "2024-02-29"),
    segment: text,
    field: fc.constantFrom("c", "s", "dur"),
    expected: fc.oneof(fc.integer(), text),
    actual: fc.oneof(fc.double({ noNaN: true }), text),
  },
  { requiredKeys: ["message"] },
);

const checkArb: fc.Arbitrary<GenCheck> = fc.record({
  id: shortText,
  kind: shortText,
  perApp: fc.boolean(),
  severity: fc.constantFrom("error" as const, "warn" as const),
  behaviour: fc.constantFrom<Behaviour>("pass", "fail", "skip", "throw"),
  findings: fc.array(findingArb, { minLength: 1, maxLength: 60 }),
  note: text,
});

const appArb: fc.Arbitrary<AppInfo> = fc.record(
  { id: shortText, name: shortText, timezone: fc.constant("UTC"), problem: text },
  { requiredKeys: ["id", "name", "timezone"] },
);

interface GenRun {
  suites: { name: string; description: string; file: string; checks: GenCheck[] }[];
  apps: AppInfo[];
  source: string;
  remediation: string;
  unreadable?: string;
}

const runArb: fc.Arbitrary<GenRun> = fc.record(
  {
    suites: fc.array(
      fc.record({
        name: shortText,
        description: text,
        file: text,
        checks: fc.uniqueArray(checkArb, { selector: (c) => c.id, maxLength: 4 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    apps: fc.uniqueArray(appArb, { selector: (a) => a.id, maxLength: 3 }),
    source: text,
    remediation: text,
    unreadable: text,
  },
  { requiredKeys: ["suites", "apps", "source", "remediation"] },
);

/** A check kind that does what the generated check says. */
function kindFor(kind: string, perApp: boolean, remediation: string): CheckDefinition {
  return {
    meta: { kind, summary: kind, proves: kind, perApp, options: { type: "object", properties: {} }, likelyCause: "", remediation, exampleFinding: "" },
    needs: () => [],
    evaluate(ctx) {
      const g = ctx.options["generated"] as GenCheck;
      if (g.behaviour === "throw") throw new Error(g.note);
      if (g.behaviour === "skip") return { skipped: g.note };
      if (g.behaviour === "fail") for (const f of g.findings) ctx.report(f);
    },
  };
}

async function resultOf(g: GenRun): Promise<RunResult> {
  const registry = new Map<string, CheckDefinition>();
  const scenarios: Scenario[] = g.suites.map((s) => ({
    name: s.name,
    description: s.description,
    file: s.file,
    period: {},
    checks: s.checks.map((c, i) => {
      if (!registry.has(c.kind)) registry.set(c.kind, kindFor(c.kind, c.perApp, g.remediation));
      return { id: c.id, kind: c.kind, severity: c.severity, options: { generated: c }, line: i + 1, column: 3 };
    }),
  }));
  if (g.unreadable !== undefined) return unreadableSourceResult(scenarios, g.source, g.unreadable);
  const source: Source = {
    description: g.source,
    open: async () => ({
      apps: g.apps,
      catalog: { collections: {}, eventLists: {} },
      layout: { events: "current", drill: "current", views: "current" },
      databases: { countly: "countly", drill: "countly_drill" },
    }),
    computeFacts: async () => ({}),
    close: async () => {},
  };
  return runScenarios(scenarios, source, { registry, maxFindings: 55 });
}

/** What must hold of one report, short of XSD validity. */
function reportProblems(run: RunResult, xml: string): string[] {
  const doc = parseJUnit(xml);
  const problems = countProblems(doc);
  const cases = doc.suites.flatMap((s) => s.cases);
  const t = totalsOf(run.suites.flatMap((s) => s.cases));
  if (cases.length !== t.tests) problems.push(`${cases.length} <testcase> elements for ${t.tests} results`);
  if (doc.suites.length !== run.suites.length) problems.push(`${doc.suites.length} <testsuite> elements for ${run.suites.length} scenarios`);
  const failures = cases.filter((c) => c.outcome === "failed").length;
  if (failures !== t.failed) problems.push(`${failures} <failure> for ${t.failed} failed results`);
  const warned = cases.filter((c) => c.outcome === "passed" && c.systemOut).length;
  if (warned !== t.warned) problems.push(`${warned} warnings in <system-out> for ${t.warned} warned results`);
  for (const d of duplicateNames(doc)) problems.push(`test case name ${JSON.stringify(d)} occurs more than once`);
  // eslint-disable-next-line no-control-regex
  const bad = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]|\u001b/u.exec(xml);
  if (bad) problems.push(`character U+${bad[0].codePointAt(0)!.toString(16).padStart(4, "0")} left in the XML`);
  return problems;
}

describe("toJUnit on arbitrary text (property)", () => {
  it(`parses, is XSD-valid, counts match, names unique (seed ${SEED}, ${RUNS} runs × up to ${REPORTS_PER_RUN} reports)`, async () => {
    if (!hasXmllint()) throw new Error("xmllint is required (apt-get install libxml2-utils)");
    console.log(`junit property: fast-check seed ${SEED}, ${RUNS} runs of up to ${REPORTS_PER_RUN} reports`);
    let reports = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(runArb, { minLength: 1, maxLength: REPORTS_PER_RUN }), async (gens) => {
        const xmls: string[] = [];
        for (const g of gens) {
          const run = await resultOf(g);
          const xml = toJUnit(run);
          expect(reportProblems(run, xml)).toEqual([]);
          xmls.push(xml);
        }
        const verdicts = validateJUnitBatch(xmls);
        const invalid = verdicts.map((v, i) => (v ? `report ${i}: ${v}` : "")).filter(Boolean);
        expect(invalid).toEqual([]);
        reports += xmls.length;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(reports).toBeGreaterThan(RUNS);
  });

  it("de-duplicates names that differ only by what XML drops or normalises", async () => {
    const check = (id: string): GenCheck => ({ id, kind: "k", perApp: false, severity: "error", behaviour: "pass", findings: [], note: "" });
    const g: GenRun = {
      suites: [
        { name: "s", description: "", file: "a.yaml", checks: [check("a"), check("a\u0001"), check("a\u001b[0m"), check("a\t"), check("a "), check("a\r\n"), check("a\ud800")] },
        { name: "s\u0007", description: "", file: "b.yaml", checks: [check("a"), check("a (s)")] },
      ],
      apps: [],
      source: "x",
      remediation: "",
    };
    const xml = toJUnit(await resultOf(g));
    const doc = parseJUnit(xml);
    expect(duplicateNames(doc)).toEqual([]);
    expect(doc.suites.flatMap((s) => s.cases)).toHaveLength(9);
    expect(validateJUnitBatch([xml])).toEqual([""]);
  });
});
