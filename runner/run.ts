// Runs scenarios against a source: plan facts once, compute them, evaluate every
// check (per app where the check is per app) and build the result model.
import type { CheckContext, CheckDefinition, CheckFinding, QueryRows } from "../checks/types.ts";
import { CheckDataError, isPerApp } from "../checks/types.ts";
import type { Period } from "../countly/time.ts";
import { inPeriod } from "../countly/time.ts";
import { xmlSafe } from "../reports/xml.ts";
import type { AppInfo, FactName, FactValues } from "./facts/types.ts";
import { scopeFact } from "./facts/scope.ts";
import { consumersOf, describeProfile, detectProfile } from "../countly/profile.ts";
import { chargeEventLists, MemoryBudget, MemoryBudgetError } from "./facts/memory-budget.ts";
import { SOURCE_WARNING_KIND, violationOutcome, type AppRef, type CaseResult, type Finding, type RunProfile, type RunResult, type SuiteResult } from "./model.ts";
import { factRequests, intersectPeriods, periodHull, selectApps } from "./plan.ts";
import { runCheckQueries, type QueryResults } from "./queries.ts";
import { CaseSeries, SeriesBudget } from "./series.ts";
import type { Scenario, ScenarioCheck } from "./scenario/types.ts";
import type { FactResults, Source, SourceBasics, SourceWarning } from "./sources/source.ts";
import { VERSION } from "./version.ts";

export interface RunOptions {
  registry: ReadonlyMap<string, CheckDefinition>;
  /** `--app`: ids or names, intersected with each scenario's `apps`. */
  apps?: string[];
  /** `--from` / `--to`, intersected with each scenario's period. */
  period?: Period;
  /** Findings kept per case (all are counted). */
  maxFindings?: number;
  /** `--max-memory` in bytes: what the facts may hold before the run stops with a clear error (default DEFAULT_MAX_MEMORY). */
  maxMemory?: number;
  /** `--timeout`: the whole run's deadline (ms). On expiry every case is an error naming what was still running. */
  timeoutMs?: number;
}

const DEFAULT_MAX_FINDINGS = 1000;

export async function runScenarios(scenarios: readonly Scenario[], source: Source, options: RunOptions): Promise<RunResult> {
  if (options.timeoutMs === undefined) return runUnbounded(scenarios, source, options, () => undefined);
  const started = Date.now();
  let phase = "opening the source";
  const work = runUnbounded(scenarios, source, options, (p) => (phase = p));
  // The abandoned work may still fail later (its source is closed under it): never an unhandled rejection.
  work.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), options.timeoutMs)));
  try {
    const first = await Promise.race([work, expired]);
    if (first !== "expired") return first;
  } finally {
    clearTimeout(timer);
  }
  const doing = source.activity?.() ?? phase;
  const message = `the run exceeded --timeout ${options.timeoutMs} ms while ${doing}; nothing was evaluated (raise --timeout, or narrow the run with --app/--from/--to)`;
  return { ...unreadableSourceResult(scenarios, source.description, message), startedAt: new Date(started).toISOString(), durationMs: Date.now() - started };
}

async function runUnbounded(scenarios: readonly Scenario[], source: Source, options: RunOptions, phase: (what: string) => void): Promise<RunResult> {
  const started = Date.now();
  let prepared: Awaited<ReturnType<typeof prepareRun>>;
  try {
    prepared = await prepareRun(scenarios, source, options);
  } catch (e) {
    if (e instanceof MemoryBudgetError) return unreadableSourceResult(scenarios, source.description, e.message);
    throw e;
  }
  const { basics, plans, requests, scope, anchored } = prepared;
  // A source that reads everything in one pass per collection gets the checks' pipelines and
  // the backup comparison started beside the facts (their periods are known unless last_days
  // waits for the facts); the others run them after the facts, one after the other.
  const together = source.sharedPasses === true && !anchored;
  const queriesEarly = together ? runCheckQueries(plans, options.registry, source, basics.databases) : undefined;
  const externalsEarly = together ? computeExternals(scenarios, options.registry, source) : undefined;
  queriesEarly?.catch(() => undefined);
  externalsEarly?.catch(() => undefined);
  phase(`computing the facts (${[...requests.keys()].join(", ")})`);
  const facts = requests.size ? await source.computeFacts(requests, scope) : {};
  const notes = new Map<ScenarioPlan, string>();
  if (anchored) anchorLastDays(plans, facts, options, notes);
  // Pipelines that checks declare (pipeline/compare kinds), run before any check is evaluated.
  phase("running the checks' pipelines");
  const queries = await (queriesEarly ?? runCheckQueries(plans, options.registry, source, basics.databases));
  phase("comparing with the backup (matches-backup)");
  const externals = await (externalsEarly ?? computeExternals(scenarios, options.registry, source));
  const gathered: Gathered = { facts, queries, externals, series: new SeriesBudget() };
  const suites = plans.map((p) => {
    const suite = evaluateScenario(p, gathered, options);
    const note = notes.get(p);
    return note ? { ...suite, periodNote: note } : suite;
  });
  const warnings = source.warnings?.() ?? [];
  if (warnings.length) suites.push(sourceWarningSuite(warnings, source.description, scenarios[0]?.file ?? ""));
  ensureUniqueNames(suites);
  return {
    tool: { name: "countly-check", version: VERSION },
    source: source.description,
    layout: `events: ${basics.layout.events}, drill: ${basics.layout.drill}, views: ${basics.layout.views}`,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    suites,
    ...profileOf(facts),
    ...(source.timings ? { timings: source.timings() } : {}),
  };
}

