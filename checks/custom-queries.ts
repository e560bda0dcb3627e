// What the user-written check kinds (`pipeline`, `compare`) share: collection names,
// aggregation pipelines with placeholders, the period, option schemas, load-time
// validation, and turning returned documents into findings. Pure: no I/O.
import { ObjectId } from "bson";
import { dayOf, isDay, utcOffsetMs, type Period } from "../countly/time.ts";
import type { AppInfo } from "../runner/facts/types.ts";
import type { CheckFinding, JsonSchema, OptionIssue, QueryRequest, QueryScope } from "./types.ts";

export type Stage = Record<string, unknown>;
type Path = (string | number)[];

/** Placeholders available in `collection` and in pipeline strings, with what they stand for (the pipeline schema's description, hence docs/checks.md and scenario.schema.json). */
export const PLACEHOLDERS: Record<string, string> = {
  app_id: "the app's id (24 hex characters), e.g. in `countly.app_users{app_id}` or `a: \"{app_id}\"`",
  app_name: "the app's name",
  app_key: "the app's key",
  app_timezone: "the app's IANA time zone, for $dateToString/$dateFromParts",
  from_day: "first day of the period, YYYY-MM-DD (open: 1970-01-01)",
  to_day: "last day of the period, YYYY-MM-DD, inclusive (open: 9999-12-31)",
  from_ms: "start of the period in epoch milliseconds, from_day 00:00 in the app's time zone (UTC for checks not per app; open: 0)",
  to_ms: "end of the period in epoch milliseconds, exclusive: the day after to_day at 00:00 (open: 8640000000000000)",
  from_s: "from_ms in seconds (Countly's app_users `ls`/`fs` are seconds)",
  to_s: "to_ms in seconds, exclusive",
};

const OPEN_FROM_DAY = "1970-01-01";
const OPEN_TO_DAY = "9999-12-31";
/** The largest JavaScript date: a number and a valid date on both engines. */
const OPEN_TO_MS = 8_640_000_000_000_000;
const DAY_MS = 86_400_000;
const PLACEHOLDER = /\{([a-z][a-z0-9_]*)\}/g;

export const COLLECTION_SCHEMA: JsonSchema = {
  type: "string",
  minLength: 3,
  pattern: "^[^.$\\s]+\\.[^$]+$",
  description: "`database.collection`, e.g. `countly_drill.drill_events` or `countly.app_users{app_id}`. `countly` and `countly_drill` follow the source's database names.",
  examples: ["countly_drill.drill_events", "countly.events_data", "countly.app_users{app_id}"],
};

export const PIPELINE_SCHEMA: JsonSchema = {
  type: "array",
  items: { type: "object", description: "One stage: a mapping with a single `$stage` key." },
  description:
    "A MongoDB aggregation pipeline, read-only (`$out` and `$merge` are rejected). Strings may use the placeholders " +
    Object.entries(PLACEHOLDERS)
      .map(([p, what]) => `{${p}} (${what})`)
      .join(", ") +
    " (quote them in YAML); a string that is only a placeholder keeps its type (`\"{from_ms}\"` is a number). " +
    "`{ $oid: \"{app_id}\" }` is an ObjectId and `{ $date: \"{from_ms}\" }` a date. In expressions ($project, $group, $expr, …) a placeholder stands for its value: " +
    "an app named `$country` is wrapped in `$literal`, never read as the field `country`. " +
    "`$where`, `$function` and `$accumulator` run JavaScript, which only MongoDB runs: on a dump such a check cannot be evaluated. Runs on the server for MongoDB sources and in memory (mingo) for dumps, where the leading $match stages are applied while the collection streams by.",
};

export const PERIOD_FIELD_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["field"],
  description: "Limits the documents to the scenario's period by a time field: when the period has a start or an end, a `$match` on this field is put first (per app: the app's local days, [from_ms, to_ms)).",
  properties: {
    field: { type: "string", minLength: 1, description: "The field, e.g. `ts` (drill events), `cd`, `ls` (app_users)." },
    unit: { enum: ["ms", "s", "date"], default: "ms", description: "`ms`: epoch milliseconds (drill `ts`); `s`: epoch seconds (app_users `ls`); `date`: a BSON date (drill `cd`)." },
  },
};

