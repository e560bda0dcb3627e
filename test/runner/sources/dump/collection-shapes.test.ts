// Shape sniffing of fixed-name collections (runner/sources/dump/collection-shapes.ts): not
// only the first document, but the first FIRST_DOCUMENTS and some spread over the file.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BSON } from "bson";
import { describe, expect, it } from "vitest";
import { DB } from "../../../../fixtures/dataset.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { FIRST_DOCUMENTS, sampledShapeProblem, shapeOf } from "../../../../runner/sources/dump/collection-shapes.ts";

const DRILL = shapeOf("drill", "drill_events")!;
const ds = generateDataset(11, { rawEvents: 900, apps: 2 });
const raw = ds.databases[DB.drill]!.drill_events!;
const users = ds.databases[DB.countly]!.users!;
const apps = ds.databases[DB.countly]!.apps!;

async function bsonFile(docs: readonly Record<string, unknown>[]): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), "cc-shapes-")), "drill_events.bson");
  await writeFile(file, Buffer.concat(docs.map((d) => BSON.serialize(d))));
  return file;
}

describe("sampledShapeProblem", () => {
  it("accepts a whole file of its collection's documents", async () => {
    expect(raw.length).toBeGreaterThan(4 * FIRST_DOCUMENTS);
    expect(await sampledShapeProblem(DRILL, await bsonFile(raw))).toBeUndefined();
  });

  it("a valid first document followed by another collection's documents: names the first bad one and its offset", async () => {
    const problem = await sampledShapeProblem(DRILL, await bsonFile([raw[0]!, ...apps]));
    expect(problem).toMatch(/^its document 2 \(byte offset \d+\) \(_id "[0-9a-f]{24}"\) has none of the fields a document of drill_events has .*: it looks like a document of apps; is the file from another collection\?$/);
  });

  it("another collection's documents after the first FIRST_DOCUMENTS: found by the samples spread over the file", async () => {
    const mixed = [...raw.slice(0, 3 * FIRST_DOCUMENTS), ...Array.from({ length: 40 }, () => users).flat()];
    const problem = await sampledShapeProblem(DRILL, await bsonFile(mixed));
    expect(problem).toMatch(/^its document at byte offset \d+ \(_id .*\) has none of the fields a document of drill_events has .*: it looks like a document of (events_data|users)/);
  });
});
