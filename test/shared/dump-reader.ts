// The dump reader (runner/sources/dump/bson-file-scanner.ts) on temporary .bson and
// .bson.gz files: every document, in order, with its offset, whatever the chunk size;
// selective decoding; truncated files named with the offset of the first lost document.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { gzipSync } from "node:zlib";
import { BSON, Long, ObjectId } from "bson";
import { DumpReadError, scanBsonFile, type ScanOptions } from "../../runner/sources/dump/bson-file-scanner.ts";
import { nativeCounts, SCANNER_ENV, scannerChoice } from "../../runner/sources/dump/bson-walk-native.ts";
import type { SharedTests } from "./harness.ts";

interface Sample {
  bytes: Uint8Array;
  docs: Record<string, unknown>[];
  offsets: number[];
}

/** Drill-like documents of varied sizes (a few of ~20 KiB), concatenated as in a .bson file. */
function sample(count: number): Sample {
  const docs: Record<string, unknown>[] = [];
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const doc: Record<string, unknown> = {
      _id: new ObjectId(`65f0a1b2c3d4e5f6a7b8${(0x1000 + i).toString(16)}`),
      a: "65f0a1b2c3d4e5f6a7b8c9d0",
      e: i % 5 === 0 ? "[CLY]_session" : "[CLY]_custom",
      n: i % 7 === 0 ? "ünïcødé 😀 & <x>" : `event_${i % 11}`,
      ts: 1_700_000_000_000 + i * 1000,
      cd: new Date(1_700_000_000_000 + i * 1000),
      c: i % 3,
      big: Long.fromString("9007199254740993"),
      sg: { plan: i % 2 ? "pro" : "free", level: i },
      up: { src: i % 2 ? "organic" : "ads", cc: "DE" },
      pad: "x".repeat(i % 40 === 0 ? 20_000 : (i * 31) % 200),
    };
    const b = BSON.serialize(doc);
    docs.push(doc);
    parts.push(b);
    offsets.push(offset);
    offset += b.length;
  }
  const bytes = new Uint8Array(offset);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes, docs, offsets };
}

/** Plain data for comparison: BSON values as their canonical Extended JSON. */
function plain(doc: unknown): unknown {
  return JSON.parse(BSON.EJSON.stringify(doc as Record<string, unknown>, { relaxed: false }));
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "countly-check-dump-reader-"));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function scan(file: string, options?: ScanOptions) {
  const docs: unknown[] = [];
  const offsets: number[] = [];
  const stats = await scanBsonFile(file, (doc, offset) => {
    docs.push(plain(doc));
    offsets.push(offset);
  }, options);
  return { docs, offsets, stats };
}

async function scanError(file: string, options?: ScanOptions): Promise<{ error: DumpReadError; offsets: number[] }> {
  const offsets: number[] = [];
  try {
    await scanBsonFile(file, (_doc, offset) => offsets.push(offset), options);
  } catch (e) {
    assert.ok(e instanceof DumpReadError, `expected a DumpReadError, got ${String(e)}`);
    return { error: e, offsets };
  }
  assert.fail(`reading ${file} should have failed`);
}

