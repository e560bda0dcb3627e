// `countly-check selftest`: proves each scenario's checks on generated datasets
// (runner/selftest.ts) and reports like `run` (console, JUnit, JSON, exit code).
import { CHECKS } from "../../checks/index.ts";
import { EXIT } from "../model.ts";
import { DEFAULT_SELFTEST_RUNS, DEFAULT_SELFTEST_SEED, selftestScenarios } from "../selftest.ts";
import { intOption, parse } from "./args.ts";
import { SELFTEST_HELP } from "./help.ts";
import type { CliIO } from "./io.ts";
import { loadAll } from "./run-command.ts";
import { REPORT_OPTIONS, reportTargets, writeReports } from "./output.ts";

export async function selftestCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    runs: { type: "string" },
    seed: { type: "string" },
    ...REPORT_OPTIONS,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(SELFTEST_HELP);
    return EXIT.ok;
  }
  const targets = reportTargets(values);
  const runs = intOption("runs", values.runs, 1) ?? DEFAULT_SELFTEST_RUNS;
  const seed = intOption("seed", values.seed) ?? DEFAULT_SELFTEST_SEED;
  const scenarios = await loadAll(positionals, io);
  const result = await selftestScenarios(scenarios, { registry: CHECKS, runs, seed });

  return writeReports(result, { ...targets, announce: false }, io);
}
