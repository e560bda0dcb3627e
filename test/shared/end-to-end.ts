// The CLI end to end, in-process (runner/cli/main.ts with a fake CliIO), on mongodump
// folders written by the fixture generator: the exit code and the JUnit report for a
// consistent dataset, the post-restore incident and an unreadable dump; and the same
// run on the other runtime (Node runs the Deno CLI and vice versa), on a dump and on a
// live MongoDB (the wire double), giving the same exit code, JUnit (modulo times) and
// console summary.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, truncate, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { applyCorruptions } from "../../fixtures/corruptions.ts";
import type { Dataset } from "../../fixtures/dataset.ts";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { countProblems, duplicateNames, parseJUnit, withoutTimes, type JUnitDocument } from "../support/junit-inspect.ts";
import { startWireServer } from "../support/wire-server/index.ts";
import { hasXmllint, validateJUnit } from "../support/xsd.ts";
import { cli as runCli } from "../support/cli.ts";
import { REPO_ROOT, RUNTIME, type SharedTests } from "./harness.ts";

const SCENARIO = join(REPO_ROOT, "scenarios", "post-restore.yaml");
const SEED = 7;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  junit: string;
}

async function withDump(corrupt: string[], options: { layout?: "current" | "legacy"; gzip?: boolean }, body: (dir: string, dataset: Dataset) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "countly-check-e2e-"));
  try {
    const dataset = applyCorruptions(generateDataset(SEED, { layout: options.layout ?? "current" }), corrupt);
    await writeDump(dataset, dir, { gzip: options.gzip });
    await body(dir, dataset);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runHere(dir: string, name: string): Promise<CliRun> {
  const junitFile = join(dir, `${name}.xml`);
  const r = await runCli(["run", SCENARIO, "--source", dir, "--junit", junitFile]);
  return { ...r, junit: await readFile(junitFile, "utf8") };
}

/**
 * The same `run` with the other runtime's CLI, in a child process (asynchronous, so a
 * wire double served by this process keeps answering).
 */
function runOtherRuntime(source: string, dir: string, name: string): Promise<CliRun> {
  const junitFile = join(dir, `${name}.xml`);
  const args = ["run", SCENARIO, "--source", source, "--junit", junitFile];
  const [command, ...prefix] =
    RUNTIME === "node"
      ? [join(REPO_ROOT, "node_modules", ".bin", "deno"), "run", "-A", "--no-remote", join(REPO_ROOT, "runner", "main.ts")]
      : ["node", "--import", "tsx", join(REPO_ROOT, "runner", "main.ts")]; // the sources, as in the Node tests (the built bin: test/bin/)
  return new Promise<CliRun>((resolve, reject) => {
    const child = spawn(command!, [...prefix, ...args], {
      cwd: REPO_ROOT, // where deno.json is found
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (t: string) => void (stdout += t));
    child.stderr!.setEncoding("utf8").on("data", (t: string) => void (stderr += t));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === null) return reject(new Error(`${command} was killed (${signal}):\n${stderr}`));
      readFile(junitFile, "utf8").then((junit) => resolve({ code, stdout, stderr, junit }), reject);
    });
  });
}

function checkedReport(xml: string): JUnitDocument {
  assert.ok(hasXmllint(), "xmllint is required (apt-get install libxml2-utils)");
  assert.equal(validateJUnit(xml), "");
  const doc = parseJUnit(xml);
  assert.deepEqual(countProblems(doc), []);
  assert.deepEqual(duplicateNames(doc), []);
  return doc;
}

/** Outcomes by check id, each a list over the apps. */
function outcomes(doc: JUnitDocument): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of doc.suites.flatMap((s) => s.cases)) (out[c.classname.replace(/^post-restore\./, "")] ??= []).push(c.outcome);
  return out;
}

/** Console output without what differs between two runs (duration, report path). */
function comparableConsole(text: string): string {
  return text.replace(/\(\d+\.\d s\)/g, "(…)").replace(/^JUnit report: .*$/m, "");
}

