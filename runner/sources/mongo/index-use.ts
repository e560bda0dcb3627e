// Whether a collection's indexes (from listIndexes, a read) can serve a query's filter,
// so a run can warn before it scans a large collection document by document. The rule is
// the planner's necessary condition: an index bounds a scan only from its leading field,
// so some index must lead with a field the filter bounds (equality, $in, a range, $type,
// an anchored regex); for a rooted `$or` every branch needs one (else MongoDB scans the
// collection for the whole `$or`). It answers "can an index be used at all": a served
// filter may still be planned as a scan (`--explain` tells), an unserved one is scanned
// ($not, $exists and $expr do not count as bounding). $ne and $nin do: the planner bounds
// the index by the complement intervals (MongoDB's $nin/$ne reference: "a $nin query with
// an index"; not selective in general, but unknownApps' `a: {$nin: <known apps>}` skips
// exactly the known apps), except a $nin listing an array (SERVER-40691: not indexed).

type Filter = Record<string, unknown>;

export interface IndexSpec {
  name?: unknown;
  key?: unknown;
}

/** Operators whose values give index bounds. */
const BOUNDING = new Set(["$eq", "$in", "$gt", "$gte", "$lt", "$lte", "$type"]);

function isPlainObject(v: unknown): v is Filter {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp) && Object.getPrototypeOf(v) === Object.prototype;
}

function bounds(v: unknown): boolean {
  if (v instanceof RegExp) return v.source.startsWith("^");
  if (!isPlainObject(v) || !Object.keys(v).some((k) => k.startsWith("$"))) return true; // equality with a value or a document
  return Object.entries(v).some(
    ([op, x]) =>
      BOUNDING.has(op) ||
      (op === "$regex" && typeof x === "string" && x.startsWith("^")) ||
      (op === "$ne" && !Array.isArray(x)) ||
      (op === "$nin" && Array.isArray(x) && !x.some(Array.isArray)),
  );
}

/** Fields the filter bounds at its top level (with its `$and` branches). */
function boundedFields(filter: Filter): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(filter)) {
    if (k === "$and" && Array.isArray(v)) for (const b of v) if (isPlainObject(b)) for (const f of boundedFields(b)) out.add(f);
    if (!k.startsWith("$") && bounds(v)) out.add(k);
  }
  return out;
}

function leadingField(index: IndexSpec): string | undefined {
  return isPlainObject(index.key) ? Object.keys(index.key)[0] : undefined;
}

/** The `$or` lists a filter holds at its top level (rooted, or in a rooted `$and`). */
function rootedOrs(filter: Filter): Filter[][] {
  const ors: Filter[][] = [];
  const add = (v: unknown) => {
    if (Array.isArray(v) && v.length > 0 && v.every(isPlainObject)) ors.push(v as Filter[]);
  };
  add(filter.$or);
  if (Array.isArray(filter.$and)) for (const b of filter.$and) if (isPlainObject(b)) add(b.$or);
  return ors;
}

/** Names of the indexes that can serve the filter (empty: the query scans the collection). */
export function servingIndexes(filter: Filter, indexes: readonly IndexSpec[]): string[] {
  const named = (i: IndexSpec) => String(i.name ?? JSON.stringify(i.key));
  const fields = boundedFields(filter);
  const direct = indexes.filter((i) => fields.has(leadingField(i) ?? ""));
  if (direct.length) return direct.map(named);
  for (const or of rootedOrs(filter)) {
    const perBranch = or.map((b) => servingIndexes(b, indexes));
    if (perBranch.every((names) => names.length > 0)) return [...new Set(perBranch.flat())];
  }
  return [];
}

/** The fields a filter constrains, for messages (`a, e, ts`). */
export function filterFields(filter: Filter): string[] {
  const out = new Set<string>();
  const walk = (f: Filter) => {
    for (const [k, v] of Object.entries(f)) {
      if ((k === "$or" || k === "$and") && Array.isArray(v)) v.filter(isPlainObject).forEach(walk);
      else if (!k.startsWith("$")) out.add(k);
    }
  };
  walk(filter);
  return [...out];
}
