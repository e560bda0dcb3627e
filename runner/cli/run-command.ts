// `countly-check run`: scenarios -> source -> checks -> console, JUnit, JSON -> exit code.
import { CHECKS } from "../../checks/index.ts";
import { EXIT, type RunResult } from "../model.ts";
import { intersectPeriods } from "../plan.ts";
import { gatherReads, runScenarios, unreadableSourceResult, type RunOptions } from "../run.ts";
import { discoverScenarios } from "../scenario/discover.ts";
import { loadScenarioFile } from "../scenario/load.ts";
import { CORRUPTION_NAMES } from "../scenario/corruption-names.ts";
import { ScenarioError, type Scenario } from "../scenario/types.ts";
import { isMongoUri, sourceFor } from "../sources/open.ts";
import type { MongoSourceOptions } from "../sources/mongo/connect.ts";
import { ReportWriteError, writeReportFile } from "../../reports/write.ts";
import { SourceError } from "../sources/source.ts";
import { bytesOption, dayOption, intOption, parse } from "./args.ts";
import { RUN_HELP } from "./help.ts";
import { UsageError, type CliIO } from "./io.ts";
import { progressPrinter } from "./progress.ts";
import { mongoOptions } from "./mongo-options.ts";
import { describeParallel } from "../sources/dump/parallel/jobs.ts";
import { describeScanner } from "../sources/dump/bson-walk-native.ts";
import { REPORT_OPTIONS, reportTargets, writeReports } from "./output.ts";
import { commandScrubber, sourceFromDefaultVariable, sourceFromFlags } from "./source-option.ts";

export const DEFAULT_JUNIT = "reports/junit.xml";

export async function runCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    source: { type: "string", short: "s" },
    "source-env": { type: "string" },
    ...REPORT_OPTIONS,
    app: { type: "string", multiple: true },
    from: { type: "string" },
    to: { type: "string" },
    "max-findings": { type: "string" },
    "max-memory": { type: "string" },
    jobs: { type: "string" },
    "read-preference": { type: "string" },
    "read-concern": { type: "string" },
    "max-time-ms": { type: "string" },
    "connect-timeout-ms": { type: "string" },
    "scan-warning-docs": { type: "string" },
    timeout: { type: "string" },
    progress: { type: "boolean" },
    explain: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(RUN_HELP);
    return EXIT.ok;
  }
  const period = { from: dayOption("from", values.from), to: dayOption("to", values.to) };
  if (period.from && period.to && period.from > period.to) throw new UsageError(`--from ${period.from} is after --to ${period.to}`);
  const maxFindings = intOption("max-findings", values["max-findings"], 1);
  const maxMemory = bytesOption("max-memory", values["max-memory"]);
  const jobs = intOption("jobs", values.jobs, 1);
  const timeoutMs = intOption("timeout", values.timeout, 1);
  // A scan warning is printed when found, before the scan it warns of starts (the reports have it too).
  const mongo = { ...mongoOptions(values), onWarning: (message: string) => io.stderr(`countly-check: warning: ${message}\n`) };
  const targets = reportTargets(values, { junit: DEFAULT_JUNIT });
  const given = sourceFromFlags("source", values.source, values["source-env"], io.env) ?? sourceFromDefaultVariable(io.env);

  const scenarios = await loadAll(positionals, io);
  checkPeriods(scenarios, period);
  const safe = commandScrubber([given, ...scenarios.map((s) => s.source)], io.env);
  const sourceSpec = given ?? scenarioSource(scenarios, safe);
  const showProgress = !values.quiet && (values.progress || io.isTTY);
  if (values.explain) return explainRun(scenarios, sourceSpec, { registry: CHECKS, apps: values.app, period, maxMemory }, { ...mongo, explain: true }, values.json, io, safe);

  // a dump's scanner (wasm or the JavaScript walk), told with --progress; a bad COUNTLY_CHECK_SCANNER is a usage error
  if (!isMongoUri(sourceSpec)) {
    const scanner = describeScanner();
    if (scanner.error) throw new UsageError(scanner.text);
    if (showProgress) io.stderr(`${scanner.text}\n`);
  }

  let run: RunResult;
  try {
    const source = await sourceFor(sourceSpec, { dump: { onProgress: showProgress ? progressPrinter(io.stderr, { tty: io.stderrIsTTY ?? false }) : undefined, jobs, onParallel: showProgress ? (r) => io.stderr(`${describeParallel(r)}\n`) : undefined }, mongo });
    try {
      run = await runScenarios(scenarios, source, { registry: CHECKS, apps: values.app, period, maxFindings, timeoutMs, maxMemory });
    } finally {
      await source.close();
    }
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    const message = safe(e.message);
    io.stderr(`countly-check: the source could not be read: ${message}\n`);
    run = unreadableSourceResult(scenarios, safe(sourceSpec), message);
  }

  return writeReports(run, targets, io, safe);
}

