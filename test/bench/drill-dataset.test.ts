// The benchmark's generated dumps (bench/drill-dataset.ts) are a healthy 25.x install: the
// whole post-restore scenario passes on them (so its bench rows time a passing run), the
// collections built while streaming equal what the fixtures' models of Countly build from
// every raw document at once, and a new dataset version never touches another version's
// directories. The generator's seed is fixed (SEED, printed by dataset.json).
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetPaths, DATASET_VERSION, existingDataset, SEED, writeDataset, type Shape } from "../../bench/drill-dataset.ts";
import { CHECKS } from "../../checks/index.ts";
import { pluginDocs } from "../../fixtures/aggregate/system.ts";
import { drillMetaDocs } from "../../fixtures/drill-meta.ts";
import { readRecords } from "../../fixtures/drill.ts";
import { runScenarios } from "../../runner/run.ts";
import { loadScenarioFile } from "../../runner/scenario/load.ts";
import { DumpSource } from "../../runner/sources/dump/dump-source.ts";
import { scanBsonFile } from "../../runner/sources/dump/bson-file-scanner.ts";

const SIX_APPS: Shape = { documents: 4000 };
const MANY_APPS: Shape = { documents: 6000, apps: 40, keysPerApp: 30 };
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "bench-dataset-"));
  // a version 1 dataset of the same shape where version 1 wrote it: it must survive
  await mkdir(join(root, "drill-4000", "dump"), { recursive: true });
  await writeFile(join(root, "drill-4000", "dataset.json"), '{"version":1}\n');
  await writeDataset(root, SIX_APPS, true, () => {});
  await writeDataset(root, MANY_APPS, false, () => {});
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readDumpCollection(dump: string, db: string, coll: string): Promise<Record<string, unknown>[]> {
  const docs: Record<string, unknown>[] = [];
  await scanBsonFile(join(dump, db, `${coll}.bson`), (d) => docs.push(d));
  return docs;
}

async function postRestore(dir: string) {
  const scenario = await loadScenarioFile(join(import.meta.dirname, "..", "..", "scenarios", "post-restore.yaml"), { registry: CHECKS });
  const run = await runScenarios([scenario], new DumpSource(dir, { jobs: 1 }), { registry: CHECKS });
  return run.suites.flatMap((s) => s.cases);
}

describe(`bench datasets, version ${DATASET_VERSION} (seed ${SEED})`, () => {
  it("live in their version's directory and leave the other versions' directories alone", async () => {
    expect(datasetPaths(root, SIX_APPS).dir).toBe(join(root, `v${DATASET_VERSION}`, "drill-4000"));
    expect(await readFile(join(root, "drill-4000", "dataset.json"), "utf8")).toBe('{"version":1}\n');
    expect(await readdir(join(root, "drill-4000"))).toEqual(["dataset.json", "dump"]);
    expect((await existingDataset(root, SIX_APPS, true))?.documents).toBe(4000);
  });

  for (const [name, shape, gz] of [
    ["6 apps, .bson", SIX_APPS, false],
    ["6 apps, .bson.gz", SIX_APPS, true],
    ["40 apps × 30 keys", MANY_APPS, false],
  ] as const) {
    it(`pass the whole post-restore scenario (${name}), the checks of the drill data checking something`, async () => {
      const p = datasetPaths(root, shape);
      const cases = await postRestore(gz ? p.gzDir : p.dir);
      const notPassed = cases.filter((c) => c.outcome !== "passed" && c.outcome !== "skipped").map((c) => `${c.name}: ${c.outcome}`);
      expect(notPassed).toEqual([]);
      for (const check of ["events-match-raw", "drill-meta-matches-data", "aggregation-cursor-fresh", "resume-tokens-resumable", "collections-present", "apps-known"]) {
        expect(cases.filter((c) => c.checkId === check).map((c) => c.outcome)).toContain("passed");
        expect(cases.filter((c) => c.checkId === check && c.outcome !== "passed")).toEqual([]);
      }
    }, 60_000);
  }

  it("hold the drill_meta and _changeStreams documents the fixtures' models build from all their raw documents", async () => {
    for (const shape of [SIX_APPS, MANY_APPS]) {
      const dump = join(datasetPaths(root, shape).dir, "dump");
      const apps = (await readDumpCollection(dump, "countly", "apps")).map((a) => ({ id: String(a._id), name: String(a.name), key: String(a.key), timezone: String(a.timezone) }));
      const records = readRecords(apps, { drill_events: await readDumpCollection(dump, "countly_drill", "drill_events") });
      expect(records.length).toBe(shape.documents);
      expect(await readDumpCollection(dump, "countly_drill", "drill_meta")).toEqual(drillMetaDocs(records));
      expect(await readDumpCollection(dump, "countly", "plugins")).toEqual(pluginDocs(records, "current"));
    }
  });
});