/** What a run reads, decided before anything is read: the plans, the facts and their scope. */
async function prepareRun(scenarios: readonly Scenario[], source: Source, options: RunOptions) {
  // begun before opening: the apps' event lists read there are the run's memory too
  const budget = new MemoryBudget(options.maxMemory);
  const basics = await source.open();
  chargeEventLists(budget, basics.catalog.eventLists);
  // On a snapshot, `last_days` counts back from its newest raw data (found while the facts
  // are gathered over all days), not from today: an old dump must not skip every check.
  const anchored = source.snapshot === true && scenarios.some((s) => s.lastDays !== undefined);
  const plans = scenarios.map((s) => planScenario(s, basics, options));
  if (anchored) for (const p of plans) if (p.scenario.lastDays !== undefined) p.period = intersectPeriods({}, options.period ?? {});
  const requests = factRequests(scenarios, options.registry);
  // The build profile is read on every run (small collections and aggregated documents).
  if (!requests.has("buildSignals")) requests.set("buildSignals", {});
  if (!requests.has("changeStreams")) requests.set("changeStreams", {});
  if (anchored && !requests.has("rawInserts")) requests.set("rawInserts", {});
  const scopeApps = unique(plans.flatMap((p) => p.apps.filter((a) => !a.problem)));
  const scope = {
    apps: scopeApps,
    period: periodHull(plans.map((p) => p.period)),
    layout: basics.layout,
    databases: basics.databases,
    allApps: basics.apps.every((a) => a.problem || scopeApps.some((s) => s.id === a.id)),
    budget,
  };
  return { basics, plans, requests, scope, anchored };
}

/**
 * `--explain`: sends what a run would read (its facts, the checks' pipelines) to a source
 * that only plans them (MongoSource with `explain`), and evaluates no check.
 */
export async function gatherReads(scenarios: readonly Scenario[], source: Source, options: RunOptions): Promise<void> {
  const { basics, plans, requests, scope } = await prepareRun(scenarios, source, options);
  if (requests.size) await source.computeFacts(requests, scope);
  await runCheckQueries(plans, options.registry, source, basics.databases);
  // The backup comparison (matches-backup) reads the live side too: its source explains those reads and stops it there.
  await computeExternals(scenarios, options.registry, source);
}

function profileOf(facts: FactResults): { profile?: RunProfile } {
  const signals = facts.buildSignals;
  if (!signals?.ok) return {};
  const streams = facts.changeStreams;
  const detected = detectProfile(signals.value, consumersOf(streams?.ok ? streams.value : undefined));
  return { profile: { summary: describeProfile(detected), detected } };
}

/**
 * Sets the period of every `last_days` scenario to the N days ending on the UTC day of
 * the newest raw insert (`cd`) of the snapshot, and says so; without any `cd` the period
 * stays counted back from today.
 */
function anchorLastDays(plans: ScenarioPlan[], facts: FactResults, options: RunOptions, notes: Map<ScenarioPlan, string>): void {
  const inserts = facts.rawInserts;
  let newest: number | undefined;
  if (inserts?.ok) for (const r of inserts.value.rows) if (r.maxCd !== undefined && (newest === undefined || r.maxCd > newest)) newest = r.maxCd;
  for (const plan of plans) {
    const n = plan.scenario.lastDays;
    if (n === undefined) continue;
    if (newest === undefined) {
      plan.period = intersectPeriods(plan.scenario.period, options.period ?? {});
      notes.set(plan, `last_days ${n} counted back from today: no raw document with an insertion time (cd) to count back from${inserts && !inserts.ok ? ` (${inserts.error})` : ""}`);
      continue;
    }
    const end = new Date(newest).toISOString().slice(0, 10);
    const from = new Date(Date.parse(`${end}T00:00:00Z`) - (n - 1) * 86400000).toISOString().slice(0, 10);
    plan.period = intersectPeriods({ from, to: end }, options.period ?? {});
    notes.set(plan, `last_days ${n}: ${from} .. ${end}, counted back from the newest raw data of this snapshot (newest drill insert ${new Date(newest).toISOString()}), not from today`);
  }
}

