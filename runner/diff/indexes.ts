// Index comparison: mongodump's metadata.json `indexes` against listIndexes (or either
// against itself). Indexes are matched by name; a match must have the same key (field
// order and direction/type) and the same options. Left out as noise: `v` (the server
// picks the index version), `ns` (old dumps only) and `background` (ignored since 4.2).
import type { IndexSpec } from "./side.ts";

export type IndexProblem = "missing-after" | "missing-before" | "different";

export interface IndexDifference {
  name: string;
  problem: IndexProblem;
  /** The index as the before side describes it. */
  before?: string;
  after?: string;
}

const IGNORED = new Set(["v", "ns", "background", "name", "key"]);

/** A value made comparable: numbers by value (1, 1.0, Long 1 alike), objects with sorted keys. */
function normalise(v: unknown): unknown {
  if (typeof v === "number" || typeof v === "bigint") return Number(v);
  if (v === null || typeof v !== "object") return v;
  const bsonType = (v as { _bsontype?: string })._bsontype;
  if (bsonType === "Long" || bsonType === "Int32" || bsonType === "Double") return Number((v as { valueOf(): unknown }).valueOf?.() ?? String(v));
  if (bsonType === "Decimal128") return Number(String(v));
  if (bsonType) return String(v);
  if (Array.isArray(v)) return v.map(normalise);
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, normalise((v as Record<string, unknown>)[k])]),
  );
}

/** `{ a: 1, e: 1, ts: 1 }` in field order, then the options (`unique: true`, …). */
export function describeIndex(spec: IndexSpec): string {
  const key = spec.key && typeof spec.key === "object" ? Object.entries(spec.key as Record<string, unknown>).map(([f, d]) => `${f}: ${JSON.stringify(normalise(d))}`) : [];
  const opts = options(spec);
  return `{ ${key.join(", ")} }${Object.keys(opts).length ? ` ${JSON.stringify(opts)}` : ""}`;
}

function options(spec: IndexSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(spec).sort()) if (!IGNORED.has(k)) out[k] = normalise(spec[k]);
  return out;
}

function identity(spec: IndexSpec): string {
  const key = spec.key && typeof spec.key === "object" ? Object.entries(spec.key as Record<string, unknown>).map(([f, d]) => [f, normalise(d)]) : [];
  return JSON.stringify([key, options(spec)]);
}

/**
 * Differences between two index lists (by name, sorted by name), or undefined when a side
 * does not record its indexes (nothing can be said).
 */
export function compareIndexes(before: readonly IndexSpec[] | undefined, after: readonly IndexSpec[] | undefined): IndexDifference[] | undefined {
  if (before === undefined || after === undefined) return undefined;
  const byName = (list: readonly IndexSpec[]) => new Map(list.map((s) => [String(s.name ?? describeIndex(s)), s]));
  const b = byName(before);
  const a = byName(after);
  const out: IndexDifference[] = [];
  for (const name of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const x = b.get(name);
    const y = a.get(name);
    if (x && !y) out.push({ name, problem: "missing-after", before: describeIndex(x) });
    else if (!x && y) out.push({ name, problem: "missing-before", after: describeIndex(y) });
    else if (x && y && identity(x) !== identity(y)) out.push({ name, problem: "different", before: describeIndex(x), after: describeIndex(y) });
  }
  return out;
}
