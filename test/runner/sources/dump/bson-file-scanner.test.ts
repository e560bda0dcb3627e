import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { BSON, Binary, ObjectId } from "bson";
import { DumpReadError, MAX_DOCUMENT_SIZE, scanBsonFile } from "../../../../runner/sources/dump/bson-file-scanner.ts";
import type { ScanOptions } from "../../../../runner/sources/dump/bson-file-scanner.ts";
import { concat } from "../../../support/bson-bytes.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countly-check-scanner-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Documents of varied sizes (tens of bytes up to ~40 KiB), with their offsets. */
function makeDocs(count: number, big = true): { bytes: Uint8Array; docs: Record<string, unknown>[]; offsets: number[] } {
  const docs: Record<string, unknown>[] = [];
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const doc: Record<string, unknown> = {
      _id: new ObjectId(),
      i,
      a: "5e1f2a3b4c5d6e7f8091234" + (i % 3),
      n: i % 7 === 0 ? "ünïcødé 😀" : `event_${i % 11}`,
      ts: 1700000000000 + i,
      cd: new Date(1700000000000 + i * 1000),
      up: { src: i % 2 ? "organic" : "ads", cc: "DE", p: "Android" },
      pad: "x".repeat((i * 7919) % (big && i % 50 === 0 ? 40000 : 300)),
    };
    const b = BSON.serialize(doc);
    docs.push(doc);
    offsets.push(offset);
    parts.push(b);
    offset += b.length;
  }
  return { bytes: concat(parts), docs, offsets };
}

async function collect(file: string, options?: ScanOptions) {
  const docs: Record<string, unknown>[] = [];
  const offsets: number[] = [];
  const stats = await scanBsonFile(
    file,
    (doc, offset) => {
      docs.push(doc);
      offsets.push(offset);
    },
    options,
  );
  return { docs, offsets, stats };
}

async function expectDumpError(file: string, options: ScanOptions | undefined, offset: number, message: RegExp) {
  const err = await scanBsonFile(file, () => {}, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DumpReadError);
  const de = err as DumpReadError;
  expect(de.file).toBe(file);
  expect(de.offset).toBe(offset);
  expect(de.message.startsWith(`${file}: `)).toBe(true);
  expect(de.message).toMatch(message);
  return de;
}