/** Everything the checks read, gathered before any check is evaluated. */
interface Gathered {
  facts: FactResults;
  queries: QueryResults;
  externals: Map<ScenarioCheck, { ok: true; value: unknown } | { ok: false; error: string }>;
  /** Points of per-day series the run's cases may still keep. */
  series: SeriesBudget;
}

/** Runs each check entry's `external()` once (e.g. the backup comparison of `matches-backup`). */
async function computeExternals(scenarios: readonly Scenario[], registry: ReadonlyMap<string, CheckDefinition>, source: Source): Promise<Gathered["externals"]> {
  const out: Gathered["externals"] = new Map();
  for (const s of scenarios) {
    for (const check of s.checks) {
      const def = registry.get(check.kind)!;
      if (!def.external) continue;
      try {
        out.set(check, { ok: true, value: await def.external(check.options, source) });
      } catch (e) {
        out.set(check, { ok: false, error: (e as Error).message });
      }
    }
  }
  return out;
}

interface ScenarioPlan {
  scenario: Scenario;
  apps: AppInfo[];
  unknownApps: string[];
  period: Period;
}

function planScenario(scenario: Scenario, basics: SourceBasics, options: RunOptions): ScenarioPlan {
  const { apps, unknown } = selectApps(basics.apps, scenario.apps, options.apps);
  return { scenario, apps, unknownApps: unknown, period: intersectPeriods(scenario.period, options.period ?? {}) };
}

function evaluateScenario(plan: ScenarioPlan, gathered: Gathered, options: RunOptions): SuiteResult {
  const started = Date.now();
  const { scenario } = plan;
  const cases: CaseResult[] = [];
  for (const check of scenario.checks) {
    const def = options.registry.get(check.kind)!;
    if (plan.unknownApps.length) {
      cases.push(errorCase(scenario, check, undefined, `no app with id or name ${plan.unknownApps.map((a) => JSON.stringify(a)).join(", ")} in this database`));
      continue;
    }
    if (isPerApp(def, check.options)) {
      if (plan.apps.length === 0) cases.push(skippedCase(scenario, check, undefined, "no apps selected"));
      for (const app of plan.apps) cases.push(evaluateCase(scenario, check, def, app, plan.period, gathered, options));
    } else {
      cases.push(evaluateCase(scenario, check, def, undefined, plan.period, gathered, options));
    }
  }
  return { name: scenario.name, description: scenario.description, file: scenario.file, timestamp: new Date(started).toISOString(), durationMs: Date.now() - started, cases };
}

function evaluateCase(
  scenario: Scenario,
  check: ScenarioCheck,
  def: CheckDefinition,
  app: AppInfo | undefined,
  period: Period,
  gathered: Gathered,
  options: RunOptions,
): CaseResult {
  const started = Date.now();
  const { facts, queries } = gathered;
  if (app?.problem) return errorCase(scenario, check, app, app.problem);
  for (const req of def.needs(check.options)) {
    const outcome = facts[req.fact];
    if (!outcome) return errorCase(scenario, check, app, `fact ${req.fact} was not computed (internal error)`);
    if (!outcome.ok) return errorCase(scenario, check, app, `could not read the data: ${outcome.error}`);
  }
  let results: Record<string, QueryRows> | undefined;
  if (def.queries) {
    const q = queries.get(check)?.get(app?.id ?? "");
    if (!q) return errorCase(scenario, check, app, "the check's pipelines were not run (internal error)");
    if (!q.ok) return errorCase(scenario, check, app, q.error);
    results = q.results;
  }
  const external = gathered.externals.get(check);
  if (external && !external.ok) return errorCase(scenario, check, app, external.error);
  const findings: Finding[] = [];
  let total = 0;
  const max = options.maxFindings ?? DEFAULT_MAX_FINDINGS;
  const ref = app ? appRef(app) : undefined;
  const scoped = new Map<FactName, unknown>();
  const series = new CaseSeries(gathered.series);
  const ctx: CheckContext<Record<string, unknown>> = {
    options: check.options,
    app: app ?? { id: "", name: "", timezone: "UTC" },
    period,
    severity: check.severity,
    facts: {
      get<K extends FactName>(name: K): FactValues[K] {
        const outcome = facts[name];
        if (!outcome || !outcome.ok) throw new Error(`fact ${name} was not requested by the check's needs()`);
        if (!app) return outcome.value as FactValues[K];
        if (!scoped.has(name)) scoped.set(name, scopeFact(outcome.value as FactValues[K], app.id, period));
        return scoped.get(name) as FactValues[K];
      },
      inPeriod: (day) => inPeriod(day, period),
    },
    results,
    external: external?.value,
    report(f: CheckFinding) {
      total++;
      if (findings.length < max) findings.push(ref ? { app: ref, ...f } : f);
    },
    reportMore(count: number) {
      if (count > 0) total += count;
    },
    series: (s) => series.add(s),
  };
  let skipped: string | undefined;
  try {
    skipped = def.evaluate(ctx)?.skipped;
  } catch (e) {
    if (e instanceof CheckDataError) return errorCase(scenario, check, app, e.message);
    return errorCase(scenario, check, app, `check failed to evaluate: ${(e as Error).stack ?? e}`);
  }
  const base = caseBase(scenario, check, app);
  const durationMs = Date.now() - started;
  if (total > 0) {
    return { ...base, outcome: violationOutcome(check.severity), findings, findingsTotal: total, message: `${total} finding${total === 1 ? "" : "s"}: ${findings[0]?.message ?? ""}`, remediation: def.meta.remediation, durationMs, ...series.result() };
  }
  if (skipped !== undefined) return { ...base, outcome: "skipped", message: skipped, durationMs };
  return { ...base, outcome: "passed", durationMs, ...series.result() };
}

