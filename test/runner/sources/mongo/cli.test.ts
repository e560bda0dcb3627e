// `countly-check run --source mongodb://…` end to end, in-process (runner/cli/main.ts with
// a fake CliIO): the same report as for a dump of the same data, exit 3 with a JUnit
// report of `<error>` cases when the database cannot be used, and the password nowhere.
// These use Countly's default database names, so they run on the wire double only
// (a real MONGODB_URI server gets prefixed names; the MongoSource tests cover it).
import { Timestamp } from "bson";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCorruptions } from "../../../../fixtures/corruptions.ts";
import type { Dataset } from "../../../../fixtures/dataset.ts";
import { writeDump } from "../../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import type { CliIO } from "../../../../runner/cli/io.ts";
import { main } from "../../../../runner/cli/main.ts";
import { parseJUnit } from "../../../support/junit-inspect.ts";
import { startWireServer } from "../../../support/wire-server/index.ts";
import { closedPort, ON_REAL_SERVER } from "./support.ts";

const SCENARIO = join(import.meta.dirname, "..", "..", "..", "..", "scenarios", "post-restore.yaml");
const PASSWORD = "s3cretPass";
const SEED = 7;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countly-check-live-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  junit: string;
  json: string;
}

let runs = 0;
async function run(source: string, extra: string[] = []): Promise<Run> {
  const n = ++runs;
  const junitFile = join(dir, `run-${n}.xml`);
  const jsonFile = join(dir, `run-${n}.json`);
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, env: {} };
  const code = await main(["run", SCENARIO, "--source", source, "--junit", junitFile, "--json", jsonFile, ...extra], io);
  const read = (f: string) => readFile(f, "utf8").catch(() => "");
  return { code, stdout, stderr, junit: await read(junitFile), json: await read(jsonFile) };
}

/** name -> outcome of every test case. */
function outcomes(junit: string): Record<string, string> {
  return Object.fromEntries(parseJUnit(junit).suites.flatMap((s) => s.cases.map((c) => [`${c.classname} / ${c.name}`, c.outcome])));
}

async function dumpOf(ds: Dataset, name: string): Promise<string> {
  const out = join(dir, name);
  await writeDump(ds, out);
  return out;
}

/** Countly 25.x runs on a replica set: its oplog (here reaching back before the data) lets resume-tokens-resumable judge the tokens live as on a dump. */
const REPLICA_SET_OPLOG = { local: { "oplog.rs": [{ ts: new Timestamp({ t: 1_600_000_000, i: 1 }), op: "n", o: { msg: "initiating set" } }] } };

function expectNoPassword(r: Run): void {
  for (const [where, text] of Object.entries({ stdout: r.stdout, stderr: r.stderr, junit: r.junit, json: r.json })) expect(text, where).not.toContain(PASSWORD);
}

