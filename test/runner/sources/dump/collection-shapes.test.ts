// Shape sniffing of fixed-name collections (runner/sources/dump/collection-shapes.ts): not
// only the first document, but the first FIRST_DOCUMENTS and one at each doubling after,
// checked during the read itself (runner/sources/dump/dump-source.ts `guarded`).
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cloneDeep } from "../../../../fixtures/clone.ts";
import { DB, type Doc } from "../../../../fixtures/dataset.ts";
import { writeDump } from "../../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { FIRST_DOCUMENTS, isSampled, nextSampled } from "../../../../runner/sources/dump/collection-shapes.ts";
import { DumpSource } from "../../../../runner/sources/dump/dump-source.ts";

const ds = generateDataset(11, { rawEvents: 900, apps: 2 });

/** The rawEvents outcome of a dump whose drill_events.bson holds `docs`. */
async function rawEventsWith(docs: readonly Doc[]) {
  const copy = cloneDeep(ds);
  copy.databases[DB.drill]!.drill_events = [...docs];
  const dir = await mkdtemp(join(tmpdir(), "cc-shapes-"));
  await writeDump(copy, dir);
  const source = new DumpSource(dir);
  const basics = await source.open();
  const facts = await source.computeFacts(new Map([["rawEvents", {}]]), { apps: basics.apps, period: {}, layout: basics.layout, databases: basics.databases });
  await source.close();
  return facts.rawEvents!;
}

describe("shape sampling", () => {
  it("samples the first FIRST_DOCUMENTS documents, then one at each doubling: bounded", () => {
    const sampled = Array.from({ length: 1_000_000 }, (_, i) => i).filter(isSampled);
    expect(sampled.slice(0, FIRST_DOCUMENTS)).toEqual(Array.from({ length: FIRST_DOCUMENTS }, (_, i) => i));
    expect(sampled.slice(FIRST_DOCUMENTS)).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 102400, 204800, 409600, 819200]);
  });

  it("a whole file of its collection's documents reads as usual", async () => {
    const raw = ds.databases[DB.drill]!.drill_events!;
    expect(raw.length).toBeGreaterThan(4 * FIRST_DOCUMENTS);
    expect((await rawEventsWith(raw)).ok).toBe(true);
  });

  it("a valid first document followed by another collection's documents: an error naming the first bad one and its offset", async () => {
    const outcome = await rawEventsWith([ds.databases[DB.drill]!.drill_events![0]!, ...ds.databases[DB.countly]!.apps!]);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toMatch(/drill_events\.bson: its document 2 \(byte offset \d+\) \(_id "[0-9a-f]{24}"\) has none of the fields a document of drill_events has .*: it looks like a document of apps; is the file from another collection\?/);
  });

  it("another collection's documents after the first FIRST_DOCUMENTS: found by the samples spread over the file", async () => {
    const raw = ds.databases[DB.drill]!.drill_events!.slice(0, 3 * FIRST_DOCUMENTS);
    const users = ds.databases[DB.countly]!.users!;
    const outcome = await rawEventsWith([...raw, ...Array.from({ length: 40 }, () => users).flat()]);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toMatch(/drill_events\.bson: its document 401 \(byte offset \d+\) .*has none of the fields a document of drill_events has/);
  });
});

describe("nextSampled", () => {
  it("is the first sampled index at or after the given one (where the batch pass stops a batch)", () => {
    let next = Infinity;
    for (let i = 20_000; i >= 0; i--) {
      if (isSampled(i)) next = i;
      if (next !== Infinity) expect(nextSampled(i), `index ${i}`).toBe(next);
    }
  });
});
