/**
 * Query / aggregation execution through mingo, in the same operator context the
 * checker's own in-memory engine uses (runner/sources/pipeline/mingo.ts: every mingo
 * operator module, ObjectId-aware conversions, exact IANA time zones).
 */
import type { Document } from "bson";
import { Aggregator } from "mingo/aggregator";
import { ProcessingMode } from "mingo/core";
import { Query } from "mingo/query";
import type { CollationSpec, Options } from "mingo/types";
import { isEqual } from "mingo/util";
import { CONTEXT } from "../../../runner/sources/pipeline/mingo.ts";
import { cloneValue } from "./values.ts";

export interface EngineOptions {
  /** Resolves `from` collections ($lookup, $unionWith, $graphLookup) in the same database. */
  collectionResolver?: (name: string) => Document[];
  collation?: CollationSpec;
  variables?: Record<string, unknown>;
}

function mingoOptions(o: EngineOptions = {}, processingMode = ProcessingMode.CLONE_OFF): Partial<Options> {
  return {
    context: CONTEXT,
    processingMode,
    ...(o.collectionResolver ? { collectionResolver: o.collectionResolver } : {}),
    ...(o.collation ? { collation: o.collation } : {}),
    ...(o.variables ? { variables: o.variables } : {}),
  };
}

export interface FindSpec {
  filter?: Document;
  projection?: Document;
  sort?: Document;
  skip?: number;
  /** 0 or absent: no limit. */
  limit?: number;
}

export function runFind(docs: Document[], spec: FindSpec, o?: EngineOptions): Document[] {
  let source = docs;
  let sort = spec.sort && Object.keys(spec.sort).length > 0 ? { ...spec.sort } : undefined;
  if (sort && "$natural" in sort) {
    if (Number(sort.$natural) < 0) source = [...docs].reverse();
    delete sort.$natural;
    if (Object.keys(sort).length === 0) sort = undefined;
  }
  const projection = spec.projection && Object.keys(spec.projection).length > 0 ? spec.projection : undefined;
  const query = new Query(spec.filter ?? {}, mingoOptions(o));
  let cursor = query.find<Document>(source, projection);
  if (sort) cursor = cursor.sort(sort);
  if (spec.skip) cursor = cursor.skip(spec.skip);
  if (spec.limit) cursor = cursor.limit(spec.limit);
  // Results may share structure with the stored documents: copy them.
  return cursor.all().map(cloneValue);
}

export function matches(doc: Document, filter: Document | undefined, o?: EngineOptions): boolean {
  if (!filter || Object.keys(filter).length === 0) return true;
  return new Query(filter, mingoOptions(o)).test(doc);
}

export function runAggregate(docs: Document[], pipeline: Document[], o?: EngineOptions): Document[] {
  // CLONE_INPUT: some stages modify documents in place; the stored ones must not change.
  return new Aggregator(pipeline, mingoOptions(o, ProcessingMode.CLONE_INPUT)).run<Document>(docs);
}

/** Values at a dotted path, descending into arrays like MongoDB's `distinct` does. */
function valuesAtPath(value: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(value) ? value : [value];
  if (Array.isArray(value)) {
    const [head] = path;
    if (head !== undefined && /^\d+$/.test(head) && Number(head) < value.length) {
      return valuesAtPath(value[Number(head)], path.slice(1));
    }
    return value.flatMap((v) => valuesAtPath(v, path));
  }
  if (value === null || typeof value !== "object") return [];
  const obj = value as Record<string, unknown>;
  const [head, ...rest] = path;
  if (head === undefined || !(head in obj)) return [];
  return valuesAtPath(obj[head], rest);
}

export function distinctValues(docs: Document[], key: string): unknown[] {
  const out: unknown[] = [];
  for (const doc of docs) {
    for (const v of valuesAtPath(doc, key.split("."))) {
      if (v === undefined) continue;
      if (!out.some((seen) => isEqual(seen, v))) out.push(v);
    }
  }
  return out;
}
