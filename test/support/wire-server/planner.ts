/**
 * `explain` with verbosity queryPlanner: a plausible winning plan from the collection's
 * indexes (the ones listIndexes reports), built the way MongoDB's planner picks one
 * (query/planner): an index whose leading fields the filter constrains with indexable
 * predicates (the longest such prefix wins), a rooted `$or` (or one under a rooted `$and`)
 * whose every branch has one (an OR of index scans; the first such `$or`, where a real
 * server would try each), an index on the sort's first field, else a collection scan.
 * Nothing is executed; the reply has MongoDB 7.0's shape (explainVersion "1": a find's
 * `queryPlanner`, an aggregate's `stages[0].$cursor.queryPlanner`).
 */
import type { Document } from "bson";

/** Operators an index can answer (bounds); anything else ($ne, $not, $nin, $exists: false, $expr…) is a filter over fetched documents. */
const INDEXABLE = new Set(["$eq", "$in", "$gt", "$gte", "$lt", "$lte", "$type"]);

function isOperatorObject(v: unknown): v is Document {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith("$"));
}

function indexablePredicate(v: unknown): boolean {
  if (v instanceof RegExp) return v.source.startsWith("^");
  if (!isOperatorObject(v)) return true; // equality
  return Object.entries(v).every(([op, x]) => INDEXABLE.has(op) || (op === "$regex" && String(x).startsWith("^")) || op === "$options");
}

/** Top-level fields of a filter an index could bound (an `$and`'s branches count; a nested `$or` does not). */
function boundedFields(filter: Document): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(filter)) {
    if (k === "$and" && Array.isArray(v)) for (const b of v) for (const f of boundedFields(b as Document)) out.add(f);
    else if (!k.startsWith("$") && indexablePredicate(v)) out.add(k);
  }
  return out;
}

interface IndexSpec {
  name: string;
  key: Record<string, number>;
}

function ixscan(index: IndexSpec, direction: "forward" | "backward" = "forward"): Document {
  return { stage: "IXSCAN", keyPattern: index.key, indexName: index.name, isMultiKey: false, direction, indexBounds: {} };
}

/** The index with the longest prefix of bounded leading fields, if any. */
function bestIndex(filter: Document, indexes: readonly IndexSpec[]): IndexSpec | undefined {
  const fields = boundedFields(filter);
  let best: IndexSpec | undefined;
  let bestLength = 0;
  for (const index of indexes) {
    let n = 0;
    for (const f of Object.keys(index.key)) {
      if (!fields.has(f)) break;
      n++;
    }
    if (n > bestLength) {
      best = index;
      bestLength = n;
    }
  }
  return best;
}

/** The winning plan of a filter (and sort) over a collection with these indexes. */
export function winningPlan(filter: Document = {}, indexes: readonly IndexSpec[], sort?: Document): Document {
  const index = bestIndex(filter, indexes);
  if (index) return { stage: "FETCH", filter, inputStage: ixscan(index) };
  // A rooted $or, or one under a rooted $and (two $match stages merge into one): the first whose every branch has an index.
  const ors = [filter.$or, ...(Array.isArray(filter.$and) ? filter.$and.map((b: Document) => b.$or) : [])].filter((o): o is Document[] => Array.isArray(o) && o.length > 0);
  for (const or of ors) {
    const branches = or.map((b) => bestIndex(b, indexes));
    if (branches.every((b) => b !== undefined)) return { stage: "FETCH", filter, inputStage: { stage: "OR", inputStages: branches.map((b) => ixscan(b!)) } };
  }
  const [sortField, sortDir] = Object.entries(sort ?? {})[0] ?? [];
  if (sortField && sortField !== "$natural") {
    const byLeading = indexes.find((i) => Object.keys(i.key)[0] === sortField);
    if (byLeading) {
      const forward = Math.sign(Number(sortDir)) === Math.sign(Number(byLeading.key[sortField]));
      return { stage: "FETCH", filter, inputStage: ixscan(byLeading, forward ? "forward" : "backward") };
    }
  }
  return { stage: "COLLSCAN", filter, direction: "forward" };
}

function queryPlanner(namespace: string, filter: Document, plan: Document): Document {
  return { namespace, indexFilterSet: false, parsedQuery: filter, planCacheShapeHash: "00000000", maxIndexedOrSolutionsReached: false, maxIndexedAndSolutionsReached: false, maxScansToExplodeReached: false, winningPlan: plan, rejectedPlans: [] };
}

/** The leading `$match` stages of a pipeline, merged: what the server pushes down to the query layer. */
function leadingFilter(pipeline: readonly Document[]): { filter: Document; rest: Document[] } {
  const matches: Document[] = [];
  let i = 0;
  for (; i < pipeline.length && pipeline[i]!.$match !== undefined; i++) matches.push(pipeline[i]!.$match as Document);
  const filter = matches.length === 0 ? {} : matches.length === 1 ? matches[0]! : { $and: matches };
  return { filter, rest: pipeline.slice(i) };
}

/** The explain reply of a find, an aggregate or a count (the only commands the double explains: all reads). */
export function explainReply(command: string, inner: Document, namespace: string, indexes: readonly IndexSpec[]): Document {
  if (command === "find") {
    const filter = (inner.filter as Document | undefined) ?? {};
    return { explainVersion: "1", queryPlanner: queryPlanner(namespace, filter, winningPlan(filter, indexes, inner.sort as Document | undefined)), command: inner, ok: 1 };
  }
  if (command === "aggregate") {
    const { filter, rest } = leadingFilter(inner.pipeline as Document[]);
    const sort = rest[0]?.$sort as Document | undefined;
    return { explainVersion: "1", stages: [{ $cursor: { queryPlanner: queryPlanner(namespace, filter, winningPlan(filter, indexes, sort)) } }, ...rest], command: inner, ok: 1 };
  }
  // count: without a query, from the collection's metadata.
  const query = inner.query as Document | undefined;
  const plan = !query || Object.keys(query).length === 0 ? { stage: "RECORD_STORE_FAST_COUNT" } : { stage: "COUNT", inputStage: winningPlan(query, indexes) };
  return { explainVersion: "1", queryPlanner: queryPlanner(namespace, query ?? {}, plan), command: inner, ok: 1 };
}
