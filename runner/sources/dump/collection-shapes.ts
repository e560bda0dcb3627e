// What a document of each well-known Countly collection has, to tell a dump file that
// holds another collection's documents (aggregates saved as apps.bson, apps as
// drill_events.bson) from a real one, instead of reading it as "nothing to check".
// Lenient on purpose: a document passes with ANY of its collection's fields. The field
// names are Countly's (api/parts/data/, plugins/views/api/, plugins/sources/api/; see
// countly/layout.ts and /work/shared/countly-data-model.md).
import { open } from "node:fs/promises";
import { BSON } from "bson";
import { COLLECTIONS } from "../../../countly/layout.ts";
import { scanBsonFile } from "./bson-file-scanner.ts";

interface Shape {
  collection: string;
  /** A document of the collection has at least one of these. */
  anyOf: readonly string[];
}

const COUNTLY_SHAPES: readonly Shape[] = [
  { collection: COLLECTIONS.apps, anyOf: ["key", "name", "timezone", "created_at", "owner"] },
  { collection: COLLECTIONS.events, anyOf: ["list", "segments", "map", "omitted_segments", "order", "overview"] },
  { collection: COLLECTIONS.eventsData, anyOf: ["d", "meta_v2", "meta", "m"] },
  { collection: COLLECTIONS.viewData, anyOf: ["d", "vw", "meta_v2", "m"] },
  { collection: COLLECTIONS.viewsMeta, anyOf: ["view", "url", "a"] },
  { collection: COLLECTIONS.users, anyOf: ["d", "meta_v2", "meta", "m"] },
  { collection: COLLECTIONS.sources, anyOf: ["d", "meta_v2", "meta", "m"] },
];

const DRILL_SHAPES: readonly Shape[] = [{ collection: COLLECTIONS.drillEvents, anyOf: ["ts", "uid", "e", "cd"] }];

/** The shape a collection's documents must have, if we know it. */
export function shapeOf(database: "countly" | "drill", collection: string): Shape | undefined {
  return (database === "countly" ? COUNTLY_SHAPES : DRILL_SHAPES).find((s) => s.collection === collection);
}

/** Why `doc` cannot be a document of `shape.collection`, or undefined when it can. `which` names the document ("its first document", "its document at byte offset N"). */
export function shapeProblem(shape: Shape, doc: Record<string, unknown>, which = "its first document"): string | undefined {
  if (shape.anyOf.some((f) => f in doc)) return undefined;
  const fields = Object.keys(doc).slice(0, 8);
  const like = [...COUNTLY_SHAPES, ...DRILL_SHAPES].find((s) => s !== shape && strongMatch(s, doc));
  return (
    `${which} (_id ${JSON.stringify(String(doc._id).slice(0, 60))}) has none of the fields a document of ${shape.collection} has (${shape.anyOf.join(", ")}; it has ${fields.join(", ") || "no fields"})` +
    `${like ? `: it looks like a document of ${like.collection}` : ""}; is the file from another collection?`
  );
}

/** Two or more of a shape's fields: enough to name the collection a document looks like. */
function strongMatch(shape: Shape, doc: Record<string, unknown>): boolean {
  return shape.anyOf.filter((f) => f in doc).length >= 2;
}

/** Documents read from the start of a file. */
export const FIRST_DOCUMENTS = 100;
/** Places spread over an uncompressed file where one more document is read. */
export const SPREAD_SAMPLES = 4;
/** Bytes read at each of those places to find a document boundary. */
const SAMPLE_WINDOW = 512 * 1024;
const MAX_BSON = 16 * 1024 * 1024;

/**
 * Why the file cannot hold documents of its collection, or undefined: its first
 * FIRST_DOCUMENTS documents and, in an uncompressed `.bson`, one document near each of
 * SPREAD_SAMPLES places spread over the file must have the collection's shape (a file
 * can hold another collection's documents after a valid first one). Bounded: at most
 * FIRST_DOCUMENTS documents plus SPREAD_SAMPLES windows of SAMPLE_WINDOW bytes. A file
 * that cannot be read is left to the real read, which reports it with its offset.
 */
export async function sampledShapeProblem(shape: Shape, file: string): Promise<string | undefined> {
  const first: { doc: Record<string, unknown>; offset: number }[] = [];
  const stop = new Error("enough documents read");
  try {
    await scanBsonFile(
      file,
      (doc, offset) => {
        first.push({ doc, offset });
        if (first.length >= FIRST_DOCUMENTS) throw stop;
      },
      { chunkSize: 64 * 1024 },
    );
  } catch (e) {
    if (e !== stop) return undefined;
  }
  for (const [i, { doc, offset }] of first.entries()) {
    const problem = shapeProblem(shape, doc, i === 0 ? "its first document" : `its document ${i + 1} (byte offset ${offset})`);
    if (problem) return problem;
  }
  if (first.length < FIRST_DOCUMENTS || file.endsWith(".gz")) return undefined;
  for (const { doc, offset } of await spreadSamples(file)) {
    const problem = shapeProblem(shape, doc, `its document at byte offset ${offset}`);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * One document near each of SPREAD_SAMPLES places of an uncompressed file. A document
 * boundary is found by MongoDB's own layout: every stored document starts with `_id`
 * (the server moves it first on insert), so a boundary is a length in BSON's range, an
 * `_id` element right after it, a terminating 0 byte at its end, and there the file's end
 * or the next document's `_id` start. Places with no such boundary in the window are skipped.
 */
async function spreadSamples(file: string): Promise<{ doc: Record<string, unknown>; offset: number }[]> {
  const handle = await open(file, "r");
  try {
    const size = (await handle.stat()).size;
    const out: { doc: Record<string, unknown>; offset: number }[] = [];
    const buf = new Uint8Array(SAMPLE_WINDOW);
    for (let k = 1; k <= SPREAD_SAMPLES; k++) {
      const at = Math.floor((size * k) / (SPREAD_SAMPLES + 1));
      const { bytesRead } = await handle.read(buf, 0, SAMPLE_WINDOW, at);
      const found = documentIn(buf.subarray(0, bytesRead), at, size);
      if (found) out.push(found);
    }
    return out;
  } finally {
    await handle.close();
  }
}

function startsDocument(b: Uint8Array, p: number, limit: number): number | undefined {
  if (p + 9 > limit) return undefined;
  const len = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  if (len < 10 || len > MAX_BSON) return undefined;
  // type byte, then the key "_id\0"
  if (b[p + 5] !== 0x5f || b[p + 6] !== 0x69 || b[p + 7] !== 0x64 || b[p + 8] !== 0) return undefined;
  return len;
}

function documentIn(b: Uint8Array, base: number, fileSize: number): { doc: Record<string, unknown>; offset: number } | undefined {
  for (let p = 0; p + 9 <= b.length; p++) {
    const len = startsDocument(b, p, b.length);
    if (len === undefined || p + len > b.length || b[p + len - 1] !== 0) continue;
    const next = p + len;
    if (base + next !== fileSize && startsDocument(b, next, b.length) === undefined) continue;
    try {
      return { doc: BSON.deserialize(b.subarray(p, next)), offset: base + p };
    } catch {
      continue;
    }
  }
  return undefined;
}
