import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";
import { parseJUnit } from "../../support/junit-inspect.ts";
import { hasXmllint, validateJUnit } from "../../support/xsd.ts";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-selftest-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const SCENARIO = `name: mine
checks:
  - id: no-zero-days
    check: pipeline
    collection: countly.events_data
    pipeline:
      - $match: { a: "{app_id}", s: "no-segment", m: { $not: { $regex: ":0$" } } }
      - $project: { days: { $objectToArray: "$d" } }
      - $unwind: "$days"
      - $match: { "days.v.c": 0 }
  - id: apps-exist
    check: pipeline
    collection: countly.apps
    pipeline: []
    expect: { count: { op: ">=", value: 1 } }
selftest:
  layouts: [current]
  must_catch:
    no-zero-days: [counts-zeroed, post-restore-incident]
`;

describe("countly-check selftest", () => {
  it("exits 0 when every check is proven, with one JUnit test case per (check, consistent) and (check, corruption)", async () => {
    const file = join(work, "mine.yaml");
    await writeFile(file, SCENARIO);
    const junit = join(work, "selftest.xml");
    const r = await cli(["selftest", file, "--runs", "3", "--junit", junit]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASSED: 4 checks: 0 failed/m);
    const xml = await readFile(junit, "utf8");
    const doc = parseJUnit(xml);
    expect(doc.suites[0]!.attrs.name).toBe("mine (selftest)");
    expect(doc.suites[0]!.cases.map((c) => [c.classname, c.name, c.outcome])).toEqual([
      ["mine.no-zero-days", "no-zero-days passes on consistent data", "passed"],
      ["mine.no-zero-days", "no-zero-days catches counts-zeroed", "passed"],
      ["mine.no-zero-days", "no-zero-days catches post-restore-incident", "passed"],
      ["mine.apps-exist", "apps-exist passes on consistent data", "passed"],
    ]);
    if (hasXmllint()) expect(validateJUnit(xml)).toBe("");
  });

  it("exits 1 with the counterexample's seed and the command that replays it", async () => {
    const file = join(work, "blind.yaml");
    await writeFile(file, SCENARIO.replace("[counts-zeroed, post-restore-incident]", "[counts-zeroed, views-emptied]"));
    const r = await cli(["selftest", file, "--runs", "2", "--seed", "5", "--junit", "-"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('<testcase name="no-zero-days catches views-emptied"');
    expect(r.stdout).toMatch(/<failure type="pipeline" message="missed views-emptied on 2 of 2 datasets it changed; first: seed 5 — replay: countly-check selftest .*blind\.yaml --seed 5 --runs 1"/);
    // The summary moved to stderr with the report on stdout.
    expect(r.stderr).toMatch(/^FAILED: /m);
  });

  it("exits 2 on an unknown corruption name, with its line and the known names", async () => {
    const file = join(work, "typo.yaml");
    await writeFile(file, SCENARIO.replace("counts-zeroed,", "counts-zero,"));
    const r = await cli(["selftest", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/typo\.yaml:19:20 selftest\.must_catch\.no-zero-days\[0\]: unknown corruption "counts-zero" \(known: restored-without-aggregates, counts-zeroed,/);
  });

  it("proves the built-in scenarios by default", async () => {
    const r = await cli(["selftest", "--runs", "2", "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
  });

  it("documents itself", async () => {
    const r = await cli(["selftest", "--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--runs", "--seed", "--junit", "--json", "must_catch"]) expect(r.stdout).toContain(flag);
    const main = await cli(["--help"]);
    expect(main.stdout).toMatch(/selftest  prove a scenario's checks/);
    expect(main.stdout).toMatch(/init      write a starter scenario/);
  });
});
