/**
 * Query / aggregation execution through mingo.
 *
 * mingo@7 has no `mingo/init/system`: the default entry point (`import { find } from "mingo"`)
 * registers every operator in a context of its own, but operators in that context cannot be
 * overridden (contexts merge "first wins"). We build our own context from the operator
 * modules (`mingo/operators/*`) and run the base `Query` / `Aggregator` classes with it, so
 * that ObjectId-aware versions of a few conversion operators can replace mingo's.
 */
import { ObjectId } from "bson";
import type { Document } from "bson";
import { Aggregator } from "mingo/aggregator";
import { Context, ProcessingMode, evalExpr } from "mingo/core";
import * as accumulatorOperators from "mingo/operators/accumulator";
import * as expressionOperators from "mingo/operators/expression";
import * as pipelineOperators from "mingo/operators/pipeline";
import * as projectionOperators from "mingo/operators/projection";
import * as queryOperators from "mingo/operators/query";
import * as windowOperators from "mingo/operators/window";
import { Query } from "mingo/query";
import type { CollationSpec, Options } from "mingo/types";
import { isEqual } from "mingo/util";
import { DATE_OPERATORS } from "../../../runner/sources/pipeline/mingo.ts";
import { cloneValue } from "./values.ts";

type InitOps = NonNullable<Parameters<typeof Context.init>[0]>;
type ExprOp = (obj: unknown, expr: unknown, options: Options) => unknown;

/** Keeps only the `$name` exports of an operator module (CJS interop adds `default`). */
function ops<T = never>(mod: object): Record<`$${string}`, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(mod)) if (k.startsWith("$") && typeof v === "function") out[k] = v as T;
  return out;
}

const baseExpr = ops<ExprOp>(expressionOperators);
const base$toString = baseExpr.$toString!;
const base$toDate = baseExpr.$toDate!;
const base$convert = baseExpr.$convert!;

function isObjectId(v: unknown): v is ObjectId {
  return v instanceof ObjectId || (v as { _bsontype?: unknown } | null)?._bsontype === "ObjectId";
}

/** `$toString` that also converts ObjectId (to its hex string), as MongoDB does. */
const $toString: ExprOp = (obj, expr, options) => {
  const val = evalExpr(obj, expr, options);
  if (isObjectId(val)) return val.toHexString();
  return base$toString(obj, { $literal: val }, options);
};

/** `$toDate` that also converts ObjectId (to its timestamp), as MongoDB does. */
const $toDate: ExprOp = (obj, expr, options) => {
  const val = evalExpr(obj, expr, options);
  if (isObjectId(val)) return val.getTimestamp();
  return base$toDate(obj, { $literal: val }, options);
};

/** `$toObjectId` (missing from mingo). */
const $toObjectId: ExprOp = (obj, expr, options) => {
  const val = evalExpr(obj, expr, options);
  if (val === null || val === undefined) return null;
  if (isObjectId(val)) return val;
  if (typeof val === "string" && /^[0-9a-fA-F]{24}$/.test(val)) return new ObjectId(val);
  throw new Error(`Failed to parse objectId '${String(val)}' in $convert with no onError value`);
};

/** `$convert` routing ObjectId inputs and `to: "objectId"` to the operators above. */
const $convert: ExprOp = (obj, expr, options) => {
  const spec = expr as Record<string, unknown> | null;
  if (spec && typeof spec === "object" && "input" in spec && "to" in spec) {
    const to = evalExpr(obj, spec.to, options);
    const input = evalExpr(obj, spec.input, options);
    const target =
      to === "objectId" || to === 7 ? $toObjectId
      : isObjectId(input) && (to === "string" || to === 2) ? $toString
      : isObjectId(input) && (to === "date" || to === 9) ? $toDate
      : undefined;
    if (target && input !== null && input !== undefined) {
      try {
        return target(obj, { $literal: input }, options);
      } catch (e) {
        if (spec.onError === undefined) throw e;
        return evalExpr(obj, spec.onError, options);
      }
    }
  }
  return base$convert(obj, expr, options);
};

export const CONTEXT = Context.init({
  accumulator: ops(accumulatorOperators),
  // Date operators with exact IANA time zones, as MongoDB has them (mingo's own take only "Area/City" names).
  expression: { ...baseExpr, ...DATE_OPERATORS, $toString, $toDate, $toObjectId, $convert } as unknown as InitOps["expression"],
  pipeline: ops(pipelineOperators),
  projection: ops(projectionOperators),
  query: ops(queryOperators),
  window: ops(windowOperators),
});

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
