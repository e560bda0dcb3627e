import { Buffer } from "node:buffer";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { BSON } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanRawBsonFile } from "../../../runner/diff/raw-bson-file.ts";
import { DumpReadError } from "../../../runner/sources/dump/bson-file-scanner.ts";

let dir: string;
const docs = Array.from({ length: 50 }, (_, i) => ({ _id: i, pad: "x".repeat(i * 7), n: { i } }));
const bytes = Buffer.concat(docs.map((d) => BSON.serialize(d)));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cc-rawbson-"));
  await writeFile(join(dir, "c.bson"), bytes);
  await writeFile(join(dir, "c.bson.gz"), gzipSync(bytes));
  await writeFile(join(dir, "empty.bson"), Buffer.alloc(0));
  await writeFile(join(dir, "cut.bson"), bytes.subarray(0, bytes.length - 3));
  await writeFile(join(dir, "badlen.bson"), Buffer.from([1, 0, 0, 0, 0]));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(file: string, chunkSize?: number) {
  const out: unknown[] = [];
  const n = await scanRawBsonFile(join(dir, file), (b, s, e) => out.push(BSON.deserialize(b.subarray(s, e))), { chunkSize });
  return { n, out };
}

describe("scanRawBsonFile", () => {
  it("hands out every document's bytes, whatever the chunk size, plain or gzip", async () => {
    for (const chunk of [16, 17, 100, 4096, undefined]) {
      for (const f of ["c.bson", "c.bson.gz"]) {
        const { n, out } = await read(f, chunk);
        expect(n, `${f} ${chunk}`).toBe(50);
        expect(out).toEqual(docs);
      }
    }
    expect((await read("empty.bson")).n).toBe(0);
  });

  it("reports truncated files and impossible lengths as DumpReadError", async () => {
    await expect(read("cut.bson", 64)).rejects.toThrow(DumpReadError);
    await expect(read("cut.bson")).rejects.toThrow(/truncated document at byte \d+/);
    await expect(read("badlen.bson")).rejects.toThrow(/impossible document length 1 at byte 0/);
    await expect(read("missing.bson")).rejects.toThrow(/read error/);
  });

  it("lets the visitor's errors through unchanged", async () => {
    const boom = new Error("boom");
    await expect(
      scanRawBsonFile(join(dir, "c.bson"), () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });
});
