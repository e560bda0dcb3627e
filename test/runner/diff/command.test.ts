// `countly-check diff` end to end in-process: exit codes, console, JUnit and JSON.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneDeep } from "../../../fixtures/clone.ts";
import { writeDump } from "../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import { cli } from "../../support/cli.ts";
import { hasXmllint, validateJUnit } from "../../support/xsd.ts";

let work: string;
let a: string;
let b: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-diff-cli-"));
  const ds = generateDataset(5, { apps: 2 });
  a = join(work, "a");
  b = join(work, "b");
  await writeDump(ds, a);
  const copy = cloneDeep(ds);
  copy.databases.countly_drill!.drill_events!.splice(0, 30);
  const doc = copy.databases.countly!.events_data!.find((d) => d.s === "no-segment" && !String(d.m).endsWith(":0") && d.e !== "all")!;
  const day = Object.keys(doc.d as object).find((k) => /^\d+$/.test(k))!;
  (doc.d as Record<string, { c: number }>)[day]!.c *= 2;
  await writeDump(copy, b);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("countly-check diff", () => {
  it("exits 0 for the same data, with a valid JUnit report and JSON", async () => {
    const junit = join(work, "same.xml");
    const json = join(work, "same.json");
    const r = await cli(["diff", "--before", a, "--after", a, "--junit", junit, "--json", json]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASSED: \d+ checks: 0 failed/m);
    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(/<testsuite name="diff" tests="\d+" failures="0" errors="0"/);
    expect(xml).toContain('<testcase name="countly_drill.drill_events" classname="diff.countly_drill.drill_events"');
    if (hasXmllint()) expect(validateJUnit(xml)).toBe("");
    const result = JSON.parse(await readFile(json, "utf8"));
    expect(result.exitCode).toBe(0);
    expect(result.suites[0].name).toBe("diff");
  });

  it("exits 1 on differences: collection, ids, counts, totals, and what to do", async () => {
    const junit = join(work, "diff.xml");
    const r = await cli(["diff", "--before", a, "--after", b, "--junit", junit, "--max-ids", "3"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: /m);
    expect(r.stdout).toMatch(/✗ countly_drill\.drill_events — 31 findings/);
    expect(r.stdout).toMatch(/documents: expected \d+, actual \d+ — document count differs \(-30\)/);
    expect(r.stdout).toMatch(/_id ".+": only before \(missing after\)/);
    expect(r.stdout).toMatch(/app .+ \([0-9a-f]{24}\) · event .+ · c: expected \d+, actual \d+ — month \d{4}-\d{2}: \+\d+/);
    expect(r.stdout).toMatch(/What to do: /);
    const xml = await readFile(junit, "utf8");
    expect(xml).toContain('<failure type="matches-backup"');
    expect(xml.match(/<failure /g)).toHaveLength(3); // drill_events, events_data, one app's totals
    if (hasXmllint()) expect(validateJUnit(xml)).toBe("");
  });

  it("exits 3 when a side cannot be read, still writing the JUnit report; no credentials shown", async () => {
    const junit = join(work, "missing.xml");
    const r = await cli(["diff", "--before", a, "--after", join(work, "nope"), "--junit", junit]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the after side could not be read: .*nope: no such directory/);
    const xml = await readFile(junit, "utf8");
    expect(xml.match(/<error /g)).toHaveLength(1);
    if (hasXmllint()) expect(validateJUnit(xml)).toBe("");
    const live = await cli(["diff", "--before", a, "--after", "mongodb://admin:hunter22@127.0.0.1:1/?directConnection=true", "--connect-timeout-ms", "300", "--junit", "-"]);
    expect(live.code).toBe(3);
    expect(live.stdout + live.stderr).not.toContain("hunter22");
    expect(live.stderr).toMatch(/the after side could not be read: cannot connect to MongoDB at 127\.0\.0\.1:1/);
    expect(live.stdout).toMatch(/<error type="CouldNotEvaluate"/);
  });

  it("exits 2 on bad usage", async () => {
    for (const args of [
      ["diff"],
      ["diff", "--before", a],
      ["diff", "--after", a],
      ["diff", "--before", a, "--after", a, "--max-ids", "x"],
      ["diff", "--before", a, "--after", a, "--bogus"],
      ["diff", "--before", a, "--after", a, "extra"],
      ["diff", "--before", a, "--after", a, "--read-preference", "fastest"],
      ["diff", "--before", "https://example.com/x", "--after", a],
      ["diff", "--before", a, "--after", a, "--db", "a.b"],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(/^countly-check: .+\nRun "countly-check diff --help" for usage\.\n$/);
    }
  });

  it("--help documents the options and exit codes; the main help lists the command", async () => {
    const r = await cli(["diff", "--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--before", "--after", "--max-ids", "--db", "--junit", "--json", "--quiet"]) expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 {2}both sides hold the same data\n {2}1 {2}at least one difference/);
    expect((await cli(["--help"])).stdout).toMatch(/^ {2}diff {6}compare a backup/m);
  });

  it("--db limits the databases compared", async () => {
    const r = await cli(["diff", "--before", a, "--after", b, "--db", "countly_drill", "--junit", "-", "-q"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('name="countly_drill.drill_events"');
    expect(r.stdout).not.toContain('name="countly.events_data"');
    expect(r.stdout).not.toContain('name="event totals');
  });
});
