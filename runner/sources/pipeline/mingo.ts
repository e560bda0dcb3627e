// The in-memory aggregation engine for sources without a server (dumps, generated
// fixtures): mingo, with every operator module it ships registered in one context, plus
// ObjectId-aware conversions ($toString, $toDate, $convert, and $toObjectId, which mingo
// lacks) so pipelines written for MongoDB behave the same on Countly's ObjectId `_id`s.
//
// What mingo 7 does not implement (so a pipeline using it only runs on MongoDB):
// `unsupportedOperators` finds it before any data is read.
import { ObjectId } from "bson";
import { Aggregator } from "mingo/aggregator";
import { Context, evalExpr, ProcessingMode } from "mingo/core";
import * as accumulatorOperators from "mingo/operators/accumulator";
import * as expressionOperators from "mingo/operators/expression";
import * as pipelineOperators from "mingo/operators/pipeline";
import * as projectionOperators from "mingo/operators/projection";
import * as queryOperators from "mingo/operators/query";
import * as windowOperators from "mingo/operators/window";
import { Query } from "mingo/query";
import type { Options } from "mingo/types";
import { isValidTimezone, utcOffsetMs } from "../../../countly/time.ts";

type InitOps = NonNullable<Parameters<typeof Context.init>[0]>;
type ExprOp = (obj: unknown, expr: unknown, options: Options) => unknown;
export type Doc = Record<string, unknown>;

/** The `$name` exports of an operator module (CJS interop adds `default`). */
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

const $toString: ExprOp = (obj, expr, options) => {
  const val = evalExpr(obj, expr, options);
  if (isObjectId(val)) return val.toHexString();
  return base$toString(obj, { $literal: val }, options);
};

const $toDate: ExprOp = (obj, expr, options) => {
  const val = evalExpr(obj, expr, options);
  if (isObjectId(val)) return val.getTimestamp();
  return base$toDate(obj, { $literal: val }, options);
};

const $toObjectId: ExprOp = (obj, expr, options) => {
  const val = evalExpr(obj, expr, options);
  if (val === null || val === undefined) return null;
  if (isObjectId(val)) return val;
  if (typeof val === "string" && /^[0-9a-fA-F]{24}$/.test(val)) return new ObjectId(val);
  throw new Error(`Failed to parse objectId '${String(val)}' in $convert with no onError value`);
};

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

// --- time zones ----------------------------------------------------------------
// mingo 7 takes only `Area/City` names (not "UTC", "Etc/GMT+5" or
// "America/Argentina/Buenos_Aires"), computes their offset by re-parsing locale strings
// in the host's own zone, and gives $dateFromParts/$dateFromString today's offset
// whatever the date. Countly buckets by each app's IANA zone, so date operators get the
// zone's exact offset at the instant in question, as a fixed "+hh:mm" mingo handles.

function isZoneName(tz: unknown): tz is string {
  return typeof tz === "string" && !/^[+-]/.test(tz) && isValidTimezone(tz);
}

function offsetText(ms: number): string {
  const minutes = Math.round(ms / 60000);
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function instantOf(v: unknown): Date | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v;
  if (isObjectId(v)) return v.getTimestamp();
  return undefined;
}

/** An operator reading `spec[dateKey]` in `spec.timezone`, given the zone's offset at that instant. */
function atInstant(name: string, dateKey = "date"): ExprOp {
  const base = baseExpr[name as `$${string}`]!;
  return (obj, expr, options) => {
    if (!expr || typeof expr !== "object" || Array.isArray(expr) || !("timezone" in expr)) return base(obj, expr, options);
    const spec = expr as Record<string, unknown>;
    const tz = evalExpr(obj, spec.timezone, options);
    if (!isZoneName(tz)) return base(obj, expr, options);
    const value = evalExpr(obj, spec[dateKey], options);
    const at = instantOf(value);
    return base(obj, { ...spec, [dateKey]: { $literal: value }, timezone: offsetText(at ? utcOffsetMs(tz, at.getTime()) : 0) }, options);
  };
}

/** An operator building an instant from local wall-clock parts: built as UTC, then moved by the zone's offset at that instant. */
function fromLocalParts(name: string): ExprOp {
  const base = baseExpr[name as `$${string}`]!;
  return (obj, expr, options) => {
    if (!expr || typeof expr !== "object" || Array.isArray(expr) || !("timezone" in expr)) return base(obj, expr, options);
    const spec = expr as Record<string, unknown>;
    const tz = evalExpr(obj, spec.timezone, options);
    if (!isZoneName(tz)) return base(obj, expr, options);
    const wall = base(obj, { ...spec, timezone: "+00:00" }, options);
    if (!(wall instanceof Date)) return wall;
    const w = wall.getTime();
    let t = w - utcOffsetMs(tz, w);
    t = w - utcOffsetMs(tz, t);
    return new Date(t);
  };
}

