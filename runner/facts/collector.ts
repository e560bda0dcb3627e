// How a fact is computed from a dump: which collections it reads, which fields of
// their documents, and a visitor that folds documents into the fact's value.
// The dump source runs one pass per collection for all collectors that read it; each
// document reaches the visitors as a DocFields (runner/sources/dump/bson-fields.ts): the
// positions of the selected fields, decoded only as far as a visitor reads them.
import type { DocFields, FieldLayout, FieldSelection } from "../sources/dump/bson-fields.ts";
import type { BatchVisit } from "../sources/dump/bson-file-scanner.ts";
import type { WalkedBatch } from "../sources/dump/bson-walk-native.ts";
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
 * a plain .bson file, it walks the documents of each chunk in batches (up to 256 documents,
 * their fields' positions in wasm memory: WalkedBatch in runner/sources/dump/bson-walk-native.ts)
 * and hands each batch to the read's visitors in ONE call (the batch pass, batchEach below).
 * A visitor may then offer, besides `reader`, a `batchReader`: a function of (batch, from, to)
 * that does the rows [from, to) of the batch it vouches for, in order, and returns the first
 * row it did not do (`to`: all). A batch reader typically calls its kernel (an export of the
 * module, native/*.c) on the batch's rows; the kernel computes each row's result into its
 * own output arrays (tables in `batch.arena.allocate`d space) and stops at the first row it
 * cannot vouch for (anything rare, new or erroneous), and the batch reader folds the results
 * in a tight loop. At a row it did not do, the pass points the read's DocFields at that row
 * (no walk again: `doc.batch` is the batch, `doc.row` the row) and calls the visitor's
 * per-document function, which reads it with its JavaScript code (the same results and
 * errors) and tells the kernel what that taught (a new string id, a cached offset); then the
 * batch reader resumes at the next row. Visitors without a batch reader get their
 * per-document function at every row. The rules that keep results and errors those of the
 * per-document pass:
 *   - every visitor sees every document once, in file order, within its own state;
 *   - a batch reader never throws for a row it vouches for, and grows no memory meter
 *     there that its per-document function would not (the same budget stop);
 *   - with one visitor, its batch reader runs over the whole batch; with several, the pass
 *     goes row by row in visitor order (a batch reader asked for [row, row + 1)), so the
 *     first error, and the budget's stop, is the same (document, fact) as per document,
 *     and a visitor that reads another's kernel outputs (ScopeApps.place reads rawEvents')
 *     never runs past the rows that kernel computed;
 *   - `batchReader` is called right after `reader` for the same read, once every visitor of
 *     the read has its reader (it may share that reader's state, and see who listens).
 * With the JavaScript scanner (.gz, in-memory documents, `--jobs` workers,
 * COUNTLY_CHECK_SCANNER=js), and for documents the walker does not vouch for or that a chunk
 * boundary cuts, every document reaches the per-document functions one by one, `doc.batch`
 * null. A per-document function seeing `doc.batch` not null may also use its kernel itself
 * (raw-events-kernel.ts: RawEventsKernel.vouches).
 */
export interface DumpVisitor<V> {
  /**
   * Called once per collection read, with the layout of all the fields read from it
   * (resolve slots here, not per document): the function to call per document.
   */
  reader(layout: FieldLayout, from: CollectionRef): (doc: DocFields) => void;
  /** The batch form of this read's reader (see "Batch kernels" above), or undefined (per document only). */
  batchReader?(layout: FieldLayout, from: CollectionRef): BatchRead | undefined;
  finish(): V;
}

/** Does the rows [from, to) of `batch` it vouches for, in order; returns the first row it did not do (`to`: all). */
export type BatchRead = (batch: WalkedBatch, from: number, to: number) => number;

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

/**
 * The batch pass of a read's visitors ("Batch kernels" above): `visits` their per-document
 * functions, `reads` their batch readers (undefined: none), in visitor order.
 */
export function batchEach(visits: readonly DocVisit[], reads: readonly (BatchRead | undefined)[]): BatchVisit {
  if (visits.length === 1 && reads[0] !== undefined) {
    const visit = visits[0]!;
    const read = reads[0];
    return (batch, count, at) => {
      for (let row = read(batch, 0, count); row < count; row = read(batch, row + 1, count)) visit(at(row));
    };
  }
  if (reads.every((r) => r === undefined)) {
    const all = visitEach(visits);
    return (_batch, count, at) => {
      for (let row = 0; row < count; row++) all(at(row));
    };
  }
  // row by row, in visitor order: the per-document pass's order of errors and of growth
  const n = visits.length;
  return (batch, count, at) => {
    for (let row = 0; row < count; row++) {
      let doc: DocFields | undefined;
      for (let i = 0; i < n; i++) {
        const read = reads[i];
        if (read !== undefined && read(batch, row, row + 1) > row) continue;
        visits[i]!((doc ??= at(row)));
      }
    }
  };
}
