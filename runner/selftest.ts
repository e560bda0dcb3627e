// `countly-check selftest`: proves a scenario's checks on generated data, the way the
// mutation matrix proves the built-in ones. For N dataset seeds (fixtures/generate.ts,
// both Countly layouts unless the scenario's `selftest.layouts` says otherwise):
//   - on the consistent dataset every check must pass (skipped cases allowed);
//   - for every corruption `selftest.must_catch` names for a check, the check must fail
//     on the corrupted dataset, wherever the corruption changed the data.
// Each (check, consistent) and (check, corruption) pair is one test case of the result,
// so the usual reporters (console, JUnit, JSON) apply; a counterexample names its seed
// and the command that replays it. The data never leaves memory (FixtureSource).
import { BSON } from "bson";
import type { CheckDefinition } from "../checks/types.ts";
import type { Layout } from "../countly/layout.ts";
import { applyCorruptions, CORRUPTIONS } from "../fixtures/corruptions.ts";
import { BUILDS, layoutOfBuild, type Build, type Dataset } from "../fixtures/dataset.ts";
import { generateDataset, type GenerateOptions } from "../fixtures/generate.ts";
import { violated, type CaseResult, type Finding, type RunResult, type SuiteResult } from "./model.ts";
import { runScenarios } from "./run.ts";
import type { Scenario, ScenarioCheck } from "./scenario/types.ts";
import { FixtureSource } from "./sources/fixture-source.ts";
import { VERSION } from "./version.ts";

export const DEFAULT_SELFTEST_RUNS = 20;
export const DEFAULT_SELFTEST_SEED = 1;
const ALL_LAYOUTS: readonly Layout[] = ["current", "legacy"];
/** Counterexamples listed per test case (all are counted). */
const MAX_COUNTEREXAMPLES = 20;

export interface SelftestOptions {
  registry: ReadonlyMap<string, CheckDefinition>;
  /** Datasets per scenario (default 20). */
  runs?: number;
  /** Seed of the first dataset; the others follow (default 1). */
  seed?: number;
  /** Generator options besides the layout (tests make smaller datasets). */
  generate?: Omit<GenerateOptions, "layout">;
  /** Called after each dataset, for progress. */
  onDataset?: (scenario: string, done: number, runs: number) => void;
}

/** The layout a seed's dataset has, so `--seed S --runs 1` replays exactly that dataset. */
export function layoutOfSeed(seed: number, layouts: readonly Layout[]): Layout {
  return layouts[((seed % layouts.length) + layouts.length) % layouts.length]!;
}

/**
 * The Countly build a seed's dataset is written by: the seed's layout, and for the current
 * layout the 25.x builds in turn (with and without segment documents), so every healthy
 * build profile is generated and `--seed S --runs 1` replays exactly that dataset.
 */
export function buildOfSeed(seed: number, layouts: readonly Layout[]): Build {
  const layout = layoutOfSeed(seed, layouts);
  const builds = BUILDS.filter((b) => layoutOfBuild(b) === layout);
  const turn = Math.floor(seed / layouts.length);
  return builds[((turn % builds.length) + builds.length) % builds.length]!;
}

interface Tally {
  /** Datasets on which the property was tested (for corruptions: where the corruption changed something). */
  tested: number;
  /** Cases that ran (not skipped) over those datasets. */
  ran: number;
  counterexamples: Finding[];
  error?: string;
  firstSeed?: number;
  firstMessage?: string;
}

const newTally = (): Tally => ({ tested: 0, ran: 0, counterexamples: [] });

export async function selftestScenarios(scenarios: readonly Scenario[], options: SelftestOptions): Promise<RunResult> {
  const started = Date.now();
  const runs = options.runs ?? DEFAULT_SELFTEST_RUNS;
  const seed0 = options.seed ?? DEFAULT_SELFTEST_SEED;
  const suites: SuiteResult[] = [];
  for (const scenario of scenarios) suites.push(await selftestScenario(scenario, runs, seed0, options));
  const layouts = [...new Set(scenarios.flatMap((s) => s.selftestLayouts ?? ALL_LAYOUTS))];
  return {
    tool: { name: "countly-check", version: VERSION },
    source: `selftest: ${runs} generated dataset${runs === 1 ? "" : "s"} per scenario (seeds ${seed0}..${seed0 + runs - 1}; ${layouts.join(" and ")} layout${layouts.length === 1 ? "" : "s"}; Countly builds ${BUILDS.filter((b) => layouts.includes(layoutOfBuild(b))).join(", ")})`,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    suites,
  };
}