describe("scanBsonFile", () => {
  const { bytes, docs, offsets } = makeDocs(600);

  const small = makeDocs(40, false); // for byte-sized chunks, which mean one read per byte

  for (const chunkSize of [1, 3, 7]) {
    it(`reads every document in order with its offset (.bson, chunkSize ${chunkSize}, small docs)`, async () => {
      const file = join(dir, `small-${chunkSize}.bson`);
      await writeFile(file, small.bytes);
      const got = await collect(file, { chunkSize });
      expect(got.stats).toEqual({ documents: small.docs.length, bytes: small.bytes.length });
      expect(got.offsets).toEqual(small.offsets);
      expect(got.docs).toEqual(small.docs);
    });
  }

  for (const chunkSize of [64, 1000, 4096, undefined]) {
    it(`reads every document in order with its offset (.bson, chunkSize ${chunkSize ?? "default"})`, async () => {
      const file = join(dir, `plain-${chunkSize}.bson`);
      await writeFile(file, bytes);
      const got = await collect(file, { chunkSize });
      expect(got.stats).toEqual({ documents: docs.length, bytes: bytes.length });
      expect(got.offsets).toEqual(offsets);
      expect(got.docs).toEqual(docs);
    });
  }

  for (const chunkSize of [5, 333, undefined]) {
    it(`reads .bson.gz the same way (chunkSize ${chunkSize ?? "default"})`, async () => {
      const file = join(dir, `gz-${chunkSize}.bson.gz`);
      await writeFile(file, gzipSync(bytes));
      const got = await collect(file, { chunkSize });
      expect(got.stats).toEqual({ documents: docs.length, bytes: bytes.length });
      expect(got.offsets).toEqual(offsets);
      expect(got.docs).toEqual(docs);
    });
  }

  it("decodes only the selected fields when `fields` is given", async () => {
    const file = join(dir, "selected.bson");
    await writeFile(file, bytes);
    const got = await collect(file, { chunkSize: 777, fields: { i: true, n: true, up: ["src"], nope: true } });
    expect(got.offsets).toEqual(offsets);
    expect(got.docs).toEqual(docs.map((d) => ({ i: d["i"], n: d["n"], up: { src: (d["up"] as { src: string }).src } })));
  });

  it("documents kept after the scan stay intact although the read buffers are reused (selective and full)", async () => {
    // binary values are views of bson's input; the scanner must never hand out views of a buffer it reads into again
    const many = Array.from({ length: 300 }, (_, i) => ({
      i,
      emb: { bin: new Binary(new Uint8Array([i & 255, 1, 2, 3]), 0), s: `v${i}` },
      bin: new Binary(new Uint8Array([i & 255, 9]), 0),
      pad: "p".repeat(i % 37),
    }));
    const file = join(dir, "reuse.bson");
    await writeFile(file, concat(many.map((d) => BSON.serialize(d))));
    for (const chunkSize of [97, 1000, undefined]) {
      const selective = await collect(file, { chunkSize, fields: { i: true, emb: true, bin: true } });
      expect(selective.docs).toEqual(many.map(({ pad: _pad, ...d }) => d));
      const full = await collect(file, { chunkSize });
      expect(full.docs).toEqual(many);
    }
  });

  it("reports progress with cheap counters and a final call", async () => {
    const file = join(dir, "progress.bson");
    await writeFile(file, bytes);
    const seen: { bytes: number; documents: number; fileBytes: number; done: boolean }[] = [];
    await collect(file, { onProgress: (p) => seen.push({ ...p }) });
    expect(seen.at(-1)).toEqual({ bytes: bytes.length, documents: docs.length, fileBytes: bytes.length, done: true });
    expect(seen.slice(0, -1).every((p) => !p.done)).toBe(true);
  });

  it("an empty file is 0 documents", async () => {
    for (const name of ["empty.bson", "empty.bson.gz", "zero-bytes.bson.gz"]) {
      const file = join(dir, name);
      await writeFile(file, name === "empty.bson.gz" ? gzipSync(new Uint8Array(0)) : new Uint8Array(0));
      expect(await collect(file)).toEqual({ docs: [], offsets: [], stats: { documents: 0, bytes: 0 } });
    }
  });

  it("a truncated file is a DumpReadError naming the file and the document's offset", async () => {
    const cut = bytes.length - 10;
    const lastStart = offsets.at(-1)!;
    const lastSize = bytes.length - lastStart;
    for (const chunkSize of [100, 4096, undefined]) {
      const file = join(dir, `truncated-${chunkSize}.bson`);
      await writeFile(file, bytes.subarray(0, cut));
      await expectDumpError(
        file,
        { chunkSize },
        lastStart,
        new RegExp(`truncated document at byte ${lastStart} \\(declared ${lastSize} bytes, ${lastSize - 10} left\\)`),
      );
    }
    // cut inside the length prefix
    const file = join(dir, "truncated-prefix.bson");
    await writeFile(file, small.bytes.subarray(0, small.offsets[30]! + 2));
    await expectDumpError(file, { chunkSize: 3 }, small.offsets[30]!, /truncated document at byte \d+ \(length prefix incomplete, 2 left\)/);
  });

  it("documents before the truncation are still visited", async () => {
    const file = join(dir, "truncated-visits.bson");
    await writeFile(file, bytes.subarray(0, offsets[10]! + 20));
    const seen: number[] = [];
    await expect(scanBsonFile(file, (_d, o) => seen.push(o), { chunkSize: 50 })).rejects.toBeInstanceOf(DumpReadError);
    expect(seen).toEqual(offsets.slice(0, 10));
  });

  it("a truncated .bson.gz (cut compressed stream) is a DumpReadError at a document boundary", async () => {
    const gz = gzipSync(bytes);
    const file = join(dir, "truncated.bson.gz");
    await writeFile(file, gz.subarray(0, Math.floor(gz.length / 2)));
    // how much a sync-flushed decompression of the cut stream can recover
    const recoverable = gunzipSync(gz.subarray(0, Math.floor(gz.length / 2)), { finishFlush: constants.Z_SYNC_FLUSH }).length;
    const seen: number[] = [];
    const err = await scanBsonFile(file, (_d, o) => seen.push(o), { chunkSize: 4096 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DumpReadError);
    const de = err as DumpReadError;
    expect(de.message).toMatch(new RegExp(`^${escape(file)}: gzip error at uncompressed byte \\d+.*unexpected end of file`));
    // the error names the first document not delivered, which cannot lie past the recoverable data
    expect(offsets).toContain(de.offset);
    expect(de.offset).toBeLessThanOrEqual(recoverable);
    expect(seen).toEqual(offsets.filter((o) => o < de.offset));
  });

  it("impossible lengths are DumpReadErrors at the document's offset", async () => {
    const at = offsets[5]!;
    for (const [bad, why] of [
      [3, /impossible document length 3 at byte/],
      [-20, /impossible document length -20 at byte/],
      [MAX_DOCUMENT_SIZE + 1, /impossible document length/],
    ] as const) {
      const copy = bytes.slice();
      new DataView(copy.buffer, copy.byteOffset).setInt32(at, bad, true);
      for (const chunkSize of [2, 4096]) {
        const file = join(dir, `badlen-${bad}-${chunkSize}.bson`);
        await writeFile(file, copy);
        await expectDumpError(file, { chunkSize }, at, why);
      }
    }
  });

  it("a length that does not land on a 0x00 terminator is a DumpReadError", async () => {
    const at = offsets[7]!;
    const copy = bytes.slice();
    const dv = new DataView(copy.buffer, copy.byteOffset);
    dv.setInt32(at, dv.getInt32(at, true) + 1, true); // now ends on the next document's first length byte
    for (const chunkSize of [3, 4096]) {
      const file = join(dir, `noeoo-${chunkSize}.bson`);
      await writeFile(file, copy);
      await expectDumpError(file, { chunkSize }, at, new RegExp(`document at byte ${at} does not end with 0x00`));
    }
  });

  it("a well-framed document bson cannot decode is a DumpReadError (full and selective)", async () => {
    const doc = BSON.serialize({ a: "hello", b: 1 });
    const bad = doc.slice();
    bad[4] = 0x42; // unknown element type
    const file = join(dir, "badtype.bson");
    const good = BSON.serialize({ ok: true });
    await writeFile(file, concat([good, bad]));
    await expectDumpError(file, undefined, good.length, /corrupt document at byte \d+ \(\d+ bytes\):/);
    await expectDumpError(file, { fields: { b: true } }, good.length, /corrupt document at byte \d+ .*unknown BSON type/);
  });

  it("gzip garbage is a DumpReadError", async () => {
    const file = join(dir, "garbage.bson.gz");
    await writeFile(file, new TextEncoder().encode("this is not gzip at all, just text"));
    await expectDumpError(file, undefined, 0, /gzip error/);
  });

  it("a missing file is a DumpReadError", async () => {
    const file = join(dir, "does-not-exist.bson");
    const de = await expectDumpError(file, undefined, 0, /read error.*ENOENT/);
    expect((de.cause as { code?: string }).code).toBe("ENOENT");
  });

  it("errors thrown by the visitor propagate unchanged", async () => {
    const file = join(dir, "visitor-throws.bson");
    await writeFile(file, bytes);
    const boom = new Error("boom");
    let n = 0;
    await expect(
      scanBsonFile(
        file,
        () => {
          if (++n === 3) throw boom;
        },
        { chunkSize: 100 },
      ),
    ).rejects.toBe(boom);
  });

  it("stops when the signal is aborted", async () => {
    const file = join(dir, "abort.bson");
    await writeFile(file, bytes);
    const ac = new AbortController();
    let n = 0;
    await expect(
      scanBsonFile(
        file,
        () => {
          if (++n === 5) ac.abort(new Error("stop"));
        },
        { chunkSize: 512, signal: ac.signal },
      ),
    ).rejects.toThrow("stop");
    expect(n).toBeLessThan(docs.length);
    const pre = new AbortController();
    pre.abort();
    await expect(scanBsonFile(file, () => {}, { signal: pre.signal })).rejects.toThrow();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