export const PER_APP_SCHEMA: JsonSchema = {
  enum: ["auto", true, false],
  default: "auto",
  description: "One test case per app (`true`), one for the database (`false`), or per app when `{app_…}` placeholders are used (`auto`).",
};

export const MAX_FINDINGS_SCHEMA: JsonSchema = {
  type: "integer",
  minimum: 1,
  default: 100,
  description: "Findings kept per test case (all are counted).",
};

export const MAX_DOCUMENTS_SCHEMA: JsonSchema = {
  type: "integer",
  minimum: 1,
  default: 1_000_000,
  description:
    "Dumps only: the in-memory engine holds the documents left after the pipeline's streamed leading stages ($match, $project, $set, $unwind...) to run the rest; more than this is an error (narrow the leading $match). MongoDB runs pipelines on the server and ignores it.",
};

export interface PeriodField {
  field: string;
  unit?: "ms" | "s" | "date";
}

/** One query as the YAML gives it. */
export interface QueryOptions {
  collection: string;
  pipeline: Stage[];
  period_field?: PeriodField;
}

/** Values of the placeholders for one case. */
export function placeholderValues(scope: QueryScope): Record<string, string | number> {
  const app: AppInfo | undefined = scope.app;
  const tz = app?.timezone ?? "UTC";
  const { from, to } = scope.period;
  const fromMs = from ? startOfLocalDay(from, tz) : 0;
  const toMs = to ? startOfLocalDay(nextDay(to), tz) : OPEN_TO_MS;
  const values: Record<string, string | number> = {
    from_day: from ?? OPEN_FROM_DAY,
    to_day: to ?? OPEN_TO_DAY,
    from_ms: fromMs,
    to_ms: toMs,
    from_s: Math.floor(fromMs / 1000),
    to_s: Math.ceil(toMs / 1000),
  };
  if (app) Object.assign(values, { app_id: app.id, app_name: app.name, app_key: app.key ?? "", app_timezone: tz });
  return values;
}

/** 00:00 of a local day in `timezone`, in epoch ms (the first instant of the day when midnight is skipped by DST). */
export function startOfLocalDay(day: string, timezone: string): number {
  const wall = Date.parse(`${day}T00:00:00Z`);
  // Two guesses at the offset; they differ only when the offset changes near midnight. Of the
  // two, the earlier one that falls on the day: when DST skips midnight (America/Santiago
  // 2024-09-08, 00:00 -04 -> 01:00 -03) the second guess lands an hour before the day.
  const first = wall - utcOffsetMs(timezone, wall);
  const second = wall - utcOffsetMs(timezone, first);
  const onDay = [first, second].filter((t) => dayOf(timezone, t) === day);
  return onDay.length ? Math.min(...onDay) : second;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** Replaces placeholders in a string; a string that is exactly one placeholder takes the value's type. */
export function substituteText(text: string, values: Record<string, string | number>): string | number {
  const whole = /^\{([a-z][a-z0-9_]*)\}$/.exec(text);
  if (whole && whole[1]! in values) return values[whole[1]!]!;
  return text.replace(PLACEHOLDER, (m, name: string) => (name in values ? String(values[name]) : m));
}

/**
 * A pipeline (or any value of it) with placeholders filled and the two Extended JSON
 * forms MongoDB users write by hand turned into BSON values: `{ $oid: "<hex>" }` ->
 * ObjectId, `{ $date: "<ISO>" | <ms> }` -> Date. Throws on a malformed one.
 */
export function substitute(value: unknown, values: Record<string, string | number>, mode: SubstitutionMode = "query"): unknown {
  if (typeof value === "string") {
    const out = substituteText(value, values);
    // In an expression, "$x" is the field x: a value that makes the string start with "$" (an app named "$country") stays a value.
    return mode === "expression" && typeof out === "string" && out.startsWith("$") && !value.startsWith("$") ? { $literal: out } : out;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, values, mode));
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === "$oid") {
    const hex = substitute(obj.$oid, values);
    if (typeof hex !== "string" || !/^[0-9a-fA-F]{24}$/.test(hex)) throw new Error(`{ $oid: ${JSON.stringify(hex)} } is not an ObjectId (24 hex characters)`);
    return new ObjectId(hex);
  }
  if (keys.length === 1 && keys[0] === "$date") {
    const v = substitute(obj.$date, values);
    const d = typeof v === "number" ? new Date(v) : typeof v === "string" ? new Date(v) : undefined;
    if (!d || Number.isNaN(d.getTime())) throw new Error(`{ $date: ${JSON.stringify(v)} } is not a date (ISO 8601 text or epoch milliseconds)`);
    return d;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = k === "$literal" ? substitute(obj[k], values, "query") : substitute(obj[k], values, k === "$expr" ? "expression" : mode);
  return out;
}