/**
 * `--explain`: the plan of every find, aggregate and count the run would send (explain,
 * verbosity queryPlanner), printed, and as JSON with --json; no check is evaluated.
 * Exit 0 when every query was explained, 3 when the source could not be read or a query
 * could not be explained, 2 (usage) for a source that is not MongoDB.
 */
async function explainRun(scenarios: readonly Scenario[], spec: string, options: RunOptions, mongo: MongoSourceOptions, json: string | undefined, io: CliIO, safe: (text: string) => string): Promise<number> {
  if (!isMongoUri(spec)) throw new UsageError("--explain needs a mongodb:// source: it asks the server's query planner (a dump is read whole, without queries)");
  const source = await sourceFor(spec, { mongo });
  try {
    await gatherReads(scenarios, source, options);
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    io.stderr(`countly-check: the source could not be read: ${safe(e.message)}\n`);
    return EXIT.source;
  } finally {
    await source.close();
  }
  const plans = source.plans?.() ?? [];
  const code = plans.some((p) => p.error) ? EXIT.source : EXIT.ok;
  const { explainConsole, explainJson, redactPlans } = await import("./explain-output.ts");
  const shown = redactPlans(plans, safe);
  const say = json === "-" ? io.stderr : io.stdout;
  say(explainConsole(safe(source.description), shown));
  if (json) {
    const text = explainJson(safe(source.description), shown, code);
    if (json === "-") io.stdout(text);
    else {
      try {
        await writeReportFile(json, text);
      } catch (e) {
        if (!(e instanceof ReportWriteError)) throw e;
        io.stderr(`countly-check: ${safe(e.message)}\n`);
        return EXIT.report;
      }
    }
  }
  return code;
}

/** Without --source, the scenarios' own `source:` (all must agree). */
function scenarioSource(scenarios: readonly Scenario[], safe: (text: string) => string): string {
  const given = [...new Set(scenarios.map((s) => s.source).filter((s): s is string => s !== undefined))];
  if (given.length === 0) throw new UsageError("--source is required: a mongodb:// URI or a dump directory (or --source-env NAME, COUNTLY_CHECK_SOURCE, or `source:` in the scenario)");
  if (given.length > 1) {
    const which = given.map((g) => `${safe(g)} (${scenarios.filter((s) => s.source === g).map((s) => s.file).join(", ")})`);
    throw new UsageError(`the scenarios name different sources: ${which.join("; ")}; pass --source`);
  }
  if (given[0]!.trim() === "") throw new UsageError(`${scenarios.find((s) => s.source !== undefined)!.file}: source: is empty (an unset variable?)`);
  return given[0]!;
}

/** `--from`/`--to` that leave a scenario no day to check would pass over nothing: a usage error instead. */
function checkPeriods(scenarios: readonly Scenario[], cli: { from?: string; to?: string }): void {
  for (const s of scenarios) {
    const p = intersectPeriods(s.period, cli);
    if (p.from !== undefined && p.to !== undefined && p.from > p.to) {
      throw new UsageError(`${s.file}: the period ${p.from} … ${p.to} is empty (scenario period ${s.period.from ?? "open"} … ${s.period.to ?? "open"}, --from ${cli.from ?? "unset"}, --to ${cli.to ?? "unset"}); nothing would be checked`);
    }
  }
}

/** Loads every scenario file; all files' errors are printed before giving up (exit 2). */
export async function loadAll(args: string[], io: CliIO): Promise<Scenario[]> {
  let files;
  try {
    files = await discoverScenarios(args);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const scenarios: Scenario[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      scenarios.push(await loadScenarioFile(f.path, { registry: CHECKS, env: io.env, displayName: f.display, corruptions: CORRUPTION_NAMES }));
    } catch (e) {
      if (e instanceof ScenarioError) problems.push(e.message);
      else throw e;
    }
  }
  if (problems.length) throw new UsageError(`invalid scenario:\n${problems.join("\n")}`);
  const names = new Map<string, Scenario>();
  const duplicates: string[] = [];
  for (const s of scenarios) {
    const first = names.get(s.name);
    if (first) duplicates.push(`${s.file}:${s.nameLine ?? 1}:${s.nameColumn ?? 1} name: scenario name ${JSON.stringify(s.name)} is already used by ${first.file}:${first.nameLine ?? 1}:${first.nameColumn ?? 1}; suite names must be unique`);
    else names.set(s.name, s);
  }
  if (duplicates.length) throw new UsageError(`invalid scenario:\n${duplicates.join("\n")}`);
  return scenarios;
}
