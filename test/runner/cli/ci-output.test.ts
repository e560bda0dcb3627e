// The CI outputs end to end: a scenario with a failing and a warning check on the
// post-restore incident shows both, each at its YAML line, as GitHub annotations, in the
// job summary, in the GitLab Code Quality report, in the SARIF file (valid against the
// SARIF 2.1.0 schema) and in the JSON (valid against ours); --label keeps two runs
// apart; built-in scenarios are located in the package; diff and selftest write the same formats.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { applyCorruptions } from "../../../fixtures/corruptions.ts";
import { writeDump } from "../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import { cli } from "../../support/cli.ts";
import { resultValidator, sarifValidator } from "../../support/report-schemas.ts";

const REPO = new URL("../../../", import.meta.url).pathname;
const SCENARIO_TEXT = [
  "name: ci-demo", // line 1
  "checks:",
  "  # aggregated event counts: a failure",
  "  - id: events", // line 4
  "    check: events-match-raw",
  "  # the Views section: only a warning here",
  "  - id: views", // line 7
  "    check: views-present-when-raw",
  "    severity: warn",
  "",
].join("\n");

let work: string;
let incident: string;
let consistent: string;
let scenario: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-ci-"));
  const ds = generateDataset(7);
  incident = join(work, "incident");
  consistent = join(work, "consistent");
  await writeDump(applyCorruptions(ds, ["post-restore-incident"]), incident);
  await writeDump(ds, consistent);
  scenario = join(work, "ci", "countly.yaml");
  await mkdir(join(work, "ci"), { recursive: true });
  await writeFile(scenario, SCENARIO_TEXT);
});

async function runAll(extra: string[] = [], env: Record<string, string> = {}) {
  const out = await mkdtemp(join(work, "out-"));
  const files = { junit: join(out, "junit.xml"), json: join(out, "result.json"), sarif: join(out, "result.sarif"), cq: join(out, "codequality.json"), summary: join(out, "summary.md") };
  await writeFile(files.summary, "earlier step\n");
  const r = await cli(["run", scenario, "--source", incident, "--junit", files.junit, "--json", files.json, "--sarif", files.sarif, "--codequality", files.cq, ...extra], {
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: work,
    GITHUB_STEP_SUMMARY: files.summary,
    ...env,
  });
  const read = async (f: string) => readFile(f, "utf8");
  return { r, files, read };
}

