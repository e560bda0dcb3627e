// Runs the queries checks declare (`CheckDefinition.queries`: the `pipeline` and
// `compare` kinds) for every case of a run, before any check is evaluated, so checks
// stay pure: a check says which pipelines it needs for an app and period, the runner
// fills in the source's database names, runs each distinct pipeline once through
// `Source.runPipelines` (a server-side aggregate on MongoDB; one streaming pass per
// collection through the in-memory engine on dumps and fixtures) and hands the rows
// back to the case as `ctx.results`.
import { EJSON } from "bson";
import type { CheckDefinition, QueryRequest, QueryRows } from "../checks/types.ts";
import { isPerApp } from "../checks/types.ts";
import type { DatabaseNames } from "../countly/layout.ts";
import { DEFAULT_DATABASES } from "../countly/layout.ts";
import type { Period } from "../countly/time.ts";
import type { AppInfo } from "./facts/types.ts";
import type { Scenario, ScenarioCheck } from "./scenario/types.ts";
import { SourceError, type PipelineOutcome, type PipelineRequest, type Source } from "./sources/source.ts";

/** What a case's queries gave: the rows of each query by id, or why they could not be run. */
export type CaseQueries = { ok: true; results: Record<string, QueryRows> } | { ok: false; error: string };

/** check entry -> app id ("" for a case not per app) -> its queries' results. */
export type QueryResults = Map<ScenarioCheck, Map<string, CaseQueries>>;

/** The part of a scenario's plan the queries depend on. */
export interface QueryPlan {
  scenario: Scenario;
  apps: readonly AppInfo[];
  unknownApps: readonly string[];
  period: Period;
}

interface PlannedCase {
  check: ScenarioCheck;
  appId: string;
  requests: QueryRequest[];
}

/** Runs the queries of every case that has some; a source without `runPipelines` makes them errors. */
export async function runCheckQueries(
  plans: readonly QueryPlan[],
  registry: ReadonlyMap<string, CheckDefinition>,
  source: Source,
  databases: DatabaseNames = DEFAULT_DATABASES,
): Promise<QueryResults> {
  const results: QueryResults = new Map();
  const set = (check: ScenarioCheck, appId: string, value: CaseQueries) => {
    let byApp = results.get(check);
    if (!byApp) results.set(check, (byApp = new Map()));
    byApp.set(appId, value);
  };

  const planned: PlannedCase[] = [];
  for (const plan of plans) {
    if (plan.unknownApps.length) continue;
    for (const check of plan.scenario.checks) {
      const def = registry.get(check.kind);
      if (!def?.queries) continue;
      const apps: (AppInfo | undefined)[] = isPerApp(def, check.options) ? plan.apps.filter((a) => !a.problem) : [undefined];
      for (const app of apps) {
        const appId = app?.id ?? "";
        try {
          planned.push({ check, appId, requests: def.queries(check.options, { app, period: plan.period }) });
        } catch (e) {
          set(check, appId, { ok: false, error: `could not build the pipeline: ${(e as Error).message}` });
        }
      }
    }
  }
  if (planned.length === 0) return results;

  if (!source.runPipelines) {
    for (const c of planned) set(c.check, c.appId, { ok: false, error: `${source.description} cannot run aggregation pipelines` });
    return results;
  }

  // Each distinct pipeline once (per-app checks of several scenarios often ask the same).
  const unique = new Map<string, PipelineRequest>();
  const keyOf = (r: QueryRequest): string => {
    const physical = physicalRequest(r, databases);
    const key = EJSON.stringify([physical.db, physical.collection, physical.maxDocuments, physical.pipeline], { relaxed: false });
    const prev = unique.get(key);
    if (!prev) unique.set(key, physical);
    else prev.keepRows = Math.max(prev.keepRows, physical.keepRows);
    return key;
  };
  const keys = planned.map((c) => c.requests.map(keyOf));
  const list = [...unique.entries()];
  let outcomes: PipelineOutcome[];
  try {
    outcomes = await source.runPipelines(list.map(([, r]) => r));
  } catch (e) {
    if (e instanceof SourceError) throw e;
    const error = `running the pipelines failed: ${(e as Error).message}`;
    outcomes = list.map(() => ({ ok: false, error }));
  }
  const byKey = new Map(list.map(([k], i) => [k, outcomes[i]!]));

  planned.forEach((c, i) => {
    const out: Record<string, QueryRows> = {};
    for (const [j, r] of c.requests.entries()) {
      const o = byKey.get(keys[i]![j]!)!;
      if (!o.ok) {
        set(c.check, c.appId, { ok: false, error: `could not run ${r.id === "rows" ? "the" : `the ${r.id}`} pipeline: ${o.error}` });
        return;
      }
      out[r.id] = { rows: o.rows.slice(0, r.keepRows), total: o.total };
    }
    set(c.check, c.appId, { ok: true, results: out });
  });
  return results;
}

/** `countly` / `countly_drill` in a check's request name the source's databases (installs and tests rename them). */
function physicalRequest(r: QueryRequest, databases: DatabaseNames): PipelineRequest {
  const db = r.db === DEFAULT_DATABASES.countly ? databases.countly : r.db === DEFAULT_DATABASES.drill ? databases.drill : r.db;
  return { db, collection: r.collection, pipeline: r.pipeline, keepRows: r.keepRows, maxDocuments: r.maxDocuments };
}