/** Date operators with exact IANA time zones (also used by the test MongoDB double). */
export const DATE_OPERATORS: Record<string, ExprOp> = {
  ...Object.fromEntries(
    ["$dateToString", "$dateToParts", "$dateTrunc", "$year", "$month", "$dayOfMonth", "$dayOfWeek", "$dayOfYear", "$hour", "$minute", "$second", "$millisecond", "$week", "$isoWeek", "$isoWeekYear", "$isoDayOfWeek"].map((n) => [n, atInstant(n)]),
  ),
  $dateAdd: atInstant("$dateAdd", "startDate"),
  $dateSubtract: atInstant("$dateSubtract", "startDate"),
  $dateDiff: atInstant("$dateDiff", "startDate"),
  $dateFromParts: fromLocalParts("$dateFromParts"),
  $dateFromString: fromLocalParts("$dateFromString"),
};

const OPERATORS = {
  accumulator: ops(accumulatorOperators),
  expression: { ...baseExpr, ...DATE_OPERATORS, $toString, $toDate, $toObjectId, $convert },
  pipeline: ops(pipelineOperators),
  projection: ops(projectionOperators),
  query: ops(queryOperators),
  window: ops(windowOperators),
};

/** The mingo context every in-memory pipeline runs in (the test MongoDB double uses it too). */
export const CONTEXT = Context.init(OPERATORS as unknown as InitOps);

/** Every operator name mingo knows, of any kind (mingo also evaluates accumulators such as `$sum` as expressions). */
const KNOWN = new Set<string>(Object.values(OPERATORS).flatMap((group) => Object.keys(group)));
/** `$`-keys that are arguments of an operator rather than operators. */
const ARGUMENT_KEYS = new Set(["$options"]);

/**
 * Operators (stages, expressions, query and accumulator operators) of `pipeline` that the
 * in-memory engine does not implement, with where they are, e.g. `$geoNear (stage 1)`.
 * `$literal` arguments are not looked into.
 */
export function unsupportedOperators(pipeline: readonly Doc[]): string[] {
  const found = new Map<string, string>();
  const walk = (value: unknown, where: string): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, where);
      return;
    }
    if (!isPlainObject(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith("$") && !KNOWN.has(k) && !ARGUMENT_KEYS.has(k)) {
        // Its arguments ($text's $search, $near's $maxDistance...) are not operators of their own.
        if (!found.has(k)) found.set(k, where);
        continue;
      }
      if (k === "$literal") continue;
      walk(v, where);
    }
  };
  pipeline.forEach((stage, i) => walk(stage, `stage ${i + 1}`));
  return [...found].map(([op, where]) => `${op} (${where})`);
}

/** Operators that run JavaScript: MongoDB runs them on the server; the in-memory engine never does. */
export const JAVASCRIPT_OPERATORS: ReadonlySet<string> = new Set(["$where", "$function", "$accumulator"]);

/** The JavaScript operators of `pipeline` with where they are, e.g. `$where (stage 1)` (`$literal` arguments are data). */
export function javascriptOperators(pipeline: readonly Doc[]): string[] {
  const found = new Map<string, string>();
  const walk = (value: unknown, where: string): void => {
    if (Array.isArray(value)) return value.forEach((v) => walk(v, where));
    if (!isPlainObject(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (JAVASCRIPT_OPERATORS.has(k) && !found.has(k)) found.set(k, where);
      if (k !== "$literal") walk(v, where);
    }
  };
  pipeline.forEach((stage, i) => walk(stage, `stage ${i + 1}`));
  return [...found].map(([op, where]) => `${op} (${where})`);
}

/** Collections a pipeline reads besides its own ($lookup, $graphLookup, $unionWith), in the same database. */
export function referencedCollections(pipeline: readonly Doc[]): string[] {
  const out = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
      return;
    }
    if (!isPlainObject(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (k === "$literal") continue;
      if ((k === "$lookup" || k === "$graphLookup") && isPlainObject(v) && typeof v.from === "string") out.add(v.from);
      if (k === "$unionWith") {
        if (typeof v === "string") out.add(v);
        else if (isPlainObject(v) && typeof v.coll === "string") out.add(v.coll);
      }
      walk(v);
    }
  };
  walk(pipeline);
  return [...out];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Stages that turn one document into zero or more documents on their own, so they can run while a collection streams by. */
const PER_DOCUMENT_STAGES = new Set(["$match", "$project", "$addFields", "$set", "$unset", "$replaceRoot", "$replaceWith", "$redact", "$unwind"]);

function stageName(stage: Doc): string {
  return Object.keys(stage)[0] ?? "";
}

/** The pipeline held more documents than allowed (`max_documents`). */
export class PipelineLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PipelineLimitError";
  }
}

