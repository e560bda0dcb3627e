// `countly-check run --explain` end to end through the wire double (in-process CLI): every
// find, aggregate and count a run sends is explained with verbosity queryPlanner instead
// of being run, the plan names the index (or COLLSCAN) the collection's indexes give,
// nothing that writes or executes a heavy query is sent, and the JSON has the same plans.
// The CLI tests use Countly's default database names, so they run on the double only.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../../../../fixtures/dataset.ts";
import { DB } from "../../../../fixtures/dataset.ts";
import { writeDump } from "../../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import type { CliIO } from "../../../../runner/cli/io.ts";
import { main } from "../../../../runner/cli/main.ts";
import type { QueryPlan } from "../../../../runner/sources/mongo/explain-plan.ts";
import { startWireServer, type RecordedCommand, type WireServer, type WireServerOptions } from "../../../support/wire-server/index.ts";
import { countlyIndexes, ON_REAL_SERVER } from "./support.ts";

const SCENARIOS = join(import.meta.dirname, "..", "..", "..", "..", "scenarios");
const SCENARIO = join(SCENARIOS, "post-restore.yaml");
const SEED = 11;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countly-check-explain-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json?: { formatVersion: number; source: string; queries: QueryPlan[]; exitCode: number };
  commands: RecordedCommand[];
}

let n = 0;
async function run(ds: Dataset, extra: string[], options: Omit<WireServerOptions, "databases"> = { indexes: countlyIndexes(ds) }, scenario = SCENARIO): Promise<Run> {
  const server: WireServer = await startWireServer({ databases: ds.databases, ...options });
  const jsonFile = join(dir, `explain-${++n}.json`);
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, env: {} };
  try {
    const code = await main(["run", scenario, "--source", server.uri, "--junit", join(dir, `junit-${n}.xml`), "--json", jsonFile, ...extra], io);
    const text = await readFile(jsonFile, "utf8").catch(() => undefined);
    return { code, stdout, stderr, json: text ? JSON.parse(text) : undefined, commands: server.commands };
  } finally {
    await server.stop();
  }
}

/** Commands a driver sends that change data or the catalog: none may ever be sent. */
const WRITES = ["insert", "update", "delete", "findAndModify", "create", "createIndexes", "drop", "dropDatabase", "dropIndexes", "renameCollection", "collMod", "bulkWrite", "mapReduce"];

/** collection, command and comment of each find/aggregate/count: the queries of a run. */
function queriesOf(commands: readonly RecordedCommand[]): Set<string> {
  const out = new Set<string>();
  for (const c of commands) {
    const body = c.name === "explain" ? (c.body.explain as Record<string, unknown>) : c.body;
    const name = c.name === "explain" ? Object.keys(body)[0]! : c.name;
    if (!["find", "aggregate", "count"].includes(name)) continue;
    out.add(`${c.db}.${String(body[name])} ${name} ${String(body.comment ?? "")}`);
  }
  return out;
}