export const dumpReaderTests: SharedTests = {
  async "reads every document of a .bson and a .bson.gz in order, with offsets, at any chunk size"() {
    const s = sample(300);
    await withTempDir(async (dir) => {
      const bson = join(dir, "drill_events.bson");
      const gz = join(dir, "drill_events.bson.gz");
      await writeFile(bson, s.bytes);
      await writeFile(gz, gzipSync(s.bytes));
      for (const file of [bson, gz]) {
        for (const chunkSize of [97, 1000, 65_536, undefined]) {
          const got = await scan(file, { chunkSize });
          assert.deepEqual(got.stats, { documents: s.docs.length, bytes: s.bytes.length }, `${file} chunk ${chunkSize}`);
          assert.deepEqual(got.offsets, s.offsets);
          assert.deepEqual(got.docs, s.docs.map(plain));
        }
      }
    });
  },

  async "decodes only the selected fields"() {
    const s = sample(50);
    await withTempDir(async (dir) => {
      const file = join(dir, "selected.bson.gz");
      await writeFile(file, gzipSync(s.bytes));
      const got = await scan(file, { chunkSize: 333, fields: { e: true, n: true, up: ["src"], missing: true } });
      assert.deepEqual(got.offsets, s.offsets);
      assert.deepEqual(got.docs, s.docs.map((d) => ({ e: d["e"], n: d["n"], up: { src: (d["up"] as { src: string }).src } })));
    });
  },

  async "an empty .bson and .bson.gz are 0 documents"() {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, "empty.bson"), new Uint8Array(0));
      await writeFile(join(dir, "empty.bson.gz"), gzipSync(new Uint8Array(0)));
      for (const name of ["empty.bson", "empty.bson.gz"]) {
        assert.deepEqual(await scan(join(dir, name)), { docs: [], offsets: [], stats: { documents: 0, bytes: 0 } });
      }
    });
  },

  async "a truncated .bson names the file and the offset of the cut document; earlier documents were read"() {
    const s = sample(40);
    await withTempDir(async (dir) => {
      const file = join(dir, "truncated.bson");
      const cutAt = s.offsets[30]! + 10;
      await writeFile(file, s.bytes.subarray(0, cutAt));
      for (const chunkSize of [5, 4096]) {
        const { error, offsets } = await scanError(file, { chunkSize });
        assert.equal(error.file, file);
        assert.equal(error.offset, s.offsets[30]);
        assert.match(error.message, new RegExp(`truncated document at byte ${s.offsets[30]} \\(declared \\d+ bytes, 10 left\\)`));
        assert.deepEqual(offsets, s.offsets.slice(0, 30));
      }
    });
  },

  async "a cut .bson.gz and gzip garbage are DumpReadErrors (gzip error)"() {
    const s = sample(200);
    await withTempDir(async (dir) => {
      const gz = gzipSync(s.bytes);
      const cut = join(dir, "cut.bson.gz");
      await writeFile(cut, gz.subarray(0, Math.floor(gz.length / 2)));
      const { error, offsets } = await scanError(cut, { chunkSize: 4096 });
      assert.match(error.message, /gzip error at uncompressed byte \d+/);
      assert.ok(s.offsets.includes(error.offset), `offset ${error.offset} is a document start`);
      assert.deepEqual(offsets, s.offsets.filter((o) => o < error.offset));

      const garbage = join(dir, "garbage.bson.gz");
      await writeFile(garbage, new TextEncoder().encode("not gzip at all"));
      assert.match((await scanError(garbage)).error.message, /gzip error/);
    });
  },

  async "a missing file is a DumpReadError (read error)"() {
    await withTempDir(async (dir) => {
      const { error } = await scanError(join(dir, "nope.bson"));
      assert.match(error.message, /read error.*ENOENT/);
    });
  },

  async "this runtime reads a plain .bson with the wasm scanner when it is built, with the JavaScript walk's documents"() {
    const s = sample(300);
    const selection: ScanOptions = { fields: { _id: true, a: true, n: true, ts: true, sg: ["plan"], up: ["src"], pad: true } };
    await withTempDir(async (dir) => {
      const file = join(dir, "c.bson");
      await writeFile(file, s.bytes);
      const before = process.env[SCANNER_ENV];
      try {
        process.env[SCANNER_ENV] = "js";
        const js = await scan(file, { ...selection, chunkSize: 8192 });
        delete process.env[SCANNER_ENV];
        const required = ["1", "true"].includes(process.env.CI ?? "") || process.env.COUNTLY_CHECK_REQUIRE_WASM === "1";
        if (scannerChoice().scanner !== "wasm") {
          assert.ok(!required, `the wasm scanner is required here: ${scannerChoice().detail}`);
          return;
        }
        const walked = nativeCounts.walked;
        const wasm = await scan(file, { ...selection, chunkSize: 8192 });
        assert.ok(nativeCounts.walked - walked > 200, "the module walked the documents");
        assert.deepEqual(wasm, js);
      } finally {
        if (before === undefined) delete process.env[SCANNER_ENV];
        else process.env[SCANNER_ENV] = before;
      }
    });
  },
};
