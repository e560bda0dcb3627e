// Issue 13, "a stalled server hangs the run": a server that stops answering after the
// handshake must not hang countly-check. Every reply has a client-side deadline
// (--max-time-ms plus a margin), a later query is not sent to a server that already
// stopped answering, and --timeout bounds the whole run: exit 3, every case an <error>
// saying what timed out, and the JUnit report written. Wire double only (the fault is
// injected by it).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDataset } from "../../../../fixtures/generate.ts";
import type { CliIO } from "../../../../runner/cli/io.ts";
import { main } from "../../../../runner/cli/main.ts";
import { replyDeadlineMs } from "../../../../runner/sources/mongo/connect.ts";
import { parseJUnit } from "../../../support/junit-inspect.ts";
import { startWireServer, type WireServerOptions } from "../../../support/wire-server/index.ts";
import { ON_REAL_SERVER } from "./support.ts";

const SCENARIO = join(import.meta.dirname, "..", "..", "..", "..", "scenarios", "post-restore.yaml");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countly-check-stall-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runAgainst(stall: WireServerOptions["stall"], flags: string[]) {
  const ds = generateDataset(5, { rawEvents: 200, apps: 2 });
  const server = await startWireServer({ databases: ds.databases, stall });
  const name = Math.random().toString(36).slice(2);
  const junit = join(dir, `junit-${name}.xml`);
  const json = join(dir, `run-${name}.json`);
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, env: {} };
  const started = Date.now();
  try {
    const code = await main(["run", SCENARIO, "--source", server.uri, "--junit", junit, "--json", json, ...flags], io);
    const elapsed = Date.now() - started;
    // Outcomes from the JUnit report (it must be written), messages from the JSON one.
    const outcomes = parseJUnit(await readFile(junit, "utf8")).suites.flatMap((s) => s.cases.map((c) => c.outcome));
    const report = JSON.parse(await readFile(json, "utf8")) as { suites: { cases: { outcome: string; message?: string }[] }[] };
    const cases = report.suites.flatMap((s) => s.cases);
    expect(cases.map((c) => c.outcome)).toEqual(outcomes);
    return { code, elapsed, cases, stdout, stderr, commands: server.commands };
  } finally {
    await server.stop();
  }
}

describe.skipIf(ON_REAL_SERVER)("a MongoDB that stops answering", () => {
  it("after the handshake: each reply's client-side deadline ends the run with exit 3 and every case an <error> naming the silent query", { timeout: 30_000 }, async () => {
    const r = await runAgainst({}, ["--max-time-ms", "400", "--connect-timeout-ms", "1500"]);
    expect(r.code, r.stderr).toBe(3);
    // One reply deadline, the driver's single retry, and server selection: far below the 90 s of issue 13.
    expect(r.elapsed).toBeLessThan(2 * replyDeadlineMs(400) + 1500 + 4000);
    expect(r.cases.length).toBeGreaterThan(0);
    for (const c of r.cases) {
      expect(c.outcome).toBe("error");
      expect(c.message).toMatch(/^listCollections on countly: MongoDB at 127\.0\.0\.1:\d+ did not answer within 2400 ms \(--max-time-ms 400 plus a margin/);
    }
    expect(r.stderr).toContain("the source could not be read");
  });

  it("in the middle of the run: later queries are not sent once one reply timed out", { timeout: 30_000 }, async () => {
    const r = await runAgainst({ afterCommands: 12 }, ["--max-time-ms", "400", "--connect-timeout-ms", "1500"]);
    expect(r.code, r.stderr).toBe(3);
    const errors = r.cases.filter((c) => c.outcome === "error");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((c) => c.message).join("\n")).toMatch(/did not answer within 2400 ms/);
    expect(errors.map((c) => c.message).join("\n")).toMatch(/not sent, the server stopped answering earlier in this run/);
    expect(r.elapsed).toBeLessThan(15_000);
  });

  it("--timeout bounds the whole run even when each query may take 15 minutes: exit 3, JUnit written, every case an <error> naming what was running", { timeout: 30_000 }, async () => {
    const r = await runAgainst({ afterCommands: 12 }, ["--timeout", "2500"]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.elapsed).toBeGreaterThanOrEqual(2400);
    expect(r.elapsed).toBeLessThan(2500 + 3000);
    expect(r.cases.length).toBeGreaterThan(0);
    for (const c of r.cases) {
      expect(c.outcome).toBe("error");
      expect(c.message).toMatch(/^the run exceeded --timeout 2500 ms while (aggregate|find|counting) .* on MongoDB at 127\.0\.0\.1:\d+; nothing was evaluated/);
    }
  });

  it("rejects a --timeout that is not a whole number of milliseconds (exit 2)", async () => {
    let stderr = "";
    const io: CliIO = { stdout: () => undefined, stderr: (t) => void (stderr += t), isTTY: false, env: {} };
    expect(await main(["run", SCENARIO, "--source", "mongodb://127.0.0.1:1/", "--timeout", "3s"], io)).toBe(2);
    expect(stderr).toContain("--timeout 3s: expected a whole number");
  });
});