/** Where a value sits: a query (`$match`: strings are values) or an expression (`$project`, `$group`, `$expr`, …: "$x" is a field path). */
export type SubstitutionMode = "query" | "expression";

// Stages whose body is a query, a path or a plain value rather than an expression.
const NON_EXPRESSION_STAGES = new Set(["$match", "$unwind", "$count", "$limit", "$skip", "$sort", "$sample", "$out", "$merge", "$geoNear", "$search", "$searchMeta", "$vectorSearch", "$indexStats", "$collStats", "$listSessions", "$currentOp", "$planCacheStats"]);

/**
 * `substitute` over a pipeline, stage by stage, so that a placeholder in an expression
 * position stands for a value (wrapped in `$literal` when its text would read as a field
 * path), while `$match` queries keep plain values. Sub-pipelines ($facet, $lookup,
 * $unionWith) are handled the same way.
 */
export function substitutePipeline(pipeline: unknown, values: Record<string, string | number>): unknown {
  if (!Array.isArray(pipeline)) return substitute(pipeline, values);
  return pipeline.map((stage) => {
    if (!stage || typeof stage !== "object" || Array.isArray(stage)) return substitute(stage, values);
    const out: Record<string, unknown> = {};
    for (const [op, body] of Object.entries(stage as Record<string, unknown>)) {
      if (op === "$facet" && body && typeof body === "object" && !Array.isArray(body)) {
        out[op] = Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, p]) => [k, substitutePipeline(p, values)]));
      } else if ((op === "$lookup" || op === "$unionWith" || op === "$graphLookup") && body && typeof body === "object" && !Array.isArray(body)) {
        const b = body as Record<string, unknown>;
        out[op] = Object.fromEntries(
          Object.entries(b).map(([k, v]) => [k, k === "pipeline" ? substitutePipeline(v, values) : substitute(v, values, k === "let" || k === "startWith" ? "expression" : "query")]),
        );
      } else out[op] = substitute(body, values, NON_EXPRESSION_STAGES.has(op) ? "query" : "expression");
    }
    return out;
  });
}

/** `db.collection` -> its parts (the collection may contain dots). */
export function splitCollection(text: string): { db: string; collection: string } {
  const dot = text.indexOf(".");
  return { db: text.slice(0, dot), collection: text.slice(dot + 1) };
}

/** The request the runner runs for one query of a case. */
export function buildQuery(id: string, q: QueryOptions, scope: QueryScope, limits: { keepRows: number; maxDocuments: number }): QueryRequest {
  const values = placeholderValues(scope);
  const { db, collection } = splitCollection(String(substituteText(q.collection, values)));
  const pipeline = substitutePipeline(q.pipeline, values) as Stage[];
  const period = periodMatch(q.period_field, scope.period, values);
  return { id, db, collection, pipeline: period ? [period, ...pipeline] : pipeline, keepRows: limits.keepRows, maxDocuments: limits.maxDocuments };
}

function periodMatch(field: PeriodField | undefined, period: Period, values: Record<string, string | number>): Stage | undefined {
  if (!field || (period.from === undefined && period.to === undefined)) return undefined;
  const unit = field.unit ?? "ms";
  const at = (ms: number) => (unit === "date" ? new Date(ms) : unit === "s" ? Math.floor(ms / 1000) : ms);
  const range: Record<string, unknown> = {};
  if (period.from !== undefined) range.$gte = at(values.from_ms as number);
  if (period.to !== undefined) range.$lt = at(values.to_ms as number);
  return { $match: { [field.field]: range } };
}

/** Whether a query names `{app_…}` placeholders (then `per_app: auto` means per app). */
export function usesAppPlaceholders(q: QueryOptions): boolean {
  let found = false;
  const scan = (v: unknown): void => {
    if (found) return;
    if (typeof v === "string") {
      for (const m of v.matchAll(PLACEHOLDER)) if (m[1]!.startsWith("app_")) found = true;
    } else if (Array.isArray(v)) v.forEach(scan);
    else if (v && typeof v === "object") Object.values(v).forEach(scan);
  };
  scan(q.collection);
  scan(q.pipeline);
  return found;
}

