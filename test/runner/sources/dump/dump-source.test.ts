import { mkdtemp, readdir, stat, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../../../checks/index.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { writeDump } from "../../../../fixtures/dump-writer.ts";
import { factRequests } from "../../../../runner/plan.ts";
import { parseScenario } from "../../../../runner/scenario/load.ts";
import { DumpSource } from "../../../../runner/sources/dump/dump-source.ts";
import { FixtureSource } from "../../../../runner/sources/fixture-source.ts";
import type { Source } from "../../../../runner/sources/source.ts";
import { SourceError } from "../../../../runner/sources/source.ts";

const ALL_FACTS = factRequests([parseScenario(
  "name: all\nchecks:\n  - { id: a, check: events-match-raw, settle_minutes: 10 }\n  - { id: b, check: event-segments-within-total }\n  - { id: c, check: views-present-when-raw }\n  - { id: d, check: sources-present-when-raw }\n",
  "all.yaml",
  { registry: CHECKS },
)], CHECKS);

async function factsOf(source: Source) {
  const basics = await source.open();
  const facts = await source.computeFacts(ALL_FACTS, { apps: basics.apps, period: {}, layout: basics.layout, databases: basics.databases });
  return { basics: { apps: basics.apps, layout: basics.layout, collections: basics.catalog.collections }, facts };
}

function withoutUuidOrigin<T>(facts: T): T {
  const copy = structuredClone(facts) as { facts?: { changeStreams?: { value?: { drillEvents?: { from?: string } } } } };
  delete copy.facts?.changeStreams?.value?.drillEvents?.from;
  return copy as T;
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "cc-dump-"));
}

describe("DumpSource", () => {
  for (const [layout, gzip] of [["current", false], ["legacy", false], ["current", true]] as const) {
    it(`reads the same facts as the in-memory dataset (${layout}${gzip ? ", gzip" : ""})`, async () => {
      for (const seed of [3, 11]) {
        const ds = generateDataset(seed, { layout });
        const dir = await tempDir();
        await writeDump(ds, dir, { gzip });
        const fromDump = await factsOf(new DumpSource(dir));
        const fromMemory = await factsOf(new FixtureSource(ds));
        // Where the drill_events UUID was read from differs by nature (metadata.json vs the fixture); the UUID itself must agree.
        expect(withoutUuidOrigin(fromDump)).toEqual(withoutUuidOrigin(fromMemory));
        expect(fromDump.basics.layout).toEqual({ events: layout, drill: layout, views: layout });
        expect(Object.values(fromDump.facts).every((f) => f?.ok)).toBe(true);
      }
    });
  }

  it("accepts the backup folder, its dump/ folder, and rejects other folders with a clear error", async () => {
    const dir = await tempDir();
    const ds = generateDataset(5);
    await writeDump(ds, dir);
    const fromBackup = await new DumpSource(dir).open();
    const fromDump = await new DumpSource(join(dir, "dump")).open();
    expect(fromDump.apps.map((a) => [a.id, a.timezone])).toEqual(ds.apps.map((a) => [a.id, a.timezone]));
    expect(fromDump.layout).toEqual({ events: "current", drill: "current", views: "current" });
    expect(fromDump).toEqual(fromBackup);
    await expect(new DumpSource(join(dir, "nope")).open()).rejects.toThrow(/nope: no such directory/);
    const empty = await tempDir();
    await expect(new DumpSource(empty).open()).rejects.toThrow(SourceError);
    await expect(new DumpSource(empty).open()).rejects.toThrow(/not a Countly dump: expected .*dump\/countly\//);
  });

  it("turns a truncated collection into an error outcome naming the file and byte offset, for the facts that read it only", async () => {
    const dir = await tempDir();
    await writeDump(generateDataset(7), dir);
    const file = join(dir, "dump", "countly_drill", "drill_events.bson");
    await truncate(file, (await stat(file)).size - 10);
    const { facts } = await factsOf(new DumpSource(dir));
    expect(facts.rawEvents).toEqual({ ok: false, error: expect.stringMatching(/drill_events\.bson: .*truncated.*\(byte offset \d+\)/) });
    expect(facts.rawViews?.ok).toBe(false);
    expect(facts.eventAggregates?.ok).toBe(true);
    expect(await readdir(join(dir, "dump", "countly"))).toContain("apps.bson");
  });
});
