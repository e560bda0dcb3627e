// Runs one check on hand-written facts, like ESLint's RuleTester: the findings or the skip reason.
import type { CheckDefinition, CheckFinding, QueryRows } from "../../checks/types.ts";
import { withDefaults } from "../../checks/types.ts";
import type { Period } from "../../countly/time.ts";
import { inPeriod } from "../../countly/time.ts";
import { scopeFact } from "../../runner/facts/scope.ts";
import type { AppInfo, FactName, FactValues } from "../../runner/facts/types.ts";

export const APP: AppInfo = { id: "65f0a1b2c3d4e5f6a7b8c9d0", name: "Shop", timezone: "Europe/Berlin" };

export const EMPTY_FACTS: FactValues = {
  rawEvents: { rows: [] },
  rawSessions: [],
  rawViews: [],
  eventAggregates: { totals: [], segments: [], unattributed: [] },
  viewAggregates: { days: [], metaCount: {} },
  sourceAggregates: { days: [] },
  eventHours: { rows: [] },
  allKeyTotals: { layout: "current", rows: [], months: [] },
  eventCatalog: { apps: [], data: [], drill: [], unresolved: [] },
  segmentMeta: { seen: [], meta: [] },
  counterProblems: { rows: [], omitted: [], scanned: [] },
  sessionAggregates: { days: [] },
  rawTail: { rows: [] },
  viewVisits: { days: [], meta: [] },
  sourceMeta: { values: [] },
  rawInserts: { rows: [] },
  changeStreams: { drillLayout: "current", present: false, tokens: [] },
  collectionCounts: { databases: { countly: "countly", drill: "countly_drill" }, layout: { events: "current", drill: "current", views: "current" }, present: { countly: [], countly_drill: [] }, counts: [] },
  buildSignals: { layout: { events: "current", drill: "current", views: "current" }, appEventLimits: {}, segmentDocs: 0, totalDocs: 0, segmentRegistries: 0, viewsLastDay: {}, viewsFirstDay: {} },
  unknownApps: { known: [], rows: [] },
  drillMeta: { seen: [] },
  drillMetaDocs: { present: false, docs: [] },
};

export interface CheckOutcome {
  findings: CheckFinding[];
  skipped?: string;
}

export function evaluate(def: CheckDefinition<any>, options: Record<string, unknown>, facts: Partial<FactValues>, period: Period = {}, app: AppInfo = APP): CheckOutcome {
  return run(def, options, facts, period, app).outcome;
}

/** The raw-vs-aggregated series a check hands to the HTML report's charts, points in the order given. */
export function evaluateSeries(def: CheckDefinition<any>, options: Record<string, unknown>, facts: Partial<FactValues>, period: Period = {}, app: AppInfo = APP): { label: string; points: { day: string; raw: number; aggregated: number }[] }[] {
  return run(def, options, facts, period, app).series;
}

function run(def: CheckDefinition<any>, options: Record<string, unknown>, facts: Partial<FactValues>, period: Period, app: AppInfo) {
  const all = { ...EMPTY_FACTS, ...facts };
  const findings: CheckFinding[] = [];
  const series: { label: string; points: { day: string; raw: number; aggregated: number }[] }[] = [];
  const complete = withDefaults<Record<string, unknown>>(def.meta, options);
  // As the runner: a check gets only the facts its needs() declares.
  const declared = new Set(def.needs(complete).map((r) => r.fact));
  const get = <K extends FactName>(n: K) => {
    if (!declared.has(n)) throw new Error(`${def.meta.kind} reads the fact ${n} without declaring it in needs()`);
    return scopeFact(all[n], app.id, period);
  };
  const result = def.evaluate({
    options: complete,
    app,
    period,
    severity: "error",
    facts: { get, inPeriod: (d) => inPeriod(d, period) },
    report: (f) => findings.push(f),
    series: (s) => series.push({ label: s.label, points: [...s.points] }),
  });
  return { outcome: { findings, skipped: result?.skipped } as CheckOutcome, series };
}

export interface QueryCheckOutcome extends CheckOutcome {
  /** Findings counted (reported one by one or through reportMore). */
  total: number;
}

/** Runs a check that declares queries (pipeline, compare) on hand-written query results. */
export function evaluateWithResults(def: CheckDefinition<any>, options: Record<string, unknown>, results: Record<string, QueryRows>, app: AppInfo = APP, period: Period = {}): QueryCheckOutcome {
  const findings: CheckFinding[] = [];
  let total = 0;
  const result = def.evaluate({
    options: withDefaults(def.meta, options),
    app,
    period,
    severity: "error",
    facts: { get: () => { throw new Error("this check reads no facts"); }, inPeriod: (d) => inPeriod(d, period) },
    results,
    report: (f) => {
      total++;
      findings.push(f);
    },
    reportMore: (n) => {
      total += n;
    },
  });
  return { findings, skipped: result?.skipped, total };
}
