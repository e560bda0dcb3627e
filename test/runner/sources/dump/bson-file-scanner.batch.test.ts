// The batch pass (bson-file-scanner.ts FieldsBatcher + collector.ts batchEach): with the wasm
// scanner, each walked batch goes to a read's visitors in one call, and a visitor's batch
// reader does the rows it vouches for. Whatever the batch and chunk sizes, every visitor sees
// the same documents in the same order, the calls interleave across visitors as in the
// per-document pass, and the first error (a visitor's DocumentProblem, a batch reader's own
// stop, a corrupt file) names the same document and offset as the per-document pass and the
// JavaScript scanner. Fixed, printed seed.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { BSONRegExp, Double, Int32 } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchEach, visitEach, type BatchRead } from "../../../../runner/facts/collector.ts";
import { DocFields, DocumentProblem, FieldLayout } from "../../../../runner/sources/dump/bson-fields.ts";
import { batchPass, fieldsFrameVisitor, scanBsonFrames, DumpReadError, type ScanProgress } from "../../../../runner/sources/dump/bson-file-scanner.ts";
import { nativeCounts, SCANNER_ENV, scannerChoice, type WalkedBatch } from "../../../../runner/sources/dump/bson-walk-native.ts";
import { concat, documentOf, element } from "../../../support/bson-bytes.ts";

const SEED = 20261206;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-batch-pass-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

type Mode = "batch" | "per-document" | "js";

/**
 * A document's kind: `c` an int32 (batch readers vouch for it), a double (they leave it to
 * JavaScript), a regex before `c` (the wasm walker refuses the document), a long string (few
 * per chunk), or corrupt (a string of length 0 before `c`: refused by the walker, a corrupt
 * document for the JavaScript walk).
 */
type Kind = "int" | "double" | "refused" | "long" | "corrupt";

function documentBytes(kind: Kind, c: number): Uint8Array {
  const parts = [element("_id", c)];
  if (kind === "refused") parts.push(element("r", new BSONRegExp("x", "")));
  if (kind === "long") parts.push(element("pad", "p".repeat(300)));
  if (kind === "corrupt") {
    const bad = element("z", "abc");
    new DataView(bad.buffer, bad.byteOffset).setInt32(3, 0, true); // after the type byte and "z\0"
    parts.push(bad);
  }
  parts.push(element("c", kind === "double" ? new Double(c) : new Int32(c)));
  return documentOf(parts);
}

interface TestVisitor {
  /** Has a batch reader (else per document only). */
  batch: boolean;
  /** Its per-document function throws a DocumentProblem at the document whose `c` is this. */
  problemAt?: number;
  /** It stops the read (a plain error, as a budget stop) at this document, from its batch reader too. */
  stopAt?: number;
}

const layout = new FieldLayout({ c: true });
const C = layout.slot("c");

/** Reads `file` with `visitors` in `mode`: the log of (visitor, c) in call order, and the outcome (documents, or the error and its offset). */
async function scan(file: string, visitors: readonly TestVisitor[], mode: Mode, chunkSize: number): Promise<{ log: string[]; outcome: string; batchRows: number }> {
  // the log: the visitors' calls and the progress calls, in order
  const log: string[] = [];
  let batchRows = 0;
  const seen = (i: number, c: number, v: TestVisitor): void => {
    if (c === v.stopAt) throw new Error(`visitor ${i} stops at ${c}`);
    log.push(`${i}:${c}`);
  };
  const visits = visitors.map((v, i) => (doc: DocFields) => {
    const c = doc.numeric(C);
    if (c === v.problemAt) throw new DocumentProblem(`visitor ${i} refuses c ${c}`);
    seen(i, c, v);
  });
  const reads = visitors.map((v, i): BatchRead | undefined =>
    v.batch
      ? (batch: WalkedBatch, from: number, to: number) => {
          const heap = batch.arena.heap;
          const view = new DataView(heap.buffer);
          for (let row = from; row < to; row++) {
            const entry = row * batch.slots + C;
            if (heap[batch.typesAt + entry] !== 16) return row; // not an int32: JavaScript's
            const c = view.getInt32(batch.base + view.getInt32(batch.startsAt + entry * 4, true), true);
            if (c === v.problemAt) return row; // what JavaScript refuses is never vouched for
            seen(i, c, v);
            batchRows++;
          }
          return to;
        }
      : undefined,
  );
  const before = process.env[SCANNER_ENV];
  process.env[SCANNER_ENV] = mode === "js" ? "js" : "wasm";
  batchPass.enabled = mode === "batch";
  try {
    const onFrame = fieldsFrameVisitor(file, new DocFields(layout), visitEach(visits), batchEach(visits, reads));
    const onProgress = (p: ScanProgress) => void log.push(`progress ${p.bytes} ${p.documents} ${p.fileBytes} ${p.done}`);
    const stats = await scanBsonFrames(file, onFrame, { reuseBuffers: true, chunkSize, onProgress });
    return { log, outcome: `${stats.documents} documents, ${stats.bytes} bytes`, batchRows };
  } catch (e) {
    const at = e instanceof DumpReadError ? ` at offset ${e.offset}` : "";
    return { log, outcome: `${(e as Error).name}: ${(e as Error).message}${at}`, batchRows };
  } finally {
    batchPass.enabled = true;
    if (before === undefined) delete process.env[SCANNER_ENV];
    else process.env[SCANNER_ENV] = before;
  }
}