export interface StreamingOptions {
  /** Documents held for the stages after the streamed prefix; more throws PipelineLimitError. */
  maxDocuments: number;
  /** Documents handed in are shared (fixtures) and must not be changed. */
  cloneInput: boolean;
  /** `$lookup` / `$graphLookup` / `$unionWith` collections of the same database. */
  collections?: (name: string) => Doc[];
}

/**
 * Runs a pipeline over documents pushed one at a time by a synchronous scanner.
 *
 * The leading `$match` stages are applied to each document as it arrives (compiled
 * mingo queries), then the following per-document stages ($project, $addFields/$set,
 * $unset, $replaceRoot/$replaceWith, $redact, $unwind and further $match); only what
 * survives them is held in memory, and the rest of the pipeline ($group, $sort, ...)
 * runs over it at the end. Memory is therefore bounded by what the streamed prefix
 * keeps, which `maxDocuments` caps.
 */
export class StreamingPipeline {
  private readonly filters: Query[] = [];
  private readonly perDocument?: Aggregator;
  private readonly rest?: Aggregator;
  private readonly held: Doc[] = [];
  private readonly options: StreamingOptions;

  constructor(pipeline: readonly Doc[], options: StreamingOptions) {
    this.options = options;
    // scriptEnabled off: mingo would run $where/$function/$accumulator given JavaScript functions; a scenario's JavaScript never runs here.
    const base: Partial<Options> = { context: CONTEXT, scriptEnabled: false, ...(options.collections ? { collectionResolver: options.collections } : {}) };
    let i = 0;
    for (; i < pipeline.length && stageName(pipeline[i]!) === "$match"; i++) {
      this.filters.push(new Query(pipeline[i]!.$match as Record<string, unknown>, { ...base, processingMode: ProcessingMode.CLONE_OFF }));
    }
    const streamedFrom = i;
    while (i < pipeline.length && PER_DOCUMENT_STAGES.has(stageName(pipeline[i]!))) i++;
    if (i > streamedFrom) {
      const mode = options.cloneInput ? ProcessingMode.CLONE_INPUT : ProcessingMode.CLONE_OFF;
      this.perDocument = new Aggregator(pipeline.slice(streamedFrom, i) as Record<string, unknown>[], { ...base, processingMode: mode });
    }
    if (i < pipeline.length) {
      // Documents held are copies when per-document stages ran; otherwise they may be shared.
      const mode = options.cloneInput && !this.perDocument ? ProcessingMode.CLONE_INPUT : ProcessingMode.CLONE_OFF;
      this.rest = new Aggregator(pipeline.slice(i) as Record<string, unknown>[], { ...base, processingMode: mode });
    }
  }

  /** Feeds one document of the collection (synchronously, as the scanner calls). */
  push(doc: Doc): void {
    for (const f of this.filters) if (!f.test(doc)) return;
    if (this.perDocument) {
      for (const out of this.perDocument.run<Doc>([doc])) this.hold(out);
    } else this.hold(this.options.cloneInput && !this.rest ? structuredCloneDoc(doc) : doc);
  }

  private hold(doc: Doc): void {
    if (this.held.length >= this.options.maxDocuments) {
      throw new PipelineLimitError(
        `more than ${this.options.maxDocuments} documents left after the streamed leading stages, which the in-memory engine would have to hold at once; narrow the leading $match (or the scenario's period), or raise max_documents`,
      );
    }
    this.held.push(doc);
  }

  /** The pipeline's result. */
  finish(): Doc[] {
    return this.rest ? this.rest.run<Doc>(this.held) : this.held;
  }
}

/** Copies plain objects and arrays, keeping bson values (ObjectId, Date...) as they are. */
function structuredCloneDoc(doc: Doc): Doc {
  const copy = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(copy);
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = copy(x);
      return out;
    }
    return v;
  };
  return copy(doc) as Doc;
}
