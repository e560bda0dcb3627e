// One shared pass, several consumers, with the batch pass: the first consumer with a batcher
// takes each walked batch, the others (raw frames, another reader) get the same documents
// one by one from its bounds; a consumer's error detaches it alone, in the batch's middle
// too, and the others still get every document, as in the per-document pass.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Int32 } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchEach } from "../../../../runner/facts/collector.ts";
import { DocFields, DocumentProblem, FieldLayout } from "../../../../runner/sources/dump/bson-fields.ts";
import { batchPass, fieldsFrameVisitor, scanBsonFrames, type FrameVisitor } from "../../../../runner/sources/dump/bson-file-scanner.ts";
import { SCANNER_ENV, scannerChoice } from "../../../../runner/sources/dump/bson-walk-native.ts";
import { SharedPasses } from "../../../../runner/sources/dump/shared-passes.ts";
import { concat, documentOf, element } from "../../../support/bson-bytes.ts";

let work: string;
let file: string;
const DOCS = 1000;
const SIZE = documentOf([element("_id", 0), element("c", new Int32(0))]).length;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-shared-passes-"));
  file = join(work, "c.bson");
  await writeFile(file, concat(Array.from({ length: DOCS }, (_, i) => documentOf([element("_id", i), element("c", new Int32(i))]))));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const layout = new FieldLayout({ c: true });

/** A facts-like consumer: a DocFields reader (with the batch form) logging `c`, refusing the document whose `c` is `refuse`. */
function reader(log: number[], refuse = -1): FrameVisitor {
  const visit = (doc: DocFields) => {
    const c = doc.numeric(0);
    if (c === refuse) throw new DocumentProblem(`refuses ${c}`);
    log.push(c);
  };
  return fieldsFrameVisitor(file, new DocFields(layout), visit, batchEach([visit], [undefined]));
}

/** Runs one shared pass of `file` with the consumers; each one's outcome. */
async function pass(consumers: FrameVisitor[], batches: boolean): Promise<string[]> {
  const before = process.env[SCANNER_ENV];
  process.env[SCANNER_ENV] = "wasm";
  batchPass.enabled = batches;
  try {
    const passes = new SharedPasses((_ref, onFrame) => scanBsonFrames(file, onFrame, { reuseBuffers: true, chunkSize: 4096 }).then((s) => s.documents));
    const release = passes.gate(); // the reads are registered before the pass begins: one pass for all
    const ref = { db: "d", name: "c" };
    const reads = consumers.map((c) => passes.read(ref, () => c).then((n) => `${n} documents`, (e: Error) => e.message.slice(file.length + 2)));
    release();
    return await Promise.all(reads);
  } finally {
    batchPass.enabled = true;
    if (before === undefined) delete process.env[SCANNER_ENV];
    else process.env[SCANNER_ENV] = before;
  }
}

describe.skipIf(scannerChoice().scanner !== "wasm")("a shared pass with the batch pass", () => {
  it("gives every consumer the per-document pass's documents and errors, the lead's error in a batch's middle detaching it alone", async () => {
    for (const batches of [true, false]) {
      const raw: number[] = [];
      const rawFrames: FrameVisitor = (b, start, end, offset) => void raw.push(offset, end - start, b[end - 1]!);
      const [lead, second, third] = [[], [], []] as number[][];
      const before = batchPass.documents;
      const outcomes = await pass([reader(lead!, 130), rawFrames, reader(second!), reader(third!, 700)], batches);
      expect(outcomes, `batches ${batches}`).toEqual([`document 130 at byte ${130 * SIZE}: refuses 130`, `${DOCS} documents`, `${DOCS} documents`, `document 700 at byte ${700 * SIZE}: refuses 700`]);
      expect(lead).toEqual(Array.from({ length: 130 }, (_, i) => i));
      expect(second).toEqual(Array.from({ length: DOCS }, (_, i) => i));
      expect(third).toEqual(Array.from({ length: 700 }, (_, i) => i));
      expect(raw).toEqual(Array.from({ length: DOCS }, (_, i) => [i * SIZE, SIZE, 0]).flat());
      // with batches, the first reader led, then the second once the first was detached
      expect(batchPass.documents - before > DOCS - 200).toBe(batches);
    }
  });
});