async function writeDocs(name: string, kinds: readonly Kind[], tail: Uint8Array = new Uint8Array(0)): Promise<string> {
  const file = join(work, name);
  await writeFile(file, concat([...kinds.map((k, c) => documentBytes(k, c)), tail]));
  return file;
}

/** The three modes' results, asserted equal; the batch mode's. */
async function sameInEveryMode(file: string, visitors: readonly TestVisitor[], chunkSize: number): Promise<{ log: string[]; outcome: string; batchRows: number }> {
  const batch = await scan(file, visitors, "batch", chunkSize);
  const perDocument = await scan(file, visitors, "per-document", chunkSize);
  const js = await scan(file, visitors, "js", chunkSize);
  expect(perDocument.batchRows).toBe(0);
  expect(batch.log).toEqual(perDocument.log);
  expect(batch.outcome).toBe(perDocument.outcome);
  expect(js.log).toEqual(perDocument.log);
  expect(js.outcome).toBe(perDocument.outcome);
  return batch;
}

const built = (() => {
  const before = process.env[SCANNER_ENV];
  delete process.env[SCANNER_ENV];
  const wasm = scannerChoice().scanner === "wasm";
  if (before !== undefined) process.env[SCANNER_ENV] = before;
  return wasm;
})();

describe.skipIf(!built)("the batch pass", () => {
  const kinds: Kind[] = Array.from({ length: 600 }, (_, i) => (i % 97 === 5 ? "refused" : i % 41 === 7 ? "double" : i % 13 === 0 ? "long" : "int"));

  it("hands the wasm-walked documents to the batch readers in batches, and the rest to the per-document functions, in file order", async () => {
    const file = await writeDocs("mixed.bson", kinds);
    const walked = nativeCounts.walked;
    const one = await sameInEveryMode(file, [{ batch: true }], 1 << 20);
    expect(one.outcome).toBe(`600 documents, ${concat(kinds.map((k, c) => documentBytes(k, c))).length} bytes`);
    expect(one.log).toEqual([...kinds.map((_, c) => `0:${c}`), `progress ${one.outcome.split(" ")[2]} 600 ${one.outcome.split(" ")[2]} true`]);
    // the batch reader did every int32 document the walker walked (not the doubles, not the refused)
    expect(one.batchRows).toBe(kinds.filter((k) => k === "int" || k === "long").length);
    expect(nativeCounts.walked - walked).toBeGreaterThanOrEqual(600 - 7);
    const mixed = await sameInEveryMode(file, [{ batch: false }, { batch: true }, { batch: true }], 1 << 20);
    expect(mixed.log.slice(0, 6)).toEqual(["0:0", "1:0", "2:0", "0:1", "1:1", "2:1"]);
    expect(mixed.batchRows).toBe(2 * one.batchRows);
  });

  it("a visitor's error in a batch's middle names that document; of two visitors, the earlier document, then the earlier visitor", async () => {
    const file = await writeDocs("errors.bson", kinds);
    // 130 is a double: the batch reader leaves it to JavaScript, which refuses it
    const problem = await sameInEveryMode(file, [{ batch: true, problemAt: 130 }], 1 << 20);
    expect(problem.outcome).toMatch(/^DumpReadError: .*document 130 at byte \d+: visitor 0 refuses c 130 at offset \d+$/);
    // a stop of the batch reader itself (131: an int32 document it does)
    const stop = await sameInEveryMode(file, [{ batch: true, stopAt: 131 }], 1 << 20);
    expect(stop.outcome).toBe("Error: visitor 0 stops at 131");
    expect(stop.log.at(-1)).toBe("0:130");
    const two = await sameInEveryMode(file, [{ batch: true, stopAt: 300 }, { batch: false, problemAt: 200 }], 1 << 20);
    expect(two.outcome).toMatch(/visitor 1 refuses c 200/);
    const sameRow = await sameInEveryMode(file, [{ batch: false, problemAt: 250 }, { batch: true, stopAt: 250 }, { batch: true, stopAt: 100 }], 1 << 20);
    expect(sameRow.outcome).toBe("Error: visitor 2 stops at 100");
    expect(sameRow.log.at(-1)).toBe("1:100");
    const first = await sameInEveryMode(file, [{ batch: true, stopAt: 250 }, { batch: false, problemAt: 250 }], 1 << 20);
    expect(first.outcome).toBe("Error: visitor 0 stops at 250");
  });

  it("a corrupt document the walker refuses in a batch's middle is the JavaScript walk's error, at its offset", async () => {
    const file = await writeDocs("corrupt.bson", kinds.map((k, i) => (i === 222 ? "corrupt" : k)));
    const r = await sameInEveryMode(file, [{ batch: true }], 1 << 20);
    expect(r.outcome).toMatch(/^DumpReadError: .*corrupt document at byte (\d+) .*bad string length.* at offset \1$/);
    expect(r.log.filter((l) => !l.startsWith("progress")).at(-1)).toBe("0:221");
  });

  it("documents cut by chunk boundaries, a document the walker refuses and a corrupt tail give the per-document pass's results", async () => {
    const file = await writeDocs("tail.bson", kinds.slice(0, 200), new Uint8Array([40, 0, 0, 0, 1, 2]));
    for (const chunkSize of [7, 64, 333, 1000, 4096]) {
      const r = await sameInEveryMode(file, [{ batch: true }, { batch: false }], chunkSize);
      expect(r.outcome).toMatch(/^DumpReadError: .*truncated document/);
      expect(r.log.filter((l) => !l.startsWith("progress")).length).toBe(400);
    }
  });

  it(`gives the per-document pass's calls and outcome for random files, visitors, batch and chunk sizes (seed ${SEED})`, async () => {
    console.log(`batch pass property: fast-check seed ${SEED}`);
    let n = 0;
    let batched = 0;
    const kind = fc.oneof({ arbitrary: fc.constantFrom<Kind>("int", "int", "int", "int", "double", "refused", "long"), weight: 400 }, { arbitrary: fc.constant<Kind>("corrupt"), weight: 1 });
    const rarely = fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: fc.nat({ max: 400 }), weight: 1 });
    const visitor = fc.record({ batch: fc.boolean(), problemAt: rarely, stopAt: rarely });
    const chunkSize = fc.oneof(fc.integer({ min: 5, max: 600 }), fc.integer({ min: 600, max: 1 << 16 }));
    await fc.assert(
      fc.asyncProperty(fc.array(kind, { maxLength: 400, size: "max" }), fc.array(visitor, { minLength: 1, maxLength: 4 }), chunkSize, async (docs, visitors, chunkSize) => {
        const file = await writeDocs(`p${n++}.bson`, docs);
        batched += (await sameInEveryMode(file, visitors, chunkSize)).batchRows;
      }),
      { seed: SEED, numRuns: 60 },
    );
    expect(batched).toBeGreaterThan(1000);
  }, 300_000);
});