export function perAppOf(perApp: unknown, queries: readonly QueryOptions[]): boolean {
  if (perApp === true || perApp === false) return perApp;
  return queries.some(usesAppPlaceholders);
}

/** Every MongoDB aggregation stage (8.x), for "did you mean" on typos. */
export const MONGODB_STAGES = [
  "$addFields", "$bucket", "$bucketAuto", "$changeStream", "$changeStreamSplitLargeEvent", "$collStats", "$count", "$currentOp", "$densify",
  "$documents", "$facet", "$fill", "$geoNear", "$graphLookup", "$group", "$indexStats", "$limit", "$listLocalSessions", "$listSampledQueries",
  "$listSearchIndexes", "$listSessions", "$lookup", "$match", "$merge", "$out", "$planCacheStats", "$project", "$querySettings", "$queryStats",
  "$rankFusion", "$redact", "$replaceRoot", "$replaceWith", "$sample", "$score", "$scoreFusion", "$search", "$searchMeta", "$set", "$setWindowFields",
  "$shardedDataDistribution", "$skip", "$sort", "$sortByCount", "$unionWith", "$unset", "$unwind", "$vectorSearch",
] as const;

const WRITE_STAGES = new Set(["$out", "$merge"]);

/**
 * Load-time checks of one query: stage shapes, stage-name typos, write stages anywhere
 * (also inside $facet, $lookup and $unionWith), unknown or unquoted placeholders, and
 * `{ $oid }` / `{ $date }` values. `base` is the path of the query inside the check entry.
 */
export function validateQuery(q: QueryOptions, base: Path, allowApp: boolean): OptionIssue[] {
  const issues: OptionIssue[] = [];
  const known = new Set(Object.keys(PLACEHOLDERS).filter((p) => allowApp || !p.startsWith("app_")));
  const placeholderProblem = (text: string): string | undefined => {
    for (const m of text.matchAll(PLACEHOLDER)) {
      const name = m[1]!;
      if (known.has(name)) continue;
      if (name in PLACEHOLDERS) return `{${name}} needs a per-app check (per_app is false)`;
      return `unknown placeholder {${name}} (known: ${[...known].map((k) => `{${k}}`).join(", ")})`;
    }
    return undefined;
  };
  const collectionProblem = placeholderProblem(q.collection);
  if (collectionProblem) issues.push({ path: [...base, "collection"], message: collectionProblem });

  q.pipeline.forEach((stage, i) => checkStage(stage, [...base, "pipeline", i], issues));
  walkValues(q.pipeline, [...base, "pipeline"], (value, path) => {
    if (typeof value === "string") {
      const problem = placeholderProblem(value);
      if (problem) issues.push({ path, message: problem });
      return;
    }
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0]! in PLACEHOLDERS && value[keys[0]!] === null) {
      issues.push({ path, message: `unquoted {${keys[0]}} is a YAML mapping, not a placeholder: write "{${keys[0]}}" in quotes` });
    }
    for (const k of keys) {
      if (WRITE_STAGES.has(k)) issues.push({ path, key: k, message: `${k} writes to the database; countly-check is read-only, so pipelines cannot use $out or $merge` });
    }
    if (keys.length === 1 && (keys[0] === "$oid" || keys[0] === "$date")) {
      try {
        substitute(value, sampleValues());
      } catch (e) {
        issues.push({ path, message: (e as Error).message });
      }
    }
  });
  return issues;
}

