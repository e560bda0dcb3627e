import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECKS } from "../../../checks/index.ts";
import { CORRUPTIONS } from "../../../fixtures/corruptions.ts";
import { loadScenarioFile } from "../../../runner/scenario/load.ts";
import { cli } from "../../support/cli.ts";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-init-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("countly-check init", () => {
  it("writes a commented starter that loads cleanly, points editors at the schema, and proves itself", async () => {
    const file = join(work, "checks", "mine.yaml");
    await mkdir(join(work, "checks"));
    const r = await cli(["init", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Wrote .*mine\.yaml/);
    const text = await readFile(file, "utf8");
    const [first] = text.split("\n");
    const schemaPath = /^# yaml-language-server: \$schema=(.+)$/.exec(first!)![1]!;
    // The reference resolves to the shipped schema from where the file is.
    expect(JSON.parse(await readFile(join(work, "checks", schemaPath), "utf8")).title).toBe("countly-check scenario");
    // Every part is explained.
    for (const part of ["name:", "source:", "apps:", "period:", "check: events-match-raw", "check: pipeline", "check: compare", "selftest:"]) expect(text).toContain(part);
    expect(text.split("\n").filter((l) => l.trim().startsWith("#")).length).toBeGreaterThan(25);
    const scenario = await loadScenarioFile(file, { registry: CHECKS, corruptions: Object.keys(CORRUPTIONS) });
    expect(scenario.checks.map((c) => c.kind)).toEqual(["events-match-raw", "pipeline", "compare"]);
    const proven = await cli(["selftest", file, "--runs", "3"]);
    expect(proven.stdout).toMatch(/^PASSED: /m);
    expect(proven.code).toBe(0);
  });

  it("never overwrites a file", async () => {
    const file = join(work, "taken.yaml");
    await writeFile(file, "mine\n");
    const r = await cli(["init", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/taken\.yaml already exists; init never overwrites a file/);
    expect(await readFile(file, "utf8")).toBe("mine\n");
  });
});

describe("countly-check list", () => {
  it("shows the kinds users write themselves", async () => {
    const r = await cli(["list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pipeline +Your own invariant: an aggregation pipeline/m);
    expect(r.stdout).toMatch(/^compare +Your own invariant between two keyed aggregations/m);
  });
});
