// `countly-check run`: scenarios -> source -> checks -> console, JUnit, JSON -> exit code.
import { CHECKS } from "../../checks/index.ts";
import { CORRUPTIONS } from "../../fixtures/corruptions.ts";
import { EXIT, type RunResult } from "../model.ts";
import { redactUri, scrubSecrets } from "../redact.ts";
import { runScenarios, unreadableSourceResult } from "../run.ts";
import { discoverScenarios } from "../scenario/discover.ts";
import { loadScenarioFile } from "../scenario/load.ts";
import { ScenarioError, type Scenario } from "../scenario/types.ts";
import { sourceFor } from "../sources/open.ts";
import { SourceError } from "../sources/source.ts";
import { bytesOption, dayOption, intOption, parse } from "./args.ts";
import { RUN_HELP } from "./help.ts";
import { UsageError, type CliIO } from "./io.ts";
import { progressPrinter } from "./progress.ts";
import { mongoOptions } from "./mongo-options.ts";
import { writeReports } from "./output.ts";

export const DEFAULT_JUNIT = "reports/junit.xml";

export async function runCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    source: { type: "string", short: "s" },
    junit: { type: "string" },
    json: { type: "string" },
    app: { type: "string", multiple: true },
    from: { type: "string" },
    to: { type: "string" },
    "max-findings": { type: "string" },
    "max-memory": { type: "string" },
    "read-preference": { type: "string" },
    "read-concern": { type: "string" },
    "max-time-ms": { type: "string" },
    "connect-timeout-ms": { type: "string" },
    progress: { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
    "no-color": { type: "boolean" },
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
  const mongo = mongoOptions(values);

  const scenarios = await loadAll(positionals, io);
  const sourceSpec = values.source ?? scenarioSource(scenarios);
  const junit = values.junit ?? DEFAULT_JUNIT;
  const secretUri = sourceSpec;
  const safe = (text: string) => scrubSecrets(text, secretUri);
  const showProgress = !values.quiet && (values.progress || io.isTTY);

  let run: RunResult;
  try {
    const source = await sourceFor(sourceSpec, { dump: { onProgress: showProgress ? progressPrinter(io.stderr, { tty: io.stderrIsTTY ?? false }) : undefined }, mongo });
    try {
      run = await runScenarios(scenarios, source, { registry: CHECKS, apps: values.app, period, maxFindings, maxMemory });
    } finally {
      await source.close();
    }
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    const message = safe(e.message);
    io.stderr(`countly-check: the source could not be read: ${message}\n`);
    run = unreadableSourceResult(scenarios, redactUri(sourceSpec), message);
  }

  return writeReports(run, { junit, json: values.json, quiet: values.quiet, noColor: values["no-color"] }, io, safe);
}

/** Without --source, the scenarios' own `source:` (all must agree). */
function scenarioSource(scenarios: readonly Scenario[]): string {
  const given = [...new Set(scenarios.map((s) => s.source).filter((s): s is string => !!s))];
  if (given.length === 0) throw new UsageError("--source is required: a mongodb:// URI or a dump directory (or `source:` in the scenario)");
  if (given.length > 1) throw new UsageError(`the scenarios name different sources (${given.map(redactUri).join(", ")}); pass --source`);
  return given[0]!;
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
      scenarios.push(await loadScenarioFile(f.path, { registry: CHECKS, env: io.env, displayName: f.display, corruptions: Object.keys(CORRUPTIONS) }));
    } catch (e) {
      if (e instanceof ScenarioError) problems.push(e.message);
      else throw e;
    }
  }
  if (problems.length) throw new UsageError(`invalid scenario:\n${problems.join("\n")}`);
  const names = new Map<string, string>();
  for (const s of scenarios) {
    const first = names.get(s.name);
    if (first) throw new UsageError(`${s.file}: scenario name "${s.name}" is already used by ${first}; suite names must be unique`);
    names.set(s.name, s.file);
  }
  return scenarios;
}
