// --max-memory: a run whose data needs more than the budget stops with an error per case
// naming what grew and how to narrow the run (exit 3, a JUnit <error> each), instead of
// running out of memory; within the budget nothing changes.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDump } from "../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import { CATALOG_ROW_BYTES, chargeEventLists, EVENT_LIST_KEY_BYTES, formatBytes, MemoryBudget, MemoryBudgetError, parseBytes, RSS_CASES_EVERY } from "../../../runner/facts/memory-budget.ts";
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

  it("also stops when the process's real memory (RSS) grew past the budget, whatever the estimates say", () => {
    let rss = 500 * 1024 * 1024;
    const budget = new MemoryBudget(64 * 1024 * 1024, () => rss);
    const groups = budget.meter("rawEvents", "app/event/day groups", 50);
    // estimates well within the budget, the real memory too: no stop
    rss += 60 * 1024 * 1024;
    for (let i = 0; i < 200_000; i++) groups.add();
    // the real memory grows past the budget while the estimates stay below it
    rss += 10 * 1024 * 1024;
    let err: unknown;
    try {
      for (let i = 0; i < 200_000; i++) groups.add();
    } catch (e) {
      err = e;
    }
    expect(budget.usedBytes).toBeLessThan(64 * 1024 * 1024);
    expect(err).toBeInstanceOf(MemoryBudgetError);
    expect((err as Error).message).toMatch(/budget of 64M \(--max-memory\) \(the process's memory grew by 70M since the run began\): rawEvents grew to [\d,]+ app\/event\/day groups/);
    expect((err as Error).message).toMatch(/--app .*--from/);
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
      // the collection whose groups grew past the budget first (raw or aggregated events)
      expect(message).toMatch(/drill_events|events_data/);
      expect(message).toMatch(/app\/event\/day groups/);
      expect(message).toMatch(/--app/);
      expect(message).toMatch(/--from/);
    }
  });

  it("the charges fit but the process's real memory grew past it: exit 3, a JUnit <error> naming the growth and the event lists", async () => {
    const scenario = join(work, "single.yaml");
    await writeFile(scenario, "name: single\ndescription: events-match-raw alone\nchecks:\n  - id: events-match-raw\n    check: events-match-raw\n");
    // one app's event list of 60,000 long keys: ~5.3M of charges (past the 4 MiB from which the real
    // memory is watched), within a 6M budget; reading and decoding it grows the process by far more
    const ds = generateDataset(42);
    const events = ds.databases.countly!.events!;
    events[0] = { ...events[0]!, list: [...((events[0]!.list as string[]) ?? []), ...Array.from({ length: 60_000 }, (_, i) => `a-rather-long-event-name-${i}`)] };
    const big = join(work, "big-lists");
    await writeDump(ds, big);
    const junit = join(work, "eval.xml");
    const r = await cli(["run", scenario, "--source", big, "--junit", junit, "--max-memory", "6M"]);
    expect(r.code).toBe(3);
    const xml = await readFile(junit, "utf8");
    const errors = [...xml.matchAll(/<error type="CouldNotEvaluate" message="([^"]*)"/g)].map((m) => m[1]!);
    expect(errors.length).toBeGreaterThan(0);
    for (const message of errors) {
      // stopped where the real memory is looked at: while charging the event lists, or between two check cases
      expect(message).toMatch(
        /budget of 6M \(--max-memory\) \(the process&apos;s memory grew by [\d.]+[KMG] since the run began\): (the event lists \(countly\.events\) grew to 1 apps, 60,002 event keys|while evaluating the checks, the run holds .*60,002 event keys \(the event lists \(countly\.events\)\))/,
      );
      expect(message).toMatch(/--app .*--from .*--max-memory/);
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

  it("watches the real memory outside the facts too, naming the activity and everything the run holds", () => {
    const MiB = 1024 * 1024;
    let rss = 100 * MiB;
    const budget = new MemoryBudget(64 * MiB, () => rss);
    const rows = budget.meter("eventCatalog", "event keys", CATALOG_ROW_BYTES);
    rows.add(3);
    chargeEventLists(budget, { app1: ["a"] });
    rss = 200 * MiB;
    // below 4 MiB of charges the estimates are trusted (the runtime's own growth never stops a small run)
    expect(() => budget.checkRssWhile("evaluating the checks")).not.toThrow();
    rss = 150 * MiB;
    rows.add(1, 4 * MiB);
    rss = 164 * MiB;
    expect(() => budget.checkRssWhile("evaluating the checks")).not.toThrow();
    rss = 165 * MiB;
    // a look costs a system call: after the first, once every RSS_CASES_EVERY cases
    for (let i = 1; i < RSS_CASES_EVERY; i++) expect(() => budget.checkRssWhile("evaluating the checks")).not.toThrow();
    expect(() => budget.checkRssWhile("evaluating the checks")).toThrow(
      /budget of 64M \(--max-memory\) \(the process's memory grew by 65M since the run began\): while evaluating the checks, the run holds 4 event keys \(eventCatalog\), 1 apps \(the event lists \(countly\.events\)\), 1 event keys \(the event lists \(countly\.events\)\)\. Narrow/,
    );
  });
});
