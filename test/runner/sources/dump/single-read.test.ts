// One read per collection file per run: the facts, the checks' pipelines and the backup
// comparison (matches-backup's after side) share one pass over each file of the source
// dump, with the same results as reading them one after the other.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";

// Every open of a collection data file, counted where the scanner opens files (node:fs for .gz streams, node:fs/promises for plain files).
const opens = vi.hoisted(() => new Map<string, number>());
const note = (path: unknown) => {
  const p = String(path);
  if (/\.bson(\.gz)?$/.test(p)) opens.set(p, (opens.get(p) ?? 0) + 1);
};
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...real,
    open: (path: Parameters<typeof real.open>[0], ...rest: unknown[]) => {
      note(path);
      return (real.open as (...a: unknown[]) => ReturnType<typeof real.open>)(path, ...rest);
    },
    readFile: (path: Parameters<typeof real.readFile>[0], ...rest: unknown[]) => {
      note(path);
      return (real.readFile as (...a: unknown[]) => ReturnType<typeof real.readFile>)(path, ...rest);
    },
  };
});
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return {
    ...real,
    createReadStream: (path: Parameters<typeof real.createReadStream>[0], ...rest: unknown[]) => {
      note(path);
      return (real.createReadStream as (...a: unknown[]) => ReturnType<typeof real.createReadStream>)(path, ...rest);
    },
  };
});

const { CHECKS } = await import("../../../../checks/index.ts");
const { writeDump } = await import("../../../../fixtures/dump-writer.ts");
const { generateDataset } = await import("../../../../fixtures/generate.ts");
const { runScenarios } = await import("../../../../runner/run.ts");
const { parseScenario, loadScenarioFile } = await import("../../../../runner/scenario/load.ts");
const { DumpSource } = await import("../../../../runner/sources/dump/dump-source.ts");

let work: string;

const EXTRA_CHECKS = (backup: string) => `name: extra
checks:
  - id: zero-days
    check: pipeline
    collection: countly.events_data
    pipeline:
      - $match: { a: "{app_id}", s: "no-segment" }
      - $project: { days: { $objectToArray: "$d" } }
      - $unwind: "$days"
      - $match: { "days.v.c": 0 }
  - id: raw-per-app
    check: pipeline
    collection: countly_drill.drill_events
    pipeline:
      - $match: { a: "{app_id}" }
      - $group: { _id: "$e", n: { $sum: 1 } }
      - $match: { n: { $lt: 0 } }
  - id: apps-exist
    check: pipeline
    collection: countly.apps
    pipeline: []
    expect: { count: { op: ">=", value: 1 } }
  - id: matches-backup
    check: matches-backup
    backup: ${JSON.stringify(backup)}
`;

/** What a run reports, without timings. */
function outcome(run: Awaited<ReturnType<typeof runScenarios>>): unknown {
  return JSON.parse(JSON.stringify(run.suites, (k, v) => (k === "durationMs" || k === "timestamp" ? undefined : v)));
}

async function runOn(dir: string, backup: string, shared: boolean) {
  const post = await loadScenarioFile(join(import.meta.dirname, "../../../../scenarios/post-restore.yaml"), { registry: CHECKS });
  const extra = parseScenario(EXTRA_CHECKS(backup), "extra.yaml", { registry: CHECKS });
  const source = new DumpSource(dir);
  // the same source reading its collections one reader after the other, as sources without shared passes do
  if (!shared) Object.defineProperty(source, "sharedPasses", { value: false });
  opens.clear();
  const run = await runScenarios([post, extra], source, { registry: CHECKS });
  const underSource = [...opens].filter(([p]) => p.startsWith(dir + "/"));
  return { run, opens: new Map(underSource) };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-single-read-"));
});

describe("one read per collection file per run", () => {
  for (const [layout, gzip] of [["current", false], ["legacy", false], ["current", true]] as const) {
    it(`facts, pipelines and matches-backup open each collection file once, with the same results (${layout}${gzip ? ", gzip" : ""})`, async () => {
      const ds = generateDataset(7, { layout });
      const dir = join(work, `${layout}-${gzip}`);
      const backup = join(work, `${layout}-${gzip}-backup`);
      await writeDump(ds, dir, { gzip });
      await writeDump(ds, backup, { gzip });
      const together = await runOn(dir, backup, true);
      const apart = await runOn(dir, backup, false);
      expect(outcome(together.run)).toEqual(outcome(apart.run));
      // the runs did check something: the comparison passed and the pipelines ran
      const cases = together.run.suites.flatMap((s) => s.cases);
      expect(cases.find((c) => c.checkId === "matches-backup")?.outcome).toBe("passed");
      expect(cases.filter((c) => c.checkId === "zero-days").length).toBeGreaterThan(0);
      expect(cases.every((c) => c.outcome !== "error")).toBe(true);
      // every collection file of the source dump was read, each exactly once
      const files = (await readdirDeep(dir)).filter((f) => /\.bson(\.gz)?$/.test(f));
      expect(files.length).toBeGreaterThan(5);
      expect(Object.fromEntries(together.opens)).toEqual(Object.fromEntries(files.map((f) => [f, 1])));
      // reading one reader after the other opens some files more than once (what the shared passes save)
      expect([...apart.opens.values()].some((n) => n > 1)).toBe(true);
    });
  }
});

async function readdirDeep(dir: string): Promise<string[]> {
  const { readdir } = await import("node:fs/promises");
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