/** The run on this runtime and on the other one agree: exit code, JUnit (modulo times), console summary. */
async function assertSameOnOtherRuntime(source: string, dir: string): Promise<CliRun> {
  const junitFile = join(dir, `here-${RUNTIME}.xml`);
  const r = await runCli(["run", SCENARIO, "--source", source, "--junit", junitFile]);
  const here = { ...r, junit: await readFile(junitFile, "utf8") };
  const there = await runOtherRuntime(source, dir, `there-${RUNTIME}`);
  const other = RUNTIME === "node" ? "deno" : "node";
  assert.match(there.stdout, /^countly-check /, `${other} printed its summary (stderr: ${there.stderr})`);
  assert.equal(there.code, here.code, `exit code on ${other} (stderr: ${there.stderr})`);
  assert.equal(withoutTimes(there.junit), withoutTimes(here.junit), `JUnit on ${other}`);
  assert.equal(comparableConsole(there.stdout), comparableConsole(here.stdout), `console on ${other}`);
  return here;
}

export const endToEndTests: SharedTests = {
  async "consistent data: exit 0, no case fails (current layout, gzip; legacy layout)"() {
    for (const options of [{ layout: "current" as const, gzip: true }, { layout: "legacy" as const }]) {
      await withDump([], options, async (dir) => {
        const r = await runHere(dir, "consistent");
        assert.equal(r.code, 0, `${options.layout}: ${r.stdout}${r.stderr}`);
        const doc = checkedReport(r.junit);
        const all = Object.values(outcomes(doc)).flat();
        assert.ok(all.length >= 4, "a case per check (and app)");
        assert.deepEqual(all.filter((o) => o !== "passed" && o !== "skipped"), [], r.stdout);
        assert.ok(all.includes("passed"), r.stdout);
        assert.match(r.stdout, /^PASSED: /m);
      });
    }
  },

  async "post-restore incident: exit 1; events, views and sources fail for every app"() {
    await withDump(["post-restore-incident"], {}, async (dir) => {
      const r = await runHere(dir, "incident");
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const o = outcomes(checkedReport(r.junit));
      for (const check of ["events-match-raw", "views-present-when-raw", "sources-present-when-raw"]) {
        assert.ok(o[check]?.length, `${check} has cases`);
        assert.deepEqual([...new Set(o[check])], ["failed"], `${check}: ${o[check]}`);
      }
      assert.match(r.stdout, /^FAILED: /m);
      assert.match(r.junit, /<failure type="events-match-raw" message="\d+ findings?: /);
    });
  },

  async "an unreadable dump: exit 3, every case still in the JUnit report, as <error>"() {
    await withDump([], {}, async (dir) => {
      const file = join(dir, "dump", "countly_drill", "drill_events.bson");
      await truncate(file, (await stat(file)).size - 7);
      const r = await runHere(dir, "unreadable");
      assert.equal(r.code, 3, r.stdout + r.stderr);
      const o = outcomes(checkedReport(r.junit));
      assert.ok(o["events-match-raw"]?.length, "the events check is listed");
      assert.deepEqual([...new Set(o["events-match-raw"])], ["error"]);
      assert.match(r.junit, /truncated document at byte \d+/);
    });
  },

  async "a live MongoDB (the wire double): the mongodb driver works here, and both runtimes give the same report"() {
    await withDump(["post-restore-incident"], {}, async (dir, dataset) => {
      const server = await startWireServer({ databases: dataset.databases });
      try {
        const here = await assertSameOnOtherRuntime(server.uri, dir);
        assert.ok(here.code === 0 || here.code === 1, `the live source was read (exit ${here.code}): ${here.stderr}`);
        assert.ok(parseJUnit(here.junit).suites.flatMap((su) => su.cases).length >= 4);
      } finally {
        await server.stop();
      }
    });
  },

  async "the other runtime gives the same exit code, JUnit (modulo times) and console summary"() {
    await withDump(["post-restore-incident"], {}, (dir) => assertSameOnOtherRuntime(dir, dir).then(() => {}));
    await withDump([], { layout: "legacy", gzip: true }, (dir) => assertSameOnOtherRuntime(dir, dir).then(() => {}));
  },
};
