// A run warns before it scans a large collection no index serves (issue 12): the warning
// is printed to stderr as soon as it is found, before the query that scans is sent, and
// is a `warned` case in the console, JUnit and JSON reports (which does not fail the run).
// With the indexes Countly installs have (the dump writer's), or under the threshold, none.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB } from "../../../../fixtures/dataset.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import type { CliIO } from "../../../../runner/cli/io.ts";
import { main } from "../../../../runner/cli/main.ts";
import { MongoSource } from "../../../../runner/sources/mongo/mongo-source.ts";
import { parseJUnit } from "../../../support/junit-inspect.ts";
import { resultValidator } from "../../../support/report-schemas.ts";
import { startWireServer, type WireServerOptions } from "../../../support/wire-server/index.ts";
import { compute, countlyIndexes, ON_REAL_SERVER } from "./support.ts";

const SCENARIO = join(import.meta.dirname, "..", "..", "..", "..", "scenarios", "post-restore.yaml");
const ds = generateDataset(3, { layout: "current", apps: 2, rawEvents: 40 });
const drillDocs = ds.databases[DB.drill]!.drill_events!.length;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countly-check-scan-warning-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function run(options: Omit<WireServerOptions, "databases">, extra: string[]) {
  const server = await startWireServer({ databases: ds.databases, ...options });
  const base = join(dir, `run-${++n}`);
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, env: {} };
  try {
    const code = await main(["run", SCENARIO, "--source", server.uri, "--junit", `${base}.xml`, "--json", `${base}.json`, ...extra], io);
    return { code, stdout, stderr, junit: await readFile(`${base}.xml`, "utf8"), json: JSON.parse(await readFile(`${base}.json`, "utf8")) };
  } finally {
    await server.stop();
  }
}

describe.skipIf(ON_REAL_SERVER)("scan warning", () => {
  it(`warns once for drill_events (${drillDocs} documents, threshold 10, no index) in every report, and the run still passes`, async () => {
    const r = await run({ indexes: {} }, ["--scan-warning-docs", "10"]);
    expect(r.code, r.stderr).toBe(0);
    const expected = `countly_drill.drill_events has about ${drillDocs} documents and no index serves the filter of`;
    expect(r.stderr.split("\n").filter((l) => l.includes(expected))).toHaveLength(1);
    expect(r.stderr).toMatch(/countly-check: warning: countly_drill\.drill_events has about \d+ documents and no index serves the filter of raw ts check \(raw documents whose ts is no time\) \(fields a, e, ts; its indexes: _id_\)/);
    // Console: a warned case of the "source" suite.
    expect(r.stdout).toContain("⚠");
    expect(r.stdout).toContain("unindexed-scan-countly_drill.drill_events");
    // JUnit: a passing case with the WARNING text, as for severity: warn checks.
    const junitCase = parseJUnit(r.junit).suites.flatMap((s) => s.cases).find((c) => c.name === "unindexed-scan-countly_drill.drill_events");
    expect(junitCase?.outcome).toBe("passed");
    expect(r.junit).toContain("WARNING (severity warn, does not fail the run): countly_drill.drill_events has about");
    // JSON: a warned case, the report valid against its schema.
    expect(resultValidator()(r.json)).toEqual([]);
    const cases = r.json.suites.flatMap((s: { cases: { checkId: string; outcome: string; message: string }[] }) => s.cases);
    const warned = cases.filter((c: { checkId: string }) => c.checkId.startsWith("unindexed-scan-"));
    expect(warned.map((c: { checkId: string }) => c.checkId)).toContain("unindexed-scan-countly_drill.drill_events");
    expect(warned.every((c: { outcome: string }) => c.outcome === "warned")).toBe(true);
    // Every other raw pipeline on drill_events is named in the one warning.
    expect(warned.find((c: { checkId: string }) => c.checkId === "unindexed-scan-countly_drill.drill_events").message).toMatch(/and \d+ more quer(y|ies) \(.*rawSessions/);
  });

  it("no warning where the install's indexes serve the raw filters (a run over every app and all time reads drill_events whole, by design), or under the threshold", async () => {
    const indexed = await run({ indexes: countlyIndexes(ds) }, ["--scan-warning-docs", "10"]);
    expect(indexed.stderr).not.toContain("unindexed-scan-countly_drill.drill_events");
    expect(indexed.stderr).not.toContain("countly_drill.drill_events has about");
    const small = await run({ indexes: {} }, []);
    expect(small.stderr).not.toContain("warning:");
    expect(JSON.stringify(small.json)).not.toContain("unindexed-scan");
  });

  it("is given before the scanning query is sent", async () => {
    const server = await startWireServer({ databases: ds.databases, indexes: {} });
    const warnedAt: number[] = [];
    try {
      const source = new MongoSource(server.uri, { scanWarningDocs: 10, onWarning: () => warnedAt.push(server.commands.length) });
      await compute(source, {}, {}, ["rawEvents"]);
      expect(warnedAt).toHaveLength(1);
      const before = server.commands.slice(0, warnedAt[0]);
      expect(before.some((c) => c.name === "listIndexes" && c.body.listIndexes === "drill_events")).toBe(true);
      expect(before.some((c) => c.name === "aggregate" && c.body.aggregate === "drill_events")).toBe(false);
      expect(server.commands.slice(warnedAt[0]).some((c) => c.name === "aggregate" && c.body.aggregate === "drill_events")).toBe(true);
      expect(source.warnings().map((w) => w.id)).toEqual(["unindexed-scan-countly_drill.drill_events"]);
    } finally {
      await server.stop();
    }
  });
});
