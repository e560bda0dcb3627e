// runner/run.ts: the overall deadline (--timeout) belongs to the runner, so it bounds a
// run over any source: a source stuck in a read, and a dump whose drill_events.bson is a
// FIFO nobody writes to (issue 13: it hung forever). On expiry: exit 3, every case an
// <error> naming what was running, the JUnit report written. A run in time is unchanged.
import { execFileSync } from "node:child_process";
import { constants } from "node:fs";
import { mkdtemp, open, readFile, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB } from "../../fixtures/dataset.ts";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import type { CliIO } from "../../runner/cli/io.ts";
import { main } from "../../runner/cli/main.ts";
import { CHECKS } from "../../checks/index.ts";
import { DEFAULT_DATABASES, detectLayout } from "../../countly/layout.ts";
import { loadAll } from "../../runner/cli/run-command.ts";
import { exitCodeOf } from "../../runner/model.ts";
import { runScenarios } from "../../runner/run.ts";
import type { Source, SourceBasics } from "../../runner/sources/source.ts";
import { parseJUnit } from "../support/junit-inspect.ts";

const SCENARIO = join(import.meta.dirname, "..", "..", "scenarios", "post-restore.yaml");
const hasMkfifo = (() => {
  try {
    execFileSync("sh", ["-c", "command -v mkfifo"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countly-check-deadline-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(source: string, flags: string[], name: string) {
  const junit = join(dir, `${name}.xml`);
  const json = join(dir, `${name}.json`);
  const io: CliIO = { stdout: () => undefined, stderr: () => undefined, isTTY: false, env: {} };
  const started = Date.now();
  const code = await main(["run", SCENARIO, "--source", source, "--junit", junit, "--json", json, ...flags], io);
  const elapsed = Date.now() - started;
  const outcomes = parseJUnit(await readFile(junit, "utf8")).suites.flatMap((s) => s.cases.map((c) => `${c.name}: ${c.outcome}`));
  const report = JSON.parse(await readFile(json, "utf8")) as { suites: { cases: { outcome: string; message?: string }[] }[] };
  return { code, elapsed, outcomes, cases: report.suites.flatMap((s) => s.cases) };
}

/** A source whose fact computation never ends (a read that blocks forever). */
function stuckSource(): Source & { closed: boolean } {
  const app = { id: "5f0000000000000000000001", name: "Shop", timezone: "UTC" };
  return {
    description: "stuck test source",
    closed: false,
    async open(): Promise<SourceBasics> {
      return { apps: [app], catalog: { collections: {}, eventLists: {} }, layout: detectLayout([], []), databases: DEFAULT_DATABASES };
    },
    computeFacts: () => new Promise<never>(() => undefined),
    activity: () => "aggregate on countly_drill.drill_events (rawEvents)",
    async close() {
      this.closed = true;
    },
  };
}

describe("runScenarios with timeoutMs", () => {
  it("returns at the deadline with every case an error naming what the source was doing", async () => {
    const scenarios = await loadAll([SCENARIO], { stdout: () => undefined, stderr: () => undefined, isTTY: false, env: {} });
    const started = Date.now();
    const run = await runScenarios(scenarios, stuckSource(), { registry: CHECKS, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(300 + 1000);
    const cases = run.suites.flatMap((s) => s.cases);
    expect(cases.length).toBe(scenarios.flatMap((s) => s.checks).length);
    for (const c of cases) {
      expect(c.outcome).toBe("error");
      expect(c.message).toBe("the run exceeded --timeout 300 ms while aggregate on countly_drill.drill_events (rawEvents); nothing was evaluated (raise --timeout, or narrow the run with --app/--from/--to)");
    }
    expect(exitCodeOf(run)).toBe(3);
  });
});

describe("the run's overall deadline (--timeout)", () => {
  it("leaves a run that finishes in time unchanged", { timeout: 60_000 }, async () => {
    const dump = join(dir, "healthy");
    await writeDump(generateDataset(3, { rawEvents: 100, apps: 2 }), dump);
    const without = await run(dump, [], "healthy-plain");
    const bounded = await run(dump, ["--timeout", "600000"], "healthy-bounded");
    expect(bounded.code).toBe(without.code);
    expect(bounded.outcomes).toEqual(without.outcomes);
  });

  it.skipIf(!hasMkfifo)("ends a dump run stuck on a FIFO named drill_events.bson: exit 3 within the deadline, every case an <error>, JUnit written", { timeout: 30_000 }, async () => {
    const dump = join(dir, "fifo");
    await writeDump(generateDataset(3, { rawEvents: 100, apps: 2 }), dump);
    const fifo = join(dump, "dump", DB.drill, "drill_events.bson");
    await unlink(fifo);
    execFileSync("mkfifo", [fifo]);
    try {
      const r = await run(dump, ["--timeout", "1500"], "fifo");
      expect(r.code).toBe(3);
      expect(r.elapsed).toBeLessThan(1500 + 3000);
      expect(r.cases.length).toBeGreaterThan(0);
      // The dump reader refuses a FIFO outright (runner/sources/dump/dump-files.ts): then only the
      // cases reading drill_events are errors, naming it; otherwise the deadline ends every case.
      const refused = r.cases.some((c) => /FIFO|not a regular file/.test(c.message ?? ""));
      for (const c of r.cases) {
        if (refused && c.outcome !== "error") continue;
        expect(c.outcome).toBe("error");
        expect(c.message).toMatch(/the run exceeded --timeout 1500 ms while|FIFO|not a regular file/);
      }
      if (!refused) expect(r.outcomes.every((o) => o.endsWith(": error"))).toBe(true);
    } finally {
      // Unblock the reader the run abandoned (its open() waits for a writer), so this worker ends cleanly.
      const writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
      await writer?.close();
    }
  });
});
