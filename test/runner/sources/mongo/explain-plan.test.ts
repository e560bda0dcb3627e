// The plan summary of explain replies in the shapes MongoDB servers give (queryPlanner
// verbosity): find, a classic-engine aggregate ($cursor stage), a pushed-down (SBE)
// aggregate, a sharded find and aggregate, an OR of index scans, a metadata count.
import { describe, expect, it } from "vitest";
import { leadingMatch, summarizePlan } from "../../../../runner/sources/mongo/explain-plan.ts";

const ixscan = (indexName: string) => ({ stage: "IXSCAN", keyPattern: {}, indexName, direction: "forward" });

describe("summarizePlan", () => {
  it("names the index of a find's FETCH over IXSCAN", () => {
    expect(summarizePlan({ queryPlanner: { winningPlan: { stage: "FETCH", inputStage: ixscan("cd_1") } }, ok: 1 })).toEqual({ plan: "IXSCAN cd_1", indexes: ["cd_1"], collectionScan: false });
  });

  it("says COLLSCAN for a collection scan", () => {
    expect(summarizePlan({ queryPlanner: { winningPlan: { stage: "COLLSCAN", direction: "forward" } } })).toEqual({ plan: "COLLSCAN", indexes: [], collectionScan: true });
  });

  it("reads a classic aggregate's $cursor stage", () => {
    const reply = { explainVersion: "1", stages: [{ $cursor: { queryPlanner: { winningPlan: { stage: "PROJECTION_DEFAULT", inputStage: { stage: "FETCH", inputStage: ixscan("a_1_e_1_ts_1") } } } } }, { $group: {} }] };
    expect(summarizePlan(reply).plan).toBe("IXSCAN a_1_e_1_ts_1");
  });

  it("reads a pushed-down (SBE) aggregate's queryPlan", () => {
    const reply = { explainVersion: "2", queryPlanner: { winningPlan: { queryPlan: { stage: "GROUP", inputStage: { stage: "COLLSCAN" } }, slotBasedPlan: { stages: "…" } } } };
    expect(summarizePlan(reply)).toEqual({ plan: "COLLSCAN", indexes: [], collectionScan: true });
  });

  it("keeps an OR's branches", () => {
    const reply = { queryPlanner: { winningPlan: { stage: "SUBPLAN", inputStage: { stage: "FETCH", inputStage: { stage: "OR", inputStages: [ixscan("ts_1"), ixscan("a_1_e_1_ts_1")] } } } } };
    expect(summarizePlan(reply)).toEqual({ plan: "OR(IXSCAN ts_1, IXSCAN a_1_e_1_ts_1)", indexes: ["a_1_e_1_ts_1", "ts_1"], collectionScan: false });
  });

  it("joins the shards' plans of a sharded find, and flags a scan on any shard", () => {
    const reply = { queryPlanner: { winningPlan: { stage: "SHARD_MERGE", shards: [{ shardName: "s0", winningPlan: { stage: "FETCH", inputStage: ixscan("cd_1") } }, { shardName: "s1", winningPlan: { stage: "COLLSCAN" } }] } } };
    expect(summarizePlan(reply)).toEqual({ plan: "IXSCAN cd_1 | COLLSCAN", indexes: ["cd_1"], collectionScan: true });
  });

  it("reads a sharded aggregate's per-shard replies", () => {
    const shard = { stages: [{ $cursor: { queryPlanner: { winningPlan: { stage: "FETCH", inputStage: ixscan("a_1_e_1_ts_1") } } } }] };
    expect(summarizePlan({ mergeType: "mongos", shards: { s0: shard, s1: shard } }).plan).toBe("IXSCAN a_1_e_1_ts_1");
  });

  it("says a metadata count is one", () => {
    expect(summarizePlan({ queryPlanner: { winningPlan: { stage: "RECORD_STORE_FAST_COUNT" } } })).toEqual({ plan: "RECORD_STORE_FAST_COUNT", indexes: [], collectionScan: false });
  });

  it("says so when a reply has no winning plan", () => {
    expect(summarizePlan({ ok: 1 }).plan).toMatch(/^unknown/);
    expect(summarizePlan(null).collectionScan).toBe(false);
  });
});

describe("leadingMatch", () => {
  it("merges the leading $match stages and stops at the first other stage", () => {
    expect(leadingMatch([{ $match: { a: 1 } }, { $match: { cd: 2 } }, { $project: {} }, { $match: { d: 3 } }])).toEqual({ $and: [{ a: 1 }, { cd: 2 }] });
    expect(leadingMatch([{ $match: { a: 1 } }, { $group: {} }])).toEqual({ a: 1 });
    expect(leadingMatch([{ $project: {} }, { $match: { a: 1 } }])).toBeUndefined();
  });
});
