// `--jobs 2` on dumps that stop a run: a raw document a worker cannot read (its `ts` is
// not a time), a truncated drill_events file (the main thread's framing) and a memory
// budget too small for the data give the single-threaded exit code, messages (file, byte
// offset, document _id) and JSON result, and a worker's error drops the parallel attempt.
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECKS } from "../../../../../checks/index.ts";
import { writeDump } from "../../../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../../../fixtures/generate.ts";
import { MemoryBudget } from "../../../../../runner/facts/memory-budget.ts";
import { runScenarios } from "../../../../../runner/run.ts";
import { loadScenarioFile } from "../../../../../runner/scenario/load.ts";
import { DumpSource } from "../../../../../runner/sources/dump/dump-source.ts";
import type { ParallelReport } from "../../../../../runner/sources/dump/parallel/parallel-facts.ts";
import { cli } from "../../../../support/cli.ts";
import { jsonWithoutTimes } from "../../../../support/json-without-times.ts";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-jobs-err-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const SCENARIO = join("scenarios", "post-restore.yaml");

/** The CLI with --jobs N: exit code, stderr and the JSON result. */
async function runCli(dir: string, jobs: number, extra: string[] = []): Promise<{ code: number; stderr: string; json: unknown }> {
  const json = join(dir, `r${jobs}.json`);
  const r = await cli(["run", SCENARIO, "--source", dir, "--jobs", String(jobs), "--json", json, "--junit", join(dir, `r${jobs}.xml`), "--quiet", ...extra]);
  return { code: r.code, stderr: r.stderr, json: jsonWithoutTimes(await readFile(json, "utf8")) };
}

async function reportOf(dir: string, extra: { maxMemory?: number } = {}): Promise<ParallelReport[]> {
  const reports: ParallelReport[] = [];
  const scenario = await loadScenarioFile(SCENARIO, { registry: CHECKS, env: {} });
  await runScenarios([scenario], new DumpSource(dir, { jobs: 2, onParallel: (r) => reports.push(r) }), { registry: CHECKS, ...extra });
  return reports;
}

describe("--jobs 2 where one thread stops", () => {
  it("a raw document a worker cannot read: the single-threaded error (file, offset, _id), exit 3", async () => {
    const dir = join(work, "bad-ts");
    const ds = generateDataset(21, { apps: 3 });
    const raw = ds.databases.countly_drill!.drill_events!;
    // late in the file, of the last app (not worker 0's)
    const at = raw.map((d, i) => [d, i] as const).filter(([d]) => d.a === ds.apps[ds.apps.length - 1]!.id).at(-5)![1];
    raw[at] = { ...raw[at]!, ts: 1e300 };
    await writeDump(ds, dir);
    const one = await runCli(dir, 1);
    const two = await runCli(dir, 2);
    expect(one.code).toBe(3);
    expect(two).toEqual(one);
    const id = String(raw[at]!._id);
    const message = `drill_events.bson: document ${JSON.stringify(id)} at byte `;
    expect(JSON.stringify(one.json)).toContain(JSON.stringify(message).slice(1, -1));
    expect(JSON.stringify(one.json)).toMatch(/raw event ts 1e\+300 is not a time.*\(byte offset \d+\)/);
    const [report] = await reportOf(dir);
    expect(report).toEqual({ workers: 0, why: expect.stringContaining(`a worker stopped: ${join(dir, "dump", "countly_drill", message)}`) });
  }, 120_000);

  it("a document whose `a` appears twice (the routing hint reads the first, the scanner the last): the single-threaded result", async () => {
    const dir = join(work, "two-a");
    const ds = generateDataset(25, { apps: 2 });
    const [x, y] = ds.apps.map((a) => a.id);
    const raw = ds.databases.countly_drill!.drill_events!;
    const at = raw.findIndex((d) => d.a === x && d.e === "[CLY]_custom");
    raw[at] = { ...raw[at]!, b: y };
    await writeDump(ds, dir);
    // rename that document's `b` to a second `a`
    const file = join(dir, "dump", "countly_drill", "drill_events.bson");
    const bytes = await readFile(file);
    const field = Buffer.concat([Buffer.from([2, 0x62, 0]), Buffer.from(Int32Array.of(25).buffer), Buffer.from(`${y}\0`)]);
    const where = bytes.indexOf(field);
    expect(where).toBeGreaterThan(0);
    bytes[where + 1] = 0x61;
    await writeFile(file, bytes);
    const one = await runCli(dir, 1);
    const two = await runCli(dir, 2);
    expect(two).toEqual(one);
    const [report] = await reportOf(dir);
    expect(report).toEqual({ workers: 0, why: expect.stringMatching(/^a worker stopped: the routing hint of the document at byte \d+ missed its app$/) });
  }, 120_000);

  it("a truncated drill_events.bson: the framing error of one thread, exit 3", async () => {
    const dir = join(work, "truncated");
    await writeDump(generateDataset(22, { apps: 2 }), dir);
    const file = join(dir, "dump", "countly_drill", "drill_events.bson");
    await truncate(file, (await stat(file)).size - 7);
    const one = await runCli(dir, 1);
    const two = await runCli(dir, 2);
    expect(one.code).toBe(3);
    expect(two).toEqual(one);
    expect(JSON.stringify(one.json)).toMatch(/drill_events\.bson: truncated document at byte \d+/);
  }, 120_000);

  it("--max-memory too small for the data: the budget's stop of one thread, exit 3", async () => {
    const dir = join(work, "budget");
    await writeDump(generateDataset(23, { apps: 3 }), dir);
    const one = await runCli(dir, 1, ["--max-memory", "20K"]);
    const two = await runCli(dir, 2, ["--max-memory", "20K"]);
    expect(one.code).toBe(3);
    expect(two).toEqual(one);
    expect(JSON.stringify(one.json)).toMatch(/needs more memory than the budget of 20K \(--max-memory\): eventAggregates grew to/);
    // eventAggregates stops on the main thread, in a collection the workers count too
    const [report] = await reportOf(dir, { maxMemory: 20 * 1024 });
    expect(report).toEqual({ workers: 0, why: "a collection the workers read could not be read" });
  }, 120_000);

  it("a budget the workers' rawEvents outgrows: the stop of one thread, named as one thread names it", async () => {
    const dir = join(work, "budget-raw");
    await writeDump(generateDataset(24, { apps: 3, rawEvents: 400 }), dir);
    const facts = async (jobs: number, reports: ParallelReport[]) => {
      const source = new DumpSource(dir, { jobs, onParallel: (r) => reports.push(r) });
      const basics = await source.open();
      const scope = { apps: basics.apps, period: {}, layout: basics.layout, databases: basics.databases, budget: new MemoryBudget(4 * 1024) };
      return source.computeFacts(new Map([["rawEvents", {}]]), scope);
    };
    const reports: ParallelReport[] = [];
    const one = await facts(1, reports);
    const two = await facts(2, reports);
    expect(two).toEqual(one);
    expect(one.rawEvents).toEqual({ ok: false, error: expect.stringMatching(/drill_events\.bson: the data needs more memory than the budget of 4K \(--max-memory\): rawEvents grew to [\d,]+ app\/event\/day groups/) });
    expect(reports).toEqual([{ workers: 0, why: expect.stringMatching(/^a worker stopped: the data needs more memory than the budget of 4K \(--max-memory\): rawEvents grew to/) }]);
  }, 120_000);

  it("--jobs takes a whole number of at least 1", async () => {
    const r = await cli(["run", SCENARIO, "--source", work, "--jobs", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--jobs 0: expected a whole number ≥ 1/);
  });
});
