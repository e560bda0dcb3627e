// `--explain`: what MongoDB's planner says of each query a run would send, from the reply
// of `explain` with verbosity queryPlanner (plans only: nothing is executed). The reply's
// shape differs by server and engine; the winning plan is found in each of them:
//   find / count                      queryPlanner.winningPlan
//   aggregate, classic engine         stages[0].$cursor.queryPlanner.winningPlan
//   aggregate pushed down (SBE, 6.0+) queryPlanner.winningPlan.queryPlan
//   sharded (mongos)                  winningPlan.shards[].winningPlan, or shards.<name>.stages / .queryPlanner
// Node-free and driver-free: the CLI imports it to print, without loading mongodb.

export type QueryCommand = "aggregate" | "find" | "count";

/** One query a run would send, and its plan. */
export interface QueryPlan {
  /** `db.collection`. */
  collection: string;
  command: QueryCommand;
  /** What the query is for: the fact and pass, or "check pipeline". */
  purpose: string;
  /** A find's filter, an aggregate's leading `$match` (absent: every document of the collection). */
  filter?: Record<string, unknown>;
  sort?: Record<string, unknown>;
  limit?: number;
  /** The winning plan's access path: `IXSCAN a_1_e_1_ts_1`, `COLLSCAN`, `OR(IXSCAN ts_1, IXSCAN ts_1)`, `RECORD_STORE_FAST_COUNT`. */
  plan: string;
  /** Index names the winning plan reads. */
  indexes: string[];
  /** The winning plan reads every document of the collection (a COLLSCAN somewhere in it). */
  collectionScan: boolean;
  /** Why the plan could not be had (the explain failed); `plan` is then "unknown". */
  error?: string;
}

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => v !== null && typeof v === "object" && !Array.isArray(v);

/** Access stages: where documents come from. */
const ACCESS = new Set(["COLLSCAN", "IXSCAN", "EXPRESS_IXSCAN", "EXPRESS_CLUSTERED_IXSCAN", "IDHACK", "EXPRESS_IDHACK", "COUNT_SCAN", "DISTINCT_SCAN", "RECORD_STORE_FAST_COUNT", "EOF", "TEXT", "TEXT_MATCH", "CLUSTERED_IXSCAN", "GEO_NEAR_2D", "GEO_NEAR_2DSPHERE"]);

/** The winning plans in a reply (several on a sharded cluster: one per shard). */
function winningPlans(reply: Node): Node[] {
  const out: Node[] = [];
  const fromPlanner = (qp: unknown) => {
    if (!isNode(qp)) return;
    const w = qp.winningPlan;
    if (!isNode(w)) return;
    if (Array.isArray(w.shards)) for (const s of w.shards) fromPlanner(s && isNode(s) ? { winningPlan: s.winningPlan ?? s } : undefined);
    else out.push(isNode(w.queryPlan) ? w.queryPlan : w);
  };
  const fromReply = (r: Node) => {
    fromPlanner(r.queryPlanner);
    if (Array.isArray(r.stages)) for (const st of r.stages) if (isNode(st) && isNode(st.$cursor)) fromPlanner(st.$cursor.queryPlanner);
    if (isNode(r.shards)) for (const s of Object.values(r.shards)) if (isNode(s)) fromReply(s);
  };
  fromReply(reply);
  return out;
}

/** A plan tree's access path as text (an OR keeps its branches). */
function accessPath(node: Node, indexes: Set<string>): string[] {
  const stage = String(node.stage ?? "");
  if (ACCESS.has(stage)) {
    if (typeof node.indexName === "string") {
      indexes.add(node.indexName);
      return [`${stage} ${node.indexName}`];
    }
    return [stage];
  }
  const children = [node.inputStage, ...(Array.isArray(node.inputStages) ? node.inputStages : []), node.thenStage, node.elseStage, node.outerStage, node.innerStage].filter(isNode);
  const paths = children.map((c) => accessPath(c, indexes));
  if ((stage === "OR" || stage === "SORT_MERGE") && paths.length > 1) return [`OR(${paths.map((p) => p.join(" + ")).join(", ")})`];
  const flat = paths.flat();
  return flat.length ? flat : stage ? [stage] : [];
}

/** The plan summary of an explain reply. */
export function summarizePlan(reply: unknown): Pick<QueryPlan, "plan" | "indexes" | "collectionScan"> {
  const indexes = new Set<string>();
  const plans = isNode(reply) ? winningPlans(reply) : [];
  const paths = [...new Set(plans.map((p) => accessPath(p, indexes).join(" + ")))].filter(Boolean);
  const plan = paths.length ? paths.join(" | ") : "unknown (no winning plan in the reply)";
  return { plan, indexes: [...indexes].sort(), collectionScan: /\bCOLLSCAN\b/.test(plan) };
}

/** The leading `$match` stages of a pipeline, as one filter (the server merges them and answers them from an index), or undefined when there is none. */
export function leadingMatch(pipeline: readonly Record<string, unknown>[]): Record<string, unknown> | undefined {
  const matches: Record<string, unknown>[] = [];
  for (const stage of pipeline) {
    if (!isNode(stage.$match)) break;
    matches.push(stage.$match);
  }
  return matches.length <= 1 ? matches[0] : { $and: matches };
}