async function selftestScenario(scenario: Scenario, runs: number, seed0: number, options: SelftestOptions): Promise<SuiteResult> {
  const started = Date.now();
  // The generated data has its own apps and days: the scenario's filters do not apply.
  const base: Scenario = { ...scenario, apps: undefined, period: {}, lastDays: undefined };
  const layouts = scenario.selftestLayouts?.length ? scenario.selftestLayouts : ALL_LAYOUTS;
  const consistent = new Map(scenario.checks.map((c) => [c.id, newTally()]));
  const mustCatch = scenario.mustCatch ?? {};
  const corruptions = [...new Set(Object.values(mustCatch).flat())];
  const catching = new Map(corruptions.map((name) => [name, scenario.checks.filter((c) => mustCatch[c.id]?.includes(name))]));
  const caught = new Map<string, Tally>(scenario.checks.flatMap((c) => (mustCatch[c.id] ?? []).map((name) => [`${c.id}\u0000${name}`, newTally()] as const)));
  const replay = (seed: number) => `countly-check selftest ${scenario.file} --seed ${seed} --runs 1`;

  for (let i = 0; i < runs; i++) {
    const seed = seed0 + i;
    const build = buildOfSeed(seed, layouts);
    const layout = layoutOfBuild(build);
    const where = `seed ${seed} (${build} build, ${layout} layout)`;
    let dataset: Dataset;
    try {
      dataset = generateDataset(seed, { ...options.generate, build });
    } catch (e) {
      for (const t of [...consistent.values(), ...caught.values()]) t.error ??= `generating the dataset for ${where} failed: ${(e as Error).message}`;
      continue;
    }

    const cases = await runOn(base, dataset, options.registry);
    /** Checks with nothing to check in this build's consistent data (every case skipped, e.g. segments on a totals-only build). */
    const idle = new Set(scenario.checks.filter((check) => cases.filter((c) => c.checkId === check.id).every((c) => c.outcome === "skipped")).map((c) => c.id));
    for (const check of scenario.checks) {
      const t = consistent.get(check.id)!;
      t.tested++;
      const mine = cases.filter((c) => c.checkId === check.id);
      t.ran += mine.filter((c) => c.outcome !== "skipped").length;
      const error = mine.find((c) => c.outcome === "error");
      if (error) {
        t.error ??= `${where}: ${error.name}: ${error.message ?? "could not be evaluated"}`;
        continue;
      }
      for (const c of mine.filter(violated)) {
        const first = c.findings[0];
        const text = `${c.findingsTotal} finding${c.findingsTotal === 1 ? "" : "s"} on consistent data${first ? `, e.g. ${first.message}` : ""}`;
        record(t, seed, { ...(first?.event ? { event: first.event } : {}), ...(first?.day ? { day: first.day } : {}), app: c.app, message: `${where}: ${text} (replay: ${replay(seed)})` }, text);
      }
    }

    for (const name of corruptions) {
      const checks = catching.get(name)!;
      // A corruption of what this layout does not have (e.g. all_key documents in the legacy layout) proves nothing here.
      if (CORRUPTIONS[name]?.layouts && !CORRUPTIONS[name]!.layouts!.includes(layout)) continue;
      let corrupted: Dataset;
      try {
        corrupted = applyCorruptions(dataset, [name]);
      } catch (e) {
        for (const c of checks) caught.get(`${c.id}\u0000${name}`)!.error ??= `applying ${name} to ${where} failed: ${(e as Error).message}`;
        continue;
      }
      // A corruption that changes nothing on this dataset (e.g. no views to empty) proves nothing here.
      if (sameData(dataset, corrupted)) continue;
      const ccases = await runOn({ ...base, checks: checks }, corrupted, options.registry);
      for (const check of checks) {
        const t = caught.get(`${check.id}\u0000${name}`)!;
        t.tested++;
        const mine = ccases.filter((c) => c.checkId === check.id);
        // Nothing to check in this build, before and after: this dataset proves nothing about the check.
        if (idle.has(check.id) && mine.every((c) => c.outcome === "skipped")) {
          t.tested--;
          continue;
        }
        t.ran += mine.filter((c) => c.outcome !== "skipped").length;
        const error = mine.find((c) => c.outcome === "error");
        if (error) {
          t.error ??= `${where} with ${name}: ${error.name}: ${error.message ?? "could not be evaluated"}`;
          continue;
        }
        if (mine.some(violated)) continue;
        const how = mine.length === 0 ? "no case ran" : mine.every((c) => c.outcome === "skipped") ? `skipped (${mine[0]!.message ?? ""})` : "passed";
        const text = `${name} changed the data but the check ${how}`;
        record(t, seed, { message: `${where}: ${text} (replay: ${replay(seed)})` }, text);
      }
    }
    options.onDataset?.(scenario.name, i + 1, runs);
  }

  const cases: CaseResult[] = [];
  const common = (check: ScenarioCheck) => ({
    checkId: check.id,
    kind: check.kind,
    classname: `${scenario.name}.${check.id}`,
    severity: "error" as const,
    file: scenario.file,
    line: check.line,
    durationMs: 0,
  });
  for (const check of scenario.checks) {
    const t = consistent.get(check.id)!;
    cases.push({
      ...common(check),
      name: `${check.id} passes on consistent data`,
      ...verdict(t, runs, {
        passed: `passed on ${t.tested} consistent dataset${t.tested === 1 ? "" : "s"}${t.ran === 0 ? " (every case was skipped: nothing in the generated data for it)" : ""}`,
        failed: (n) => `fails on ${n} of ${t.tested} consistent datasets; first: seed ${t.firstSeed}: ${t.firstMessage} — replay: ${replay(t.firstSeed!)}`,
        remediation: "The check reports consistent data as broken: narrow the pipeline (or its expectation) to what is really an invariant of Countly's data, and replay the seed to see the data.",
      }),
    });
    for (const name of mustCatch[check.id] ?? []) {
      const t = caught.get(`${check.id}\u0000${name}`)!;
      const c = verdict(t, runs, {
        passed: `caught ${name} on all ${t.tested} dataset${t.tested === 1 ? "" : "s"} it changed`,
        failed: (n) => `missed ${name} on ${n} of ${t.tested} datasets it changed; first: seed ${t.firstSeed} — replay: ${replay(t.firstSeed!)}`,
        remediation: `The check does not fail on data corrupted by ${name}: make it look at what ${name} breaks (\`countly-check fixture --list-corruptions\` describes it; \`countly-check fixture --seed <seed> --corrupt ${name}\` writes the data), or drop ${name} from selftest.must_catch.`,
      });
      if (t.tested === 0 && !t.error) {
        Object.assign(c, {
          outcome: "failed",
          findings: [{ message: `${name} changed nothing in the ${runs} generated dataset${runs === 1 ? "" : "s"} (${layouts.join("/")} layout)` }],
          findingsTotal: 1,
          message: `${name} never changed the generated data, so catching it is unproven; raise --runs or check selftest.layouts`,
        });
      }
      cases.push({ ...common(check), name: `${check.id} catches ${name}`, ...c });
    }
  }
  return { name: `${scenario.name} (selftest)`, description: scenario.description, file: scenario.file, timestamp: new Date(started).toISOString(), durationMs: Date.now() - started, cases };
}