function caseBase(scenario: Scenario, check: ScenarioCheck, app: AppInfo | undefined): Omit<CaseResult, "outcome" | "durationMs"> {
  return {
    checkId: check.id,
    kind: check.kind,
    app: app ? appRef(app) : undefined,
    name: app ? `${check.id} [${app.name} ${app.id}]` : check.id,
    classname: `${scenario.name}.${check.id}`,
    severity: check.severity,
    findings: [],
    findingsTotal: 0,
    file: scenario.file,
    line: check.line,
  };
}

function errorCase(scenario: Scenario, check: ScenarioCheck, app: AppInfo | undefined, message: string): CaseResult {
  return { ...caseBase(scenario, check, app), outcome: "error", message, durationMs: 0 };
}

function skippedCase(scenario: Scenario, check: ScenarioCheck, app: AppInfo | undefined, message: string): CaseResult {
  return { ...caseBase(scenario, check, app), outcome: "skipped", message, durationMs: 0 };
}

/**
 * What the source warned about while reading (e.g. a large collection scanned for want of
 * an index), as one suite of `warned` cases: every report shows them as it shows a check
 * with `severity: warn`, and they do not fail the run.
 */
function sourceWarningSuite(warnings: readonly SourceWarning[], description: string, file: string): SuiteResult {
  const suite = "source";
  return {
    name: suite,
    description: `What reading ${description} revealed`,
    file,
    timestamp: new Date().toISOString(),
    durationMs: 0,
    cases: warnings.map((w) => ({
      checkId: w.id,
      kind: SOURCE_WARNING_KIND,
      name: w.id,
      classname: `${suite}.${w.id}`,
      outcome: "warned" as const,
      severity: "warn" as const,
      findings: [{ message: w.message }],
      findingsTotal: 1,
      message: w.message,
      remediation: w.remediation,
      file,
      line: 1,
      durationMs: 0,
    })),
  };
}

/** Every case of a report for a source that could not be read: CI still shows what happened. */
export function unreadableSourceResult(scenarios: readonly Scenario[], sourceDescription: string, message: string): RunResult {
  const now = new Date().toISOString();
  const suites = scenarios.map((s) => ({
    name: s.name,
    description: s.description,
    file: s.file,
    timestamp: now,
    durationMs: 0,
    cases: s.checks.map((c) => errorCase(s, c, undefined, message)),
  }));
  ensureUniqueNames(suites);
  return { tool: { name: "countly-check", version: VERSION }, source: sourceDescription, startedAt: now, durationMs: 0, suites };
}

function appRef(app: AppInfo): AppRef {
  return { id: app.id, name: app.name };
}

function unique(apps: AppInfo[]): AppInfo[] {
  return [...new Map(apps.map((a) => [a.id, a])).values()];
}

/**
 * Test case names stay unique across the report (GitLab keeps only the last of equal
 * names). Compared as a JUnit consumer reads them: without what the XML writer strips
 * (ANSI codes, XML-invalid characters, lone surrogates) and with TAB/CR/LF read as a
 * space (XML attribute-value normalisation), so "a\t" and "a " are the same name.
 */
function ensureUniqueNames(suites: SuiteResult[]): void {
  const seen = new Set<string>();
  const key = (name: string) => xmlSafe(name).replace(/\r\n?|[\t\n]/g, " ");
  for (const s of suites) {
    for (const c of s.cases) {
      let name = c.name;
      if (seen.has(key(name))) name = `${c.name} (${s.name})`;
      for (let i = 2; seen.has(key(name)); i++) name = `${c.name} (${s.name} #${i})`;
      c.name = name;
      seen.add(key(name));
    }
  }
}
