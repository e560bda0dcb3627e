// Loading `pipeline` and `compare` checks: every problem with file:line:column and path.
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../../checks/index.ts";
import { CORRUPTIONS } from "../../../fixtures/corruptions.ts";
import { parseScenario } from "../../../runner/scenario/load.ts";
import { formatIssue, ScenarioError } from "../../../runner/scenario/types.ts";

const options = { registry: CHECKS, corruptions: Object.keys(CORRUPTIONS) };

function problems(lines: string[]): string[] {
  try {
    parseScenario(lines.join("\n"), "my.yaml", options);
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map(formatIssue);
    throw e;
  }
  throw new Error("expected the scenario to be rejected");
}

describe("pipeline and compare checks in a scenario", () => {
  it("load with defaults filled in", () => {
    const s = parseScenario(
      ["name: ok", "checks:", "  - id: p", "    check: pipeline", "    collection: countly.events_data", '    pipeline: [ { $match: { a: "{app_id}" } } ]', "selftest: { layouts: [current], must_catch: { p: [counts-zeroed] } }"].join("\n"),
      "my.yaml",
      options,
    );
    expect(s.checks[0]!.options).toEqual({ collection: "countly.events_data", pipeline: [{ $match: { a: "{app_id}" } }], expect: "empty", per_app: "auto", max_findings: 100, max_documents: 1_000_000 });
    expect(s.selftestLayouts).toEqual(["current"]);
    expect(s.mustCatch).toEqual({ p: ["counts-zeroed"] });
  });

  it("reject $out/$merge, stage typos and unquoted placeholders at their line", () => {
    expect(
      problems([
        "name: bad",
        "checks:",
        "  - id: p",
        "    check: pipeline",
        "    collection: countly_drill.drill_events",
        "    pipeline:",
        "      - $match: { ts: { $gte: {from_ms} } }",
        "      - $grup: { _id: $e }",
        "      - $out: copy",
      ]),
    ).toEqual([
      'my.yaml:7:31 checks[0].pipeline[0].$match.ts.$gte: unquoted {from_ms} is a YAML mapping, not a placeholder: write "{from_ms}" in quotes',
      "my.yaml:8:9 checks[0].pipeline[1].$grup: unknown stage $grup (did you mean $group?)",
      "my.yaml:9:9 checks[0].pipeline[2].$out: $out writes to the database; countly-check is read-only, so pipelines cannot use $out or $merge",
    ]);
  });

  it("say what a oneOf option accepts, in one line", () => {
    expect(problems(["name: bad", "checks:", "  - id: p", "    check: pipeline", "    collection: countly.x", "    pipeline: []", "    expect: nothing"])).toEqual([
      'my.yaml:7:13 checks[0].expect: expected "empty" or a mapping with `count`',
    ]);
    expect(problems(["name: bad", "checks:", "  - id: p", "    check: pipeline", "    collection: countly.x", "    pipeline: []", '    expect: { count: { op: "=<", value: 0 } }'])).toEqual([
      'my.yaml:7:28 checks[0].expect.count.op: expected one of: "==", "!=", "<", "<=", ">", ">="',
    ]);
    expect(problems(["name: bad", "checks:", "  - id: c", "    check: compare", "    left: { collection: countly.x, pipeline: [] }", "    right: { collection: countly.y, pipeline: [] }", "    relation: equal"])).toEqual([
      'my.yaml:7:15 checks[0].relation: expected "eq", "lte", "gte" or a mapping with `ratio_between`',
    ]);
  });

  it("check both compare sides and the collection name", () => {
    expect(
      problems(["name: bad", "checks:", "  - id: c", "    check: compare", "    left: { collection: countly, pipeline: [] }", '    right: { collection: "countly.y{appid}", pipeline: [], extra: 1 }']),
    ).toEqual([
      "my.yaml:5:25 checks[0].left.collection: must match ^[^.$\\s]+\\.[^$]+$",
      "my.yaml:6:60 checks[0].right.extra: unknown key (known keys: label, collection, pipeline, period_field)",
    ]);
  });

  it("name unknown corruptions in selftest.must_catch, listing the known ones", () => {
    const [issue] = problems(["name: bad", "checks:", "  - { id: e, check: events-match-raw }", "selftest:", "  must_catch:", "    e: [counts-zeroed, counts-zero]"]);
    expect(issue).toMatch(/^my\.yaml:6:24 selftest\.must_catch\.e\[1\]: unknown corruption "counts-zero" \(known: restored-without-aggregates, counts-zeroed, /);
  });
});
