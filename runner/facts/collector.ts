// How a fact is computed from a dump: which collections it reads, which fields of
// their documents, and a visitor that folds documents into the fact's value.
// The dump source runs one pass per collection for all collectors that read it; each
// document reaches the visitors as a DocFields (runner/sources/dump/bson-fields.ts): the
// positions of the selected fields, decoded only as far as a visitor reads them.
import type { DocFields, FieldLayout, FieldSelection } from "../sources/dump/bson-fields.ts";
import type { CollectionUuid, FactName, FactScope, FactValues } from "./types.ts";

export interface CollectionRef {
  db: string;
  name: string;
}

/** What a source knows before computing facts: collections and small metadata. */
export interface Catalog {
  /** database name -> collection names present. */
  collections: Record<string, string[]>;
  /** app id -> event keys of `countly.events.list` (to resolve legacy hashed names). */
  eventLists: Record<string, string[]>;
  /** `db.collection` -> its UUID, where the source learns it while opening (a dump's `<coll>.metadata.json`). */
  collectionUuids?: Record<string, CollectionUuid>;
}

/**
 * Batch kernels (the per-document work of a hot fact in wasm). When the wasm scanner walks
 * a plain .bson file, each document's `doc.batch` is the walker's batch holding it (up to
 * 256 documents already walked, their fields' positions in wasm memory: WalkedBatch in
 * runner/sources/dump/bson-walk-native.ts) and `doc.row` its row there; with the JavaScript
 * scanner (.gz, in-memory documents, `--jobs` workers, COUNTLY_CHECK_SCANNER=js) `doc.batch`
 * is null. A reader with a kernel (an export of the module, native/*.c) keeps its per-document
 * function and, in it:
 *   1. when `doc.batch` is not null and its `serial` is new, or `doc.row` is past the rows
 *      done, calls its kernel on the batch's rows from `doc.row` on; the kernel computes each
 *      row's result into its own output arrays (tables in `batch.arena.allocate`d space) and
 *      stops at the first row it cannot vouch for (anything rare, new or erroneous);
 *   2. uses the row's result when the kernel vouched for it, else reads the document with
 *      its JavaScript code (the same results and errors), then tells the kernel what that
 *      taught (a new string id, a cached offset) before it resumes at the next row.
 * The documents still reach every reader one by one and in order, so facts with and without
 * kernels share a pass, and errors name the same document. See raw-events-kernel.ts.
 */
export interface DumpVisitor<V> {
  /**
   * Called once per collection read, with the layout of all the fields read from it
   * (resolve slots here, not per document): the function to call per document (see
   * "Batch kernels" above for moving its work into wasm).
   */
  reader(layout: FieldLayout, from: CollectionRef): (doc: DocFields) => void;
  finish(): V;
}

/** For collectors of small collections: each document as an object of the selected fields (DocFields.record). */
export function recordVisitor<V>(visitor: { visit(doc: Record<string, unknown>, from: CollectionRef): void; finish(): V }): DumpVisitor<V> {
  return {
    reader: (_layout, from) => (doc) => visitor.visit(doc.record(), from),
    finish: () => visitor.finish(),
  };
}

export interface DumpCollector<K extends FactName> {
  fact: K;
  collections(scope: FactScope, catalog: Catalog): CollectionRef[];
  /** Top-level fields the visitor reads; undefined = whole documents (small collections only). */
  fields?: FieldSelection;
  start(scope: FactScope, catalog: Catalog): DumpVisitor<FactValues[K]>;
}

export function sameCollection(a: CollectionRef, b: CollectionRef): boolean {
  return a.db === b.db && a.name === b.name;
}

/** Union of field selections; undefined (whole document) wins. A field selected whole anywhere is read whole, else the union of its sub-keys. */
export function mergeFields(selections: readonly (FieldSelection | undefined)[]): FieldSelection | undefined {
  const out: Record<string, true | string[]> = {};
  for (const sel of selections) {
    if (sel === undefined) return undefined;
    for (const [k, v] of Object.entries(sel)) {
      const prev = out[k];
      if (prev === true || v === true) out[k] = true;
      else out[k] = [...new Set([...(prev ?? []), ...v])];
    }
  }
  return out;
}

type DocVisit = (doc: DocFields) => void;

/**
 * One function calling every visitor of a collection per document, in order. Up to eight
 * visitors get a call site each (a loop's one call site sees every visitor: the engine can
 * then neither inline nor call directly); more are chained eight at a time.
 */
export function visitEach(visits: readonly DocVisit[]): DocVisit {
  const [a, b, c, d, e, f, g, h] = visits;
  switch (visits.length) {
    case 0:
      return () => {};
    case 1:
      return a!;
    case 2:
      return (doc) => (a!(doc), b!(doc));
    case 3:
      return (doc) => (a!(doc), b!(doc), c!(doc));
    case 4:
      return (doc) => (a!(doc), b!(doc), c!(doc), d!(doc));
    case 5:
      return (doc) => (a!(doc), b!(doc), c!(doc), d!(doc), e!(doc));
    case 6:
      return (doc) => (a!(doc), b!(doc), c!(doc), d!(doc), e!(doc), f!(doc));
    case 7:
      return (doc) => (a!(doc), b!(doc), c!(doc), d!(doc), e!(doc), f!(doc), g!(doc));
    case 8:
      return (doc) => (a!(doc), b!(doc), c!(doc), d!(doc), e!(doc), f!(doc), g!(doc), h!(doc));
    default: {
      const first = visitEach(visits.slice(0, 8));
      const rest = visitEach(visits.slice(8));
      return (doc) => (first(doc), rest(doc));
    }
  }
}
