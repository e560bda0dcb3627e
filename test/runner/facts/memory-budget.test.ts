// --max-memory: a run whose data needs more than the budget stops with an error per case
// naming what grew and how to narrow the run (exit 3, a JUnit <error> each), instead of
// running out of memory; within the budget nothing changes.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDump } from "../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import { chargeEventLists, EVENT_LIST_KEY_BYTES, formatBytes, MemoryBudget, MemoryBudgetError, parseBytes } from "../../../runner/facts/memory-budget.ts";
import { cli } from "../../support/cli.ts";

let work: string;
let dump: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-budget-"));
  dump = join(work, "dump");
  await writeDump(generateDataset(42), dump);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("MemoryBudget", () => {
  it("throws past the budget, naming the holder's counts", () => {
    const budget = new MemoryBudget(1000);
    const groups = budget.meter("rawEvents", "app/event/day groups", 100);
    const keys = budget.meter("rawEvents", "event keys", 50);
    keys.add(2);
    for (let i = 0; i < 8; i++) groups.add();
    expect(budget.usedBytes).toBe(900);
    let err: unknown;
    try {
      groups.add();
      groups.add();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MemoryBudgetError);
    expect((err as Error).message).toMatch(/rawEvents grew to 10 app\/event\/day groups, 2 event keys/);
    expect((err as Error).message).toMatch(/--app .*--from/);
  });

  it("decides on the charges alone: the same verdict whatever the process's memory does (no RSS look)", () => {
    const budget = new MemoryBudget(64 * 1024 * 1024);
    const groups = budget.meter("rawEvents", "app/event/day groups", 50);
    // 1.6M groups: 64M exactly, within the budget however much garbage the run holds meanwhile
    const garbage: Uint8Array[] = [];
    for (let i = 0; i < 1_342_177; i++) {
      groups.add();
      if (i % 100_000 === 0) garbage.push(new Uint8Array(8 * 1024 * 1024).fill(1));
    }
    expect(budget.usedBytes).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(() => groups.add(2)).toThrow(/budget of 64M \(--max-memory\): rawEvents grew to 1,342,179 app\/event\/day groups\. Narrow/);
    expect(garbage.length).toBeGreaterThan(0);
  });

  it("parses sizes", () => {
    expect(parseBytes("512M")).toBe(512 * 1024 ** 2);
    expect(parseBytes("1.5G")).toBe(1.5 * 1024 ** 3);
    expect(parseBytes("2GB")).toBe(2 * 1024 ** 3);
    expect(parseBytes("800000")).toBe(800000);
    for (const bad of ["", "abc", "-1M", "0", "1X"]) expect(parseBytes(bad)).toBeUndefined();
    expect(formatBytes(1536 * 1024 ** 2)).toBe("1.5G");
  });
});

describe("countly-check run --max-memory", () => {
  it("within the budget: the same verdict as without one", async () => {
    const r = await cli(["run", "scenarios/post-restore.yaml", "--source", dump, "--junit", join(work, "ok.xml"), "--max-memory", "512M"]);
    expect(r.code).toBe(0);
  });

  it("past it: exit 3, a JUnit <error> per case that reads the grown fact, naming what grew and how to narrow the run", async () => {
    const junit = join(work, "budget.xml");
    const r = await cli(["run", "scenarios/post-restore.yaml", "--source", dump, "--junit", junit, "--max-memory", "4K"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/the data needs more memory than the budget of 4K \(--max-memory\)/);
    const xml = await readFile(junit, "utf8");
    const errors = [...xml.matchAll(/<testcase name="events-match-raw[^"]*"[^>]*>\s*<error type="CouldNotEvaluate" message="([^"]*)"/g)];
    expect(errors.length).toBeGreaterThan(0);
    for (const [, message] of errors) {
      // the collection read when a fact's charges first passed the budget, the fact and what grew (raw events' groups, or another raw fact's rows read in the same pass)
      expect(message).toMatch(/drill_events|events_data/);
      expect(message).toMatch(/(rawEvents|eventAggregates|rawSessions|rawViews|drillMeta) grew to [\d,]+ (app\/event\/day groups|app\/day rows|app\/view\/day rows|app\/key\/segment rows)/);
      expect(message).toMatch(/--app/);
      expect(message).toMatch(/--from/);
    }
  });

  it("the same data and budget give the same verdict on every run: the event lists' charges pass at 16M and stop at 4M, each time", async () => {
    const scenario = join(work, "single.yaml");
    await writeFile(scenario, "name: single\ndescription: events-match-raw alone\nchecks:\n  - id: events-match-raw\n    check: events-match-raw\n");
    // one app's event list of 60,000 long keys: ~4.9M of charges, and as much again for the event catalog's copy
    const ds = generateDataset(42);
    const events = ds.databases.countly!.events!;
    events[0] = { ...events[0]!, list: [...((events[0]!.list as string[]) ?? []), ...Array.from({ length: 60_000 }, (_, i) => `a-rather-long-event-name-${i}`)] };
    const big = join(work, "big-lists");
    await writeDump(ds, big);
    for (let round = 0; round < 2; round++) {
      const fits = await cli(["run", scenario, "--source", big, "--junit", join(work, `fits-${round}.xml`), "--max-memory", "16M"]);
      expect(fits.code).not.toBe(3);
      const junit = join(work, `stops-${round}.xml`);
      const stops = await cli(["run", scenario, "--source", big, "--junit", junit, "--max-memory", "4M"]);
      expect(stops.code).toBe(3);
      const xml = await readFile(junit, "utf8");
      expect(xml).toMatch(/<error type="CouldNotEvaluate" message="the data needs more memory than the budget of 4M \(--max-memory\): the event lists \(countly\.events\) grew to 1 apps, [\d,]+ event keys\. Narrow the run with --app .*--from .*--max-memory/);
    }
  });

  it("the apps' event lists alone need more than the budget: exit 3 before any fact is read, naming them", async () => {
    const junit = join(work, "lists.xml");
    const r = await cli(["run", "scenarios/post-restore.yaml", "--source", dump, "--junit", junit, "--max-memory", "100"]);
    expect(r.code).toBe(3);
    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(/<error type="CouldNotEvaluate" message="the data needs more memory than the budget of 0.1K \(--max-memory\): the event lists \(countly\.events\) grew to [\d,]+ apps, [\d,]+ event keys\./);
  });

  it("rejects a size it cannot read (exit 2)", async () => {
    const r = await cli(["run", "--source", dump, "--max-memory", "lots"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-memory lots: expected a size/);
  });
});

describe("what grows with event names", () => {
  it("charges each app's event list key at EVENT_LIST_KEY_BYTES plus its length, and stops past the budget naming the event lists", () => {
    const keys = ["login", "purchase", "share"];
    const each = keys.reduce((n, k) => n + EVENT_LIST_KEY_BYTES + k.length, 0);
    const fits = new MemoryBudget(each * 2);
    chargeEventLists(fits, { app1: keys, app2: keys });
    expect(fits.usedBytes).toBe(each * 2);
    let err: unknown;
    try {
      chargeEventLists(new MemoryBudget(each * 2 - 1), { app1: keys, app2: keys });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MemoryBudgetError);
    expect((err as Error).message).toMatch(/the event lists \(countly\.events\) grew to 2 apps, 6 event keys\. Narrow the run with --app/);
  });
});
