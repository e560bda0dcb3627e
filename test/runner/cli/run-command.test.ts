import { mkdtemp, readFile, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { applyCorruptions } from "../../../fixtures/corruptions.ts";
import { writeDump } from "../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import { cli } from "../../support/cli.ts";
import { hasXmllint, validateJUnit } from "../../support/xsd.ts";

let work: string;
let consistent: string;
let incident: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-cli-"));
  const ds = generateDataset(42);
  consistent = join(work, "consistent");
  incident = join(work, "incident");
  await writeDump(ds, consistent);
  await writeDump(applyCorruptions(ds, ["post-restore-incident"]), incident);
});

describe("countly-check run", () => {
  it("exits 0 on consistent data and writes a valid JUnit report", async () => {
    const junit = join(work, "ok.xml");
    const r = await cli(["run", "scenarios/post-restore.yaml", "--source", consistent, "--junit", junit]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASSED: \d+ checks: 0 failed/m);
    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(/<testsuite name="post-restore" tests="\d+" failures="0" errors="0"/);
    if (hasXmllint()) expect(validateJUnit(xml)).toBe("");
  });

  it("exits 1 on the post-restore incident, naming app, event, day, expected and actual", async () => {
    const junit = join(work, "bad.xml");
    const json = join(work, "bad.json");
    const r = await cli(["run", "--source", incident, "--junit", junit, "--json", json]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: /m);
    expect(r.stdout).toMatch(/app .+ \([0-9a-f]{24}\) · event .+ · day \d{4}-\d{2}-\d{2} · c: expected \d+, actual 0 — aggregated count \(c\) is 0/);
    expect(r.stdout).toMatch(/What to do: /);
    const xml = await readFile(junit, "utf8");
    for (const kind of ["events-match-raw", "views-present-when-raw", "sources-present-when-raw"]) expect(xml).toContain(`<failure type="${kind}"`);
    const result = JSON.parse(await readFile(json, "utf8"));
    expect(result.exitCode).toBe(1);
    expect(result.totals.failed).toBeGreaterThan(0);
  });

  it("filters by app name and period", async () => {
    const ds = generateDataset(42);
    const app = ds.apps[0]!;
    const r = await cli(["run", "scenarios/post-restore.yaml", "--source", consistent, "--junit", "-", "--app", app.name, "--from", "2099-01-01"]);
    expect(r.stdout).not.toContain(ds.apps[1]?.id ?? "no second app");
    expect(r.stdout).toMatch(/<skipped message="no raw custom events in the period"/);
    expect(r.code).toBe(0);
  });

  it("exits 2 with every problem of an invalid scenario, as file:line:column path: message", async () => {
    const bad = join(work, "bad.yaml");
    await writeFile(bad, "name: x\nchecks:\n  - id: a\n    check: events-match-raw\n    tolerance: lots\n  - id: b\n    check: nope\n");
    const r = await cli(["run", bad, "--source", consistent]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:5:16 checks[0].tolerance: expected a number`);
    expect(r.stderr).toMatch(/:7:12 checks\[1\]\.check: unknown check kind "nope" \(known kinds: /);
  });

  it("exits 2 on bad usage", async () => {
    expect((await cli(["run", "--source", consistent, "--from", "2024-13-01"])).code).toBe(2);
    expect((await cli(["run"])).stderr).toMatch(/--source is required/);
    expect((await cli(["run", "--bogus"])).code).toBe(2);
    expect((await cli(["frobnicate"])).stderr).toMatch(/unknown command "frobnicate"/);
  });

  it("exits 3 on a truncated dump: the affected checks are errors in JUnit, naming the file and offset", async () => {
    const broken = join(work, "broken");
    await writeDump(generateDataset(42), broken);
    const file = join(broken, "dump", "countly_drill", "drill_events.bson");
    await truncate(file, (await stat(file)).size - 7);
    const junit = join(work, "broken.xml");
    const r = await cli(["run", "scenarios/post-restore.yaml", "--source", broken, "--junit", junit]);
    expect(r.code).toBe(3);
    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(/<error type="CouldNotEvaluate" message="could not read the data: [^"]*drill_events\.bson: [^"]*truncated[^"]*\(byte offset \d+\)"/);
    expect(xml).toMatch(/errors="[1-9]/);
  });

  it("exits 3 when the source cannot be read at all, still writing a JUnit report of errors", async () => {
    const junit = join(work, "missing.xml");
    const r = await cli(["run", "scenarios/post-restore.yaml", "--source", join(work, "missing"), "--junit", junit]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the source could not be read: .*missing: no such directory/);
    const xml = await readFile(junit, "utf8");
    const checks = (await readFile("scenarios/post-restore.yaml", "utf8")).match(/^  - id: /gm)!.length;
    expect(xml.match(/<error /g)?.length).toBe(checks);
  });

  it("prints --help and --version for every command", async () => {
    for (const cmd of ["run", "fixture", "schema", "list"]) {
      const r = await cli([cmd, "--help"]);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toMatch(/Usage: countly-check/);
      expect((await cli([cmd, "--version"])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    }
    expect((await cli(["--version"])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe("countly-check fixture", () => {
  it("writes a mongodump folder, optionally corrupted, and rejects unknown corruptions", async () => {
    const out = join(work, "fx");
    const r = await cli(["fixture", "--out", out, "--seed", "9", "--corrupt", "views-emptied", "--layout", "legacy"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/legacy layout, 24\.x-api build, corrupted: views-emptied/);
    expect((await stat(join(out, "dump", "countly", "apps.bson"))).isFile()).toBe(true);
    expect((await stat(join(out, "dump", "countly", "apps.metadata.json"))).isFile()).toBe(true);
    const bad = await cli(["fixture", "--out", out, "--corrupt", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown corruption "nope" \(known: .*views-emptied/);
  });

  it("corruptions in an order that cannot be applied are a usage error (exit 2, no stack trace, nothing written)", async () => {
    const out = join(work, "fx-order");
    const r = await cli(["fixture", "--out", out, "--corrupt", "counts-zeroed", "--corrupt", "recent-not-aggregated"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--corrupt: recent-not-aggregated rebuilds the aggregates from raw data, so apply it before other corruptions \(already applied: counts-zeroed\)/);
    expect(r.stderr).not.toMatch(/internal error|    at /);
    await expect(stat(out)).rejects.toThrow();
    const tz = await cli(["fixture", "--out", out, "--corrupt", "views-emptied", "--corrupt", "timezone-shifted"]);
    expect(tz.code).toBe(2);
    expect(tz.stderr).toMatch(/--corrupt: timezone-shifted rebuilds the aggregates/);
  });
});

describe("countly-check run: nothing checked, empty periods, sources from the environment", () => {
  it("--from/--to that leave a scenario no day are a usage error naming the file", async () => {
    const s = join(work, "last.yaml");
    await writeFile(s, "name: last\nperiod: { from: 2024-01-01, to: 2024-01-31 }\nchecks:\n  - { id: v, check: views-present-when-raw }\n");
    const empty = await cli(["run", s, "--source", consistent, "--from", "2024-03-01"]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/last\.yaml: the period 2024-03-01 … 2024-01-31 is empty .*nothing would be checked/);
  });

  it("a run whose every case is skipped says CHECKED NOTHING, not PASSED", async () => {
    const s = join(work, "none.yaml");
    await writeFile(s, "name: none\nchecks:\n  - { id: v, check: views-present-when-raw }\n");
    const ds = generateDataset(42);
    const noViews = join(work, "no-views");
    const copy = { ...ds, databases: { ...ds.databases, countly: { ...ds.databases.countly, app_viewdata: [], app_viewsmeta: [] }, countly_drill: { drill_events: [] } } };
    await writeDump(copy as typeof ds, noViews);
    const nothing = await cli(["run", s, "--source", noViews, "--junit", join(work, "none.xml")]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toMatch(/^CHECKED NOTHING: \d+ checks: .* 0 passed/m);
    expect(nothing.stdout).toMatch(/This run proves nothing about the data/);
  });

  it("--source-env and COUNTLY_CHECK_SOURCE take the source from the environment; diff has --before-env/--after-env", async () => {
    const viaFlag = await cli(["run", "scenarios/post-restore.yaml", "--source-env", "MY_DUMP", "--junit", join(work, "e1.xml")], { MY_DUMP: consistent });
    expect(viaFlag.code).toBe(0);
    const viaDefault = await cli(["run", "scenarios/post-restore.yaml", "--junit", join(work, "e2.xml")], { COUNTLY_CHECK_SOURCE: incident });
    expect(viaDefault.code).toBe(1);
    const both = await cli(["run", "--source", consistent, "--source-env", "MY_DUMP"], { MY_DUMP: consistent });
    expect(both.code).toBe(2);
    const diff = await cli(["diff", "--before-env", "B", "--after-env", "A", "--junit", join(work, "d.xml")], { B: consistent, A: consistent });
    expect(diff.code).toBe(0);
    const unset = await cli(["diff", "--before-env", "B", "--after", consistent], {});
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/environment variable B \(--before-env source\) is not set/);
  });
});