function record(t: Tally, seed: number, finding: Finding, message: string): void {
  if (t.firstSeed === undefined) {
    t.firstSeed = seed;
    t.firstMessage = message;
  }
  // One counterexample per dataset.
  const last = t.counterexamples[t.counterexamples.length - 1];
  if (last?.message.startsWith(`seed ${seed} `)) return;
  t.counterexamples.push(finding);
}

function verdict(
  t: Tally,
  _runs: number,
  text: { passed: string; failed: (n: number) => string; remediation: string },
): Pick<CaseResult, "outcome" | "findings" | "findingsTotal" | "message" | "remediation"> {
  if (t.error) return { outcome: "error", findings: [], findingsTotal: 0, message: t.error };
  const n = t.counterexamples.length;
  if (n > 0) return { outcome: "failed", findings: t.counterexamples.slice(0, MAX_COUNTEREXAMPLES), findingsTotal: n, message: text.failed(n), remediation: text.remediation };
  return { outcome: "passed", findings: [], findingsTotal: 0, message: text.passed };
}

async function runOn(scenario: Scenario, dataset: Dataset, registry: ReadonlyMap<string, CheckDefinition>): Promise<CaseResult[]> {
  const run = await runScenarios([scenario], new FixtureSource(dataset), { registry, maxFindings: 5 });
  return run.suites.flatMap((s) => s.cases);
}

/** The two datasets hold the same documents (compared as BSON bytes). */
export function sameData(a: Dataset, b: Dataset): boolean {
  const dbs = new Set([...Object.keys(a.databases), ...Object.keys(b.databases)]);
  for (const db of dbs) {
    const ca = a.databases[db] ?? {};
    const cb = b.databases[db] ?? {};
    const names = new Set([...Object.keys(ca), ...Object.keys(cb)]);
    for (const name of names) {
      // A missing collection and an empty one read the same.
      const da = ca[name] ?? [];
      const dbDocs = cb[name] ?? [];
      if (da === dbDocs) continue;
      if (da.length !== dbDocs.length) return false;
      for (let i = 0; i < da.length; i++) {
        if (da[i] === dbDocs[i]) continue;
        if (!bytesEqual(BSON.serialize(da[i]!), BSON.serialize(dbDocs[i]!))) return false;
      }
    }
  }
  return true;
}

function bytesEqual(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
