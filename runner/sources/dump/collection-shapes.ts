// What a document of each well-known Countly collection has, to tell a dump file that
// holds another collection's documents (aggregates saved as apps.bson, apps as
// drill_events.bson) from a real one, instead of reading it as "nothing to check".
// Lenient on purpose: a document passes with ANY of its collection's fields. The field
// names are Countly's (api/parts/data/, plugins/views/api/, plugins/sources/api/; see
// countly/layout.ts and /work/shared/countly-data-model.md).
import { COLLECTIONS } from "../../../countly/layout.ts";

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

/** Documents checked from the start of a file. */
export const FIRST_DOCUMENTS = 100;

/**
 * Whether the document at `index` (0-based, in file order) is checked: the first
 * FIRST_DOCUMENTS, then one at each doubling (200, 400, 800, …): spread over the whole file
 * and bounded (about 30 more for a billion documents), so a file holding another
 * collection's documents after a valid start is caught during the one read of the file.
 */
export function isSampled(index: number): boolean {
  if (index < FIRST_DOCUMENTS) return true;
  const n = index / FIRST_DOCUMENTS;
  return Number.isInteger(n) && (n & (n - 1)) === 0;
}

/** The index of the first sampled document at or after `index`. */
export function nextSampled(index: number): number {
  if (index < FIRST_DOCUMENTS) return index;
  let next = FIRST_DOCUMENTS;
  while (next < index) next *= 2;
  return next;
}

/** How a finding names the sampled document. */
export function sampleName(index: number, offset: number): string {
  return index === 0 ? "its first document" : `its document ${index + 1} (byte offset ${offset})`;
}
