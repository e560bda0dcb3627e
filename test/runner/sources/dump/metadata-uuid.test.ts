import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMetadataUuid } from "../../../../runner/sources/dump/metadata-uuid.ts";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cc-metadata-uuid-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// What mongodump 100.x writes (mongodump/metadata_dump.go: canonical Extended JSON, "uuid" as 32 hex digits).
const MONGODUMP = '{"indexes":[{"v":{"$numberInt":"2"},"key":{"_id":{"$numberInt":"1"}},"name":"_id_"}],"uuid":"A5093ABB38FE4B9EA67F01BB1A96D812","collectionName":"drill_events","type":"collection"}';

describe("readMetadataUuid", () => {
  it("reads the uuid mongodump writes, plain or gzipped (--gzip), lower-cased", async () => {
    await writeFile(join(dir, "a.metadata.json"), MONGODUMP);
    await writeFile(join(dir, "b.metadata.json.gz"), gzipSync(Buffer.from(MONGODUMP)));
    expect(await readMetadataUuid(join(dir, "a.metadata.json"))).toEqual({ uuid: "a5093abb38fe4b9ea67f01bb1a96d812", from: join(dir, "a.metadata.json") });
    expect(await readMetadataUuid(join(dir, "b.metadata.json"))).toEqual({ uuid: "a5093abb38fe4b9ea67f01bb1a96d812", from: join(dir, "b.metadata.json.gz") });
  });

  it("says why there is no UUID: missing file, not JSON, no uuid (pre-3.6 server), malformed uuid", async () => {
    await writeFile(join(dir, "c.metadata.json"), "{not json");
    await writeFile(join(dir, "d.metadata.json"), '{"indexes":[],"collectionName":"drill_events"}');
    await writeFile(join(dir, "e.metadata.json"), '{"uuid":"xyz"}');
    expect(await readMetadataUuid(join(dir, "missing.metadata.json"))).toEqual({ unknown: `${join(dir, "missing.metadata.json")} is missing (mongodump writes it next to the .bson file)` });
    expect(await readMetadataUuid(join(dir, "c.metadata.json"))).toEqual({ unknown: expect.stringMatching(/c\.metadata\.json is not JSON/) });
    expect(await readMetadataUuid(join(dir, "d.metadata.json"))).toEqual({ unknown: expect.stringMatching(/has no "uuid" \(dumped from a server whose collections have no UUID, before MongoDB 3\.6\)/) });
    expect(await readMetadataUuid(join(dir, "e.metadata.json"))).toEqual({ unknown: expect.stringMatching(/"uuid" is "xyz", not 32 hex digits/) });
  });
});

describe("readMetadataUuid on hostile files", () => {
  it("does not open a FIFO (it would block the run): the UUID is unknown, with the reason", async () => {
    const { execFileSync } = await import("node:child_process");
    const fifo = join(dir, "fifo.metadata.json");
    execFileSync("mkfifo", [fifo]);
    expect(await readMetadataUuid(fifo)).toEqual({ unknown: `${fifo} is not a regular file` });
  });
});