describe("CI outputs of a failing and a warning case", () => {
  it("GitHub: ::error and ::warning workflow commands at the checks' YAML lines, relative to the workspace", async () => {
    const { r } = await runAll();
    expect(r.code).toBe(1);
    const commands = r.stdout.split("\n").filter((l) => l.startsWith("::"));
    expect(commands.length).toBeGreaterThanOrEqual(2);
    const errors = commands.filter((l) => l.startsWith("::error "));
    const warnings = commands.filter((l) => l.startsWith("::warning "));
    expect(errors.length).toBeGreaterThan(0);
    expect(warnings.length).toBeGreaterThan(0);
    for (const l of errors) expect(l).toMatch(/^::error file=ci\/countly\.yaml,line=4,title=ci-demo\.events \[.+\]::\d+ findings?: /);
    for (const l of warnings) expect(l).toMatch(/^::warning file=ci\/countly\.yaml,line=7,title=ci-demo\.views \[.+\]::\d+ findings?: /);
  });

  it("GitHub: appends a job summary with the verdict, both cases at their lines and what to do", async () => {
    const { files, read } = await runAll();
    const md = await read(files.summary);
    expect(md.startsWith("earlier step\n## ❌ countly-check: FAILED")).toBe(true);
    expect(md).toMatch(/\| ❌ \| ci-demo \| events \\\[.+\\\] \| failed\\: \d+ findings? \| ci\/countly.yaml\\:4 \|/);
    expect(md).toMatch(/\| ⚠️ \| ci-demo \| views \\\[.+\\\] \| warned\\: \d+ findings? \| ci\/countly.yaml\\:7 \|/);
    expect(md).toContain("### Top findings");
    expect(md).toContain("### What to do");
  });

  it("GitLab Code Quality: a major issue for the failure and a minor one for the warning, at their lines", async () => {
    const { files, read } = await runAll();
    const issues = JSON.parse(await read(files.cq)) as { check_name: string; severity: string; fingerprint: string; location: { path: string; lines: { begin: number } }; description: string }[];
    const events = issues.filter((i) => i.check_name === "events-match-raw");
    const views = issues.filter((i) => i.check_name === "views-present-when-raw");
    expect(events.length).toBeGreaterThan(0);
    expect(views.length).toBeGreaterThan(0);
    for (const i of events) expect(i).toMatchObject({ severity: "major", location: { path: "ci/countly.yaml", lines: { begin: 4 } } });
    for (const i of views) expect(i).toMatchObject({ severity: "minor", location: { path: "ci/countly.yaml", lines: { begin: 7 } } });
    for (const i of issues) expect(i.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
    // Stable across runs: the same cases give the same fingerprints.
    const again = await runAll();
    expect(JSON.parse(await again.read(again.files.cq)).map((i: { fingerprint: string }) => i.fingerprint)).toEqual(issues.map((i) => i.fingerprint));
  });

  it("SARIF: valid 2.1.0, error and warning results at their lines, rules with the checks' docs", async () => {
    const { files, read } = await runAll();
    const log = JSON.parse(await read(files.sarif));
    expect(sarifValidator()(log)).toEqual([]);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(["events-match-raw", "views-present-when-raw"]);
    expect(run.tool.driver.rules[0].shortDescription.text).toMatch(/raw drill events/);
    expect(run.tool.driver.rules[0].help.text).toMatch(/What to do: /);
    const at = (r: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } } }[] }) => {
      const p = r.locations[0]!.physicalLocation;
      return `${p.artifactLocation.uriBaseId}/${p.artifactLocation.uri}:${p.region.startLine}`;
    };
    const errors = run.results.filter((r: { level: string }) => r.level === "error");
    const warnings = run.results.filter((r: { level: string }) => r.level === "warning");
    expect(errors.length).toBeGreaterThan(0);
    expect(warnings.length).toBeGreaterThan(0);
    for (const r of errors) expect(at(r)).toBe("%SRCROOT%/ci/countly.yaml:4");
    for (const r of warnings) expect(at(r)).toBe("%SRCROOT%/ci/countly.yaml:7");
    expect(errors[0].message.text).toMatch(/\n- app .+ · event .+ · day \d{4}-\d{2}-\d{2} · c: expected \d+, actual 0/);
    expect(errors[0].partialFingerprints["countlyCheckCase/v1"]).toMatch(/^[0-9a-f]{64}$/);
    expect(run.invocations[0]).toMatchObject({ executionSuccessful: true, exitCode: 1 });
  });

  it("JSON: valid against the shipped schema; the warning is outcome warned and counted apart", async () => {
    const { files, read } = await runAll();
    const doc = JSON.parse(await read(files.json));
    expect(resultValidator()(doc)).toEqual([]);
    const cases = doc.suites[0].cases as { checkId: string; outcome: string; line: number }[];
    expect(new Set(cases.filter((c) => c.checkId === "views").map((c) => c.outcome))).toEqual(new Set(["warned"]));
    expect(new Set(cases.filter((c) => c.checkId === "events").map((c) => c.outcome))).toEqual(new Set(["failed"]));
    expect(doc.totals.warned).toBe(cases.filter((c) => c.outcome === "warned").length);
    expect(doc.totals.failed).toBe(cases.filter((c) => c.outcome === "failed").length);
  });

  it("JUnit: the failure body starts with the summary line", async () => {
    const { files, read } = await runAll();
    const xml = await read(files.junit);
    const m = /<failure type="events-match-raw" message="([^"]+)">([^\n]*)\n/.exec(xml)!;
    expect(m[2]).toBe(m[1]);
  });

  it("--annotations none prints no workflow commands and writes no summary, even on GitHub", async () => {
    const { r, files, read } = await runAll(["--annotations", "none"]);
    expect(r.stdout).not.toMatch(/^::/m);
    expect(await read(files.summary)).toBe("earlier step\n");
  });

  it("--annotations github prints them outside GitHub Actions too; elsewhere there are none by default", async () => {
    const off = await cli(["run", scenario, "--source", incident, "--junit", join(work, "off.xml")], {});
    expect(off.stdout).not.toMatch(/^::/m);
    const on = await cli(["run", scenario, "--source", incident, "--junit", join(work, "on.xml"), "--annotations", "github"], { GITHUB_WORKSPACE: work });
    expect(on.stdout).toMatch(/^::error file=ci\/countly\.yaml,line=4,/m);
    const bad = await cli(["run", scenario, "--source", incident, "--annotations", "gitlab"], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--annotations gitlab: expected github or none");
  });

  it("--label keeps the backup's and the restored database's reports apart", async () => {
    const backup = await runAll(["--label", "backup"]);
    const restored = await runAll(["--label", "restored"]);
    const names = async (x: typeof backup) => [...(await x.read(x.files.junit)).matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]);
    expect(await names(backup)).toEqual(["backup/ci-demo"]);
    expect(await names(restored)).toEqual(["restored/ci-demo"]);
    const cases = async (x: typeof backup) => new Set([...(await x.read(x.files.junit)).matchAll(/<testcase name="([^"]+)" classname="([^"]+)"/g)].map((m) => `${m[2]} ${m[1]}`));
    const a = await cases(backup);
    for (const c of await cases(restored)) expect(a.has(c)).toBe(false);
    expect(backup.r.stdout).toMatch(/^FAILED \(backup\): /m);
    expect((await backup.read(backup.files.summary)).split("\n")[1]).toBe("## ❌ countly-check backup: FAILED");
    const fp = async (x: typeof backup) => JSON.parse(await x.read(x.files.cq)).map((i: { fingerprint: string }) => i.fingerprint);
    const restoredPrints: string[] = await fp(restored);
    expect((await fp(backup)).some((f: string) => restoredPrints.includes(f))).toBe(false);
    expect(JSON.parse(await backup.read(backup.files.sarif)).runs[0].automationDetails.id).toBe("countly-check-backup/");
    const bad = await cli(["run", scenario, "--source", incident, "--label", "a/b"], {});
    expect(bad.code).toBe(2);
  });

  it("a consistent dataset gives no annotations, an empty Code Quality report and a SARIF log without results", async () => {
    const out = await mkdtemp(join(work, "ok-"));
    const r = await cli(["run", scenario, "--source", consistent, "--junit", join(out, "j.xml"), "--sarif", join(out, "s.sarif"), "--codequality", join(out, "cq.json")], { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: work });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/^::(error|warning)/m);
    expect(JSON.parse(await readFile(join(out, "cq.json"), "utf8"))).toEqual([]);
    const log = JSON.parse(await readFile(join(out, "s.sarif"), "utf8"));
    expect(sarifValidator()(log)).toEqual([]);
    expect(log.runs[0].results).toEqual([]);
  });
});