function checkStage(stage: unknown, path: Path, issues: OptionIssue[]): void {
  if (!stage || typeof stage !== "object" || Array.isArray(stage)) {
    issues.push({ path, message: "expected a stage: a mapping with one `$stage` key, e.g. `$match: {…}`" });
    return;
  }
  const keys = Object.keys(stage);
  if (keys.length !== 1) {
    issues.push({ path, message: `a stage has exactly one key (got ${keys.length ? keys.join(", ") : "none"}); put each stage in its own list item` });
    return;
  }
  const name = keys[0]!;
  if (!name.startsWith("$")) {
    issues.push({ path, key: name, message: `a stage name starts with "$" (did you mean $${name}?)` });
    return;
  }
  if (!(MONGODB_STAGES as readonly string[]).includes(name)) {
    const near = MONGODB_STAGES.filter((s) => distance(s.toLowerCase(), name.toLowerCase()) <= 2);
    if (near.length) issues.push({ path, key: name, message: `unknown stage ${name} (did you mean ${near.join(" or ")}?)` });
  }
  // Nested pipelines.
  const body = (stage as Record<string, unknown>)[name];
  const nested = (p: unknown, at: Path) => Array.isArray(p) && p.forEach((s, i) => checkStage(s, [...at, i], issues));
  if (name === "$facet" && body && typeof body === "object") for (const [k, p] of Object.entries(body)) nested(p, [...path, name, k]);
  if ((name === "$lookup" || name === "$unionWith") && body && typeof body === "object") nested((body as Record<string, unknown>).pipeline, [...path, name, "pipeline"]);
}

/** Calls `visit` for every string and mapping of a pipeline (not inside `$literal`), with its path. */
function walkValues(value: unknown, path: Path, visit: (value: string | Record<string, unknown>, path: Path) => void): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkValues(v, [...path, i], visit));
  else if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    visit(obj, path);
    for (const [k, v] of Object.entries(obj)) if (k !== "$literal") walkValues(v, [...path, k], visit);
  }
}

function sampleValues(): Record<string, string | number> {
  return placeholderValues({ app: { id: "000000000000000000000000", name: "app", timezone: "UTC" }, period: {} });
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

// --- results -> findings ---------------------------------------------------------

/** A number from a returned value (numbers, and BSON Long/Int32/Double/Decimal128), else undefined. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "bigint") return Number(value);
  const tag = (value as { _bsontype?: unknown } | null)?._bsontype;
  if (tag === "Long" || tag === "Int32" || tag === "Double" || tag === "Decimal128") {
    const n = Number(String(value));
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A returned value as a short, readable text (ObjectId as hex, dates as ISO, objects as `{k: v}`). */
export function describeValue(value: unknown, max = 200): string {
  const text = describe(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null || typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  const tag = (value as { _bsontype?: unknown })._bsontype;
  if (tag === "ObjectId") return (value as ObjectId).toHexString();
  if (typeof tag === "string") return String(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${describe(v)}`).join(", ")}}`;
  return String(value);
}

/** A key (`_id` of a compare row) as text: `day=2024-10-01, source="Google Play"` for objects. */
export function describeKey(key: unknown): string {
  if (key && typeof key === "object" && !Array.isArray(key) && !(key instanceof Date) && !("_bsontype" in key)) {
    const entries = Object.entries(key as Record<string, unknown>);
    if (entries.length) return entries.map(([k, v]) => `${k}=${typeof v === "string" ? v : describeValue(v, 80)}`).join(", ");
  }
  return typeof key === "string" ? key : describeValue(key, 120);
}

/** A canonical text of a key, equal for equal keys whatever the order of an object's fields. */
export function keyId(key: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v instanceof Date) return { $date: v.toISOString() };
    const tag = (v as { _bsontype?: unknown } | null)?._bsontype;
    if (tag === "ObjectId") return { $oid: (v as ObjectId).toHexString() };
    if (typeof tag === "string") return { [`$${tag}`]: String(v) };
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = canon((v as Record<string, unknown>)[k]);
      return out;
    }
    return v === undefined ? null : v;
  };
  return JSON.stringify(canon(key));
}

/** The finding fields a returned document or key names: `event`, `day` (YYYY-MM-DD), `segment`, `field`. */
export function findingFields(doc: Record<string, unknown> | undefined): Pick<CheckFinding, "event" | "day" | "segment" | "field"> {
  const out: Pick<CheckFinding, "event" | "day" | "segment" | "field"> = {};
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return out;
  if (typeof doc.event === "string") out.event = doc.event;
  if (typeof doc.day === "string" && isDay(doc.day)) out.day = doc.day;
  if (typeof doc.segment === "string") out.segment = doc.segment;
  if (typeof doc.field === "string") out.field = doc.field;
  return out;
}

/** `expected` / `actual` as a finding holds them (numbers and strings as they are, anything else as text). */
export function findingValue(value: unknown): number | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number" || typeof value === "string") return value;
  return numberOf(value) ?? describeValue(value, 120);
}
