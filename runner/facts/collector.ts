// How a fact is computed from a dump: which collections it reads, which fields of
// their documents, and a visitor that folds documents into the fact's value.
// The dump source runs one pass per collection for all collectors that read it.
import type { FieldSelection } from "../sources/dump/bson-file-scanner.ts";
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

export interface DumpVisitor<V> {
  visit(doc: Record<string, unknown>, from: CollectionRef): void;
  finish(): V;
}

export interface DumpCollector<K extends FactName> {
  fact: K;
  collections(scope: FactScope, catalog: Catalog): CollectionRef[];
  /** Top-level fields the visitor reads; undefined = whole documents. */
  fields?: FieldSelection;
  start(scope: FactScope, catalog: Catalog): DumpVisitor<FactValues[K]>;
}

export function sameCollection(a: CollectionRef, b: CollectionRef): boolean {
  return a.db === b.db && a.name === b.name;
}

/**
 * Union of field selections; undefined (whole document) wins. A field stays "epoch-ms"
 * only if every selection naming it says so; with sub-keys or `true` elsewhere it is `true`.
 */
export function mergeFields(selections: readonly (FieldSelection | undefined)[]): FieldSelection | undefined {
  const out: Record<string, true | string[] | "epoch-ms"> = {};
  for (const sel of selections) {
    if (sel === undefined) return undefined;
    for (const [k, v] of Object.entries(sel)) {
      const prev = out[k];
      if (prev === undefined && v === "epoch-ms") out[k] = v;
      else if (prev === "epoch-ms" && v === "epoch-ms") continue;
      else if (prev === true || v === true || prev === "epoch-ms" || v === "epoch-ms") out[k] = true;
      else out[k] = [...new Set([...(prev ?? []), ...v])];
    }
  }
  return out;
}