describe.skipIf(ON_REAL_SERVER)("countly-check run against a live MongoDB", () => {
  for (const layout of ["current", "legacy"] as const) {
    it(`reports the post-restore incident exactly as for a dump of the same data (${layout} layout): exit 1, the same failing cases`, async () => {
      const ds = applyCorruptions(generateDataset(SEED, { layout }), ["post-restore-incident"]);
      const fromDump = await run(await dumpOf(ds, `incident-${layout}`));
      const server = await startWireServer({ databases: { ...ds.databases, ...REPLICA_SET_OPLOG } });
      try {
        const live = await run(server.uri);
        expect(live.code, live.stderr).toBe(1);
        expect(fromDump.code).toBe(1);
        expect(outcomes(live.junit)).toEqual(outcomes(fromDump.junit));
        expect(Object.values(outcomes(live.junit))).toContain("failed");
        // The findings themselves agree too (the report bodies, without times).
        const bodies = (xml: string) => [...xml.matchAll(/<failure[^>]*>([\s\S]*?)<\/failure>/g)].map((m) => m[1]);
        expect(bodies(live.junit)).toEqual(bodies(fromDump.junit));
        expect(live.stdout).toContain(`mongodb://127.0.0.1:${server.port}`);
      } finally {
        await server.stop();
      }
    });
  }

  it("passes a consistent database (exit 0), like its dump", async () => {
    const ds = generateDataset(SEED + 1);
    const fromDump = await run(await dumpOf(ds, "consistent"));
    const server = await startWireServer({ databases: { ...ds.databases, ...REPLICA_SET_OPLOG } });
    try {
      const live = await run(server.uri, ["--read-preference", "primary", "--read-concern", "local", "--max-time-ms", "60000", "--connect-timeout-ms", "2000"]);
      expect(live.code, live.stdout + live.stderr).toBe(0);
      expect(outcomes(live.junit)).toEqual(outcomes(fromDump.junit));
      const reads = server.commands.filter((c) => c.name === "aggregate" || c.name === "find");
      expect(reads.length).toBeGreaterThan(0);
      for (const c of reads) {
        expect(c.body.maxTimeMS).toBe(60_000);
        expect(c.body.readConcern).toEqual({ level: "local" });
      }
    } finally {
      await server.stop();
    }
  });

  it("an unreachable server: exit 3, every case an <error> naming the host, no password anywhere", async () => {
    const port = await closedPort();
    const r = await run(`mongodb://countly:${PASSWORD}@127.0.0.1:${port}/countly?authSource=admin`, ["--connect-timeout-ms", "300"]);
    expect(r.code).toBe(3);
    const cases = Object.values(outcomes(r.junit));
    expect(cases.length).toBeGreaterThan(0);
    expect(new Set(cases)).toEqual(new Set(["error"]));
    expect(r.junit).toContain(`127.0.0.1:${port}`);
    expect(r.stderr).toMatch(new RegExp(`the source could not be read: cannot connect to MongoDB at 127\\.0\\.0\\.1:${port}`));
    expectNoPassword(r);
  });

  it("rejected credentials: exit 3, <error> cases, no password anywhere", async () => {
    const server = await startWireServer({ databases: generateDataset(SEED).databases, rejectAuth: true });
    try {
      const r = await run(server.uri.replace("mongodb://", `mongodb://countly:${PASSWORD}@`), ["--connect-timeout-ms", "2000"]);
      expect(r.code).toBe(3);
      expect(new Set(Object.values(outcomes(r.junit)))).toEqual(new Set(["error"]));
      expect(r.junit).toMatch(/authentication failed/);
      expectNoPassword(r);
    } finally {
      await server.stop();
    }
  });

  it("an aggregation over the time limit: the checks that need raw data are errors (exit 3), the others still run", async () => {
    const ds = applyCorruptions(generateDataset(SEED), ["post-restore-incident"]);
    const server = await startWireServer({
      databases: ds.databases,
      failCommands: { aggregate: { code: 50, codeName: "MaxTimeMSExpired", errmsg: "operation exceeded time limit" } },
    });
    try {
      const r = await run(server.uri, ["--max-time-ms", "1000"]);
      expect(r.code).toBe(3);
      const byCheck = new Map<string, Set<string>>();
      for (const s of parseJUnit(r.junit).suites) for (const c of s.cases) byCheck.set(c.classname, (byCheck.get(c.classname) ?? new Set()).add(c.outcome));
      expect(byCheck.get("post-restore.events-match-raw")).toEqual(new Set(["error"]));
      expect(byCheck.get("post-restore.views-present-when-raw")).toEqual(new Set(["error"]));
      expect(byCheck.get("post-restore.sources-present-when-raw")).toEqual(new Set(["error"]));
      // Reads only aggregated documents: unaffected.
      expect(byCheck.get("post-restore.event-segments-within-total")).not.toContain("error");
      expect(r.junit).toMatch(/exceeded the time limit of 1000 ms \(MaxTimeMSExpired, code 50\)/);
    } finally {
      await server.stop();
    }
  });

  it("rejects an unknown --read-preference or --read-concern as bad usage (exit 2)", async () => {
    expect((await run("mongodb://127.0.0.1:1", ["--read-preference", "secondaryOnly"])).code).toBe(2);
    expect((await run("mongodb://127.0.0.1:1", ["--read-concern", "strong"])).code).toBe(2);
    expect((await run("mongodb://127.0.0.1:1", ["--max-time-ms", "0"])).code).toBe(2);
  });
});