describe.skipIf(ON_REAL_SERVER)("run --explain", () => {
  for (const layout of ["current", "legacy"] as const) {
    it(`explains every query a run of the built-in scenarios sends, with the index that serves it, and executes none (${layout} layout)`, { timeout: 60_000 }, async () => {
      const ds = generateDataset(SEED, { layout, apps: 3, rawEvents: 40 });
      const explained = await run(ds, ["--explain"], undefined, SCENARIOS);
      expect(explained.code, explained.stderr).toBe(0);
      const plans = explained.json!.queries;
      expect(explained.json!.exitCode).toBe(0);
      expect(explained.json!.formatVersion).toBe(1);
      expect(plans.length).toBeGreaterThan(5);
      for (const p of plans) expect(p.error, `${p.collection} ${p.purpose}`).toBeUndefined();

      // Nothing executed but the two small reads plans need (apps, events); nothing written; queryPlanner only.
      for (const c of explained.commands) expect(WRITES, c.name).not.toContain(c.name);
      expect(explained.commands.filter((c) => c.name === "aggregate" || c.name === "count" || c.name === "getMore")).toEqual([]);
      expect(explained.commands.filter((c) => c.name === "find").map((c) => `${c.db}.${String(c.body.find)}`).sort()).toEqual([`${DB.countly}.apps`, `${DB.countly}.events`]);
      for (const c of explained.commands.filter((x) => x.name === "explain")) expect(c.body.verbosity).toBe("queryPlanner");

      // The same queries a real run sends (collection, command, comment naming the fact and pass).
      const real = await run(ds, [], undefined, SCENARIOS);
      expect(real.code).not.toBe(3);
      // (Not the scan warning's size reads: --explain shows the plans themselves.)
      const sent = [...queriesOf(real.commands)].filter((q) => !/\.(apps|events) find /.test(q) && !q.endsWith(": index check"));
      const planned = queriesOf(explained.commands);
      for (const q of sent) expect(planned, q).toContain(q);

      // Raw pipelines: an index serves the first $match.
      const raw = plans.filter((p) => p.collection.startsWith(`${DB.drill}.`) && p.command === "aggregate" && p.purpose.startsWith("rawEvents"));
      expect(raw.length).toBeGreaterThan(0);
      for (const p of raw) {
        expect(p.collectionScan, JSON.stringify(p)).toBe(false);
        // The insertion tail's filter also bounds cd: either index serves it.
        const scope = layout === "current" ? "a_1_e_1_ts_1" : "ts_1";
        if (p.purpose.includes("tail")) expect([[scope], ["cd_1"]]).toContainEqual(p.indexes);
        else expect(p.indexes).toEqual([scope]);
        expect(p.filter).toBeDefined();
      }
      // The newest insert of a collection: sorted limit-1 finds on cd alone.
      const newest = plans.filter((p) => p.command === "find" && p.sort && "cd" in p.sort && Object.keys(p.filter ?? {}).join() === "cd");
      expect(newest.length).toBeGreaterThan(0);
      for (const p of newest) expect(p.plan).toBe("IXSCAN cd_1");
      // The console says the same, one block per query.
      expect(explained.stdout).toContain(`${plans.length} queries a run would send`);
      expect(explained.stdout).toMatch(/countly_drill\.drill_events\S*  aggregate  \(rawEvents \(day groups\)\)\n   plan:   (OR\()?IXSCAN/);
    });
  }

  it("shows a collection scan where no index serves the filter", async () => {
    const ds = generateDataset(SEED, { layout: "current", apps: 2, rawEvents: 40 });
    const r = await run(ds, ["--explain", "--app", ds.apps[0]!.name], { indexes: {} });
    expect(r.code, r.stderr).toBe(0);
    const raw = r.json!.queries.filter((p) => p.collection === `${DB.drill}.drill_events` && p.command === "aggregate");
    expect(raw.length).toBeGreaterThan(0);
    for (const p of raw) {
      expect(p.plan).toBe("COLLSCAN");
      expect(p.collectionScan).toBe(true);
    }
    expect(r.stdout).toContain("COLLSCAN  <- reads every document of the collection");
    // Scoped to the app asked for.
    expect(JSON.stringify(raw[0]!.filter)).toContain(ds.apps[0]!.id);
    expect(JSON.stringify(raw[0]!.filter)).not.toContain(ds.apps[1]!.id);
  });

  it("exits 3 naming the query when the server cannot explain it", async () => {
    const ds = generateDataset(SEED, { layout: "current", apps: 2, rawEvents: 40 });
    const r = await run(ds, ["--explain"], { indexes: countlyIndexes(ds), failCommands: { explain: { code: 13, codeName: "Unauthorized", errmsg: "not authorized to explain" } } });
    expect(r.code).toBe(3);
    expect(r.json!.exitCode).toBe(3);
    expect(r.json!.queries.every((p) => p.plan === "unknown" && /not authorized to explain/.test(p.error ?? ""))).toBe(true);
    expect(r.stdout).toContain("could not be explained: ");
  });

  it("explains the backup comparison's reads of the live side (matches-backup), and does not run the comparison", { timeout: 60_000 }, async () => {
    const ds = generateDataset(SEED, { layout: "current", apps: 2, rawEvents: 40 });
    const backup = join(dir, "backup");
    await writeDump(ds, backup);
    const scenario = join(dir, "backup.yaml");
    await writeFile(scenario, `name: restored\nchecks:\n  - id: same\n    check: matches-backup\n    backup: ${JSON.stringify(backup)}\n`);
    const explained = await run(ds, ["--explain"], undefined, scenario);
    expect(explained.code, explained.stderr).toBe(0);
    const compared = explained.json!.queries.filter((p) => p.purpose.startsWith("matches-backup"));
    // one find of every document per collection of the compared databases, each a collection scan by design
    const collections = Object.entries(ds.databases).flatMap(([db, colls]) => Object.keys(colls).map((c) => `${db}.${c}`)).sort();
    expect(compared.map((p) => p.collection).sort()).toEqual(collections);
    for (const p of compared) expect(p).toMatchObject({ command: "find", plan: "COLLSCAN", collectionScan: true });
    expect(explained.stdout).toContain("matches-backup (the backup comparison reads every document)");
    // executed: only the two small reads and the listings, no find of the comparison
    expect(explained.commands.filter((c) => c.name === "find").map((c) => `${c.db}.${String(c.body.find)}`).sort()).toEqual([`${DB.countly}.apps`, `${DB.countly}.events`]);
    expect(explained.commands.filter((c) => c.name === "aggregate" || c.name === "getMore")).toEqual([]);
    // a real run's comparison sends exactly those finds
    const real = await run(ds, [], undefined, scenario);
    expect(real.code, real.stderr).toBe(0);
    const sent = real.commands.filter((c) => c.name === "find" && c.body.comment === undefined).map((c) => `${c.db}.${String(c.body.find)}`);
    expect([...new Set(sent)].sort()).toEqual(collections);
  });

  it("keeps a secret out of the plans, the filters' values included (a password that is also an app id)", async () => {
    const ds = generateDataset(SEED, { layout: "current", apps: 2, rawEvents: 40 });
    const secret = ds.apps[0]!.id;
    const server = await startWireServer({ databases: ds.databases, indexes: countlyIndexes(ds) });
    const jsonFile = join(dir, "explain-secret.json");
    let out = "";
    const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (out += t), isTTY: false, env: { MONGODB_URI: `mongodb://checker:${secret}@db.example/countly` } };
    try {
      const code = await main(["run", SCENARIO, "--source", server.uri, "--explain", "--json", jsonFile], io);
      expect(code, out).toBe(0);
    } finally {
      await server.stop();
    }
    const json = await readFile(jsonFile, "utf8");
    expect(JSON.parse(json).queries.some((p: QueryPlan) => JSON.stringify(p.filter ?? {}).includes("***"))).toBe(true);
    expect(json.includes(secret)).toBe(false);
    expect(out.includes(secret)).toBe(false);
  });

  it("is a usage error on a dump (exit 2): a dump has no query planner", async () => {
    const out = join(dir, "dump");
    await writeDump(generateDataset(SEED, { apps: 1 }), out);
    let stderr = "";
    const code = await main(["run", SCENARIO, "--source", out, "--explain"], { stdout: () => undefined, stderr: (t) => void (stderr += t), isTTY: false, env: {} });
    expect(code).toBe(2);
    expect(stderr).toContain("--explain needs a mongodb:// source");
  });
});