describe("built-in scenarios in another project", () => {
  it("are located as countly-check:scenarios/<file>, accepted back as an argument, and kept out of GitHub file annotations", async () => {
    const project = await mkdtemp(join(tmpdir(), "cc-project-"));
    const run = promisify(execFile);
    const bin = join(REPO, "bin", "countly-check.mjs");
    const r = await run(process.execPath, [bin, "run", "countly-check:scenarios/post-restore.yaml", "--source", incident, "--junit", "j.xml", "--sarif", "s.sarif", "--annotations", "github"], { cwd: project, env: { ...process.env, GITHUB_WORKSPACE: project, GITHUB_ACTIONS: "" } }).catch((e) => e as { stdout: string; code: number });
    expect((r as { code?: number }).code).toBe(1);
    expect(r.stdout).toContain("(countly-check:scenarios/post-restore.yaml)");
    const annotations = r.stdout.split("\n").filter((l) => l.startsWith("::error"));
    expect(annotations.length).toBeGreaterThan(0);
    for (const l of annotations) {
      expect(l).not.toContain("file=");
      expect(l).toMatch(/%0Aat countly-check:scenarios\/post-restore\.yaml:\d+/);
    }
    const xml = await readFile(join(project, "j.xml"), "utf8");
    expect(xml).toContain('file="countly-check:scenarios/post-restore.yaml"');
    const log = JSON.parse(await readFile(join(project, "s.sarif"), "utf8"));
    expect(sarifValidator()(log)).toEqual([]);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "scenarios/post-restore.yaml", uriBaseId: "COUNTLY_CHECK" });
    expect(log.runs[0].originalUriBaseIds.COUNTLY_CHECK.uri).toBe(new URL("../../../", import.meta.url).href);
  });
});

describe("diff and selftest write the same formats", () => {
  it("diff: annotations, SARIF and Code Quality for the collections that differ", async () => {
    const out = await mkdtemp(join(work, "diff-"));
    const r = await cli(["diff", "--before", consistent, "--after", incident, "--junit", join(out, "j.xml"), "--sarif", join(out, "s.sarif"), "--codequality", join(out, "cq.json"), "--json", join(out, "r.json"), "--label", "restore"], { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: work });
    expect(r.code).toBe(1);
    // A diff case has no scenario line: annotations name no file.
    const annotations = r.stdout.split("\n").filter((l) => l.startsWith("::error"));
    expect(annotations.length).toBeGreaterThan(0);
    for (const l of annotations) expect(l).toMatch(/^::error title=restore\/diff\./);
    const log = JSON.parse(await readFile(join(out, "s.sarif"), "utf8"));
    expect(sarifValidator()(log)).toEqual([]);
    expect(log.runs[0].results.length).toBeGreaterThan(0);
    expect(log.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toContain("matches-backup");
    expect(JSON.parse(await readFile(join(out, "cq.json"), "utf8")).length).toBeGreaterThan(0);
    expect(resultValidator()(JSON.parse(await readFile(join(out, "r.json"), "utf8")))).toEqual([]);
  });

  it("selftest: the same flags, a valid SARIF log and JSON", async () => {
    const out = await mkdtemp(join(work, "self-"));
    const r = await cli(["selftest", scenario, "--runs", "2", "--sarif", join(out, "s.sarif"), "--codequality", join(out, "cq.json"), "--json", join(out, "r.json"), "--label", "proof"], { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: work });
    expect(r.code).toBe(0);
    expect(sarifValidator()(JSON.parse(await readFile(join(out, "s.sarif"), "utf8")))).toEqual([]);
    const doc = JSON.parse(await readFile(join(out, "r.json"), "utf8"));
    expect(resultValidator()(doc)).toEqual([]);
    expect(doc.suites[0].name).toBe("proof/ci-demo (selftest)");
  });
});
