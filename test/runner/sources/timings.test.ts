// Per-query timings in the JSON report (issue 12): a live run lists every find, aggregate
// and count it sent (collection, kind, purpose, ms, documents returned), a dump run every
// collection pass (documents read from the file); both reports stay valid against
// reports/result.schema.json.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB } from "../../../fixtures/dataset.ts";
import { writeDump } from "../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import type { CliIO } from "../../../runner/cli/io.ts";
import { main } from "../../../runner/cli/main.ts";
import type { QueryTiming } from "../../../runner/model.ts";
import { resultValidator } from "../../support/report-schemas.ts";
import { startWireServer } from "../../support/wire-server/index.ts";
import { countlyIndexes, ON_REAL_SERVER } from "./mongo/support.ts";

const SCENARIO = join(import.meta.dirname, "..", "..", "..", "scenarios", "post-restore.yaml");
const ds = generateDataset(5, { layout: "current", apps: 2, rawEvents: 40 });
const validate = resultValidator();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countly-check-timings-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function jsonReport(source: string, name: string, extra: string[] = []): Promise<{ timings: QueryTiming[] }> {
  const file = join(dir, `${name}.json`);
  const io: CliIO = { stdout: () => undefined, stderr: () => undefined, isTTY: false, env: {} };
  const code = await main(["run", SCENARIO, "--source", source, "--junit", join(dir, `${name}.xml`), "--json", file, ...extra], io);
  expect(code).not.toBe(3);
  const doc = JSON.parse(await readFile(file, "utf8"));
  expect(validate(doc)).toEqual([]);
  return doc;
}

describe("per-query timings in the JSON report", () => {
  it("a dump run lists each collection pass with the documents read", async () => {
    const out = join(dir, "dump");
    await writeDump(ds, out);
    const { timings } = await jsonReport(out, "dump");
    const drill = timings.filter((t) => t.collection === `${DB.drill}.drill_events`);
    expect(drill.length).toBeGreaterThan(0);
    for (const t of drill) {
      expect(t).toMatchObject({ kind: "pass", docs: ds.databases[DB.drill]!.drill_events!.length });
      expect(t.purpose).toMatch(/facts/);
      expect(t.ms).toBeGreaterThanOrEqual(0);
    }
    expect(timings.some((t) => t.collection === `${DB.countly}.events_data` && t.docs === ds.databases[DB.countly]!.events_data!.length)).toBe(true);
  });

  it("a --jobs run lists the passes its worker threads were fed too, as one thread's run does", async () => {
    const out = join(dir, "dump-jobs");
    await writeDump(ds, out);
    const one = (await jsonReport(out, "jobs-1", ["--jobs", "1"])).timings;
    const two = (await jsonReport(out, "jobs-2", ["--jobs", "2"])).timings;
    // every collection one thread read is read with the same documents (the pipelines and the
    // backup comparison may read a worker-fed collection again: more passes, never fewer)
    const docsOf = (ts: QueryTiming[]) => new Map(ts.map((t) => [t.collection, t.docs]));
    expect(docsOf(two)).toEqual(docsOf(one));
    for (const t of two) expect(Object.keys(t).sort()).toEqual(["collection", "docs", "kind", "ms", "purpose", "scanner"]);
    const drill = two.filter((t) => t.collection === `${DB.drill}.drill_events`);
    expect(drill.map((t) => t.purpose)).toContain("facts (read for 2 worker threads)");
    // the worker threads walk with the JavaScript scanner, and the report says so
    for (const t of drill.filter((d) => d.purpose.includes("worker threads"))) expect(t.scanner).toBe("js");
    for (const t of drill) expect(t).toMatchObject({ kind: "pass", docs: ds.databases[DB.drill]!.drill_events!.length });
  });

  it.skipIf(ON_REAL_SERVER)("a live run lists each find, aggregate and count with the documents returned", async () => {
    const server = await startWireServer({ databases: ds.databases, indexes: countlyIndexes(ds) });
    try {
      const { timings } = await jsonReport(server.uri, "live");
      const sent = server.commands.filter((c) => ["find", "aggregate", "count"].includes(c.name));
      expect(timings.length).toBe(sent.length);
      for (const t of timings) expect(["find", "aggregate", "count"]).toContain(t.kind);
      const groups = timings.find((t) => t.kind === "aggregate" && t.purpose === "rawEvents (day groups)")!;
      expect(groups.collection).toBe(`${DB.drill}.drill_events`);
      expect(groups.docs).toBeGreaterThan(0);
      const apps = timings.find((t) => t.collection === `${DB.countly}.apps`)!;
      expect(apps).toMatchObject({ kind: "find", purpose: "opening the source (apps, event lists)", docs: ds.apps.length });
      expect(timings.filter((t) => t.kind === "count").every((t) => t.docs === 1)).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
