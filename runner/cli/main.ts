// The CLI core: dispatches a command and maps every outcome to a documented exit code.
// Commands are imported when dispatched, so `--version`, `help` and a dump run never load
// what they do not use (mongodb, mingo, fast-check, ajv): start-up stays near `node -e 0`.
import { EXIT } from "../model.ts";
import { VERSION } from "../version.ts";
import { MAIN_HELP } from "./help.ts";
import { UsageError, type CliIO } from "./io.ts";
import { secretScrubber } from "../redact.ts";
import { environmentUris } from "./source-option.ts";

type Command = (argv: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  run: async (argv, io) => (await import("./run-command.ts")).runCommand(argv, io),
  fixture: async (argv, io) => (await import("./fixture-command.ts")).fixtureCommand(argv, io),
  diff: async (argv, io) => (await import("../diff/command.ts")).diffCommand(argv, io),
  selftest: async (argv, io) => (await import("./selftest-command.ts")).selftestCommand(argv, io),
  init: async (argv, io) => (await import("./init-command.ts")).initCommand(argv, io),
  schema: async (argv, io) => {
    if (argv.includes("--help") || argv.includes("-h")) {
      io.stdout("Usage: countly-check schema\n\nPrints the JSON Schema of scenario files (for editors: # yaml-language-server: $schema=…).\n");
      return EXIT.ok;
    }
    if (argv.length) throw new UsageError(`schema takes no arguments (got ${argv.join(" ")})`);
    const [{ CHECKS }, { CORRUPTIONS }, { scenarioSchema }] = await Promise.all([
      import("../../checks/index.ts"),
      import("../../fixtures/corruptions.ts"),
      import("../scenario/schema.ts"),
    ]);
    io.stdout(`${JSON.stringify(scenarioSchema(CHECKS, Object.keys(CORRUPTIONS)), null, 2)}\n`);
    return EXIT.ok;
  },
  list: async (argv, io) => {
    if (argv.includes("--help") || argv.includes("-h")) {
      io.stdout("Usage: countly-check list\n\nLists the check kinds with their one-line descriptions.\n");
      return EXIT.ok;
    }
    if (argv.length) throw new UsageError(`list takes no arguments (got ${argv.join(" ")})`);
    const { CHECKS } = await import("../../checks/index.ts");
    const width = Math.max(...[...CHECKS.keys()].map((k) => k.length));
    for (const [kind, def] of [...CHECKS].sort(([a], [b]) => a.localeCompare(b))) io.stdout(`${kind.padEnd(width)}  ${def.meta.summary}\n`);
    return EXIT.ok;
  },
};

export async function main(argv: string[], rawIO: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  const io = scrubbedIO(argv, rawIO);
  try {
    if (command === "help" && rest.length) {
      if (rest.length > 1 || !COMMANDS[rest[0]!]) throw new UsageError(`help ${rest.join(" ")}: expected one command (${Object.keys(COMMANDS).join(", ")})`);
      return await COMMANDS[rest[0]!]!(["--help"], io);
    }
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      io.stdout(MAIN_HELP);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (command === "--version" || command === "-v" || rest.includes("--version")) {
      io.stdout(`${VERSION}\n`);
      return EXIT.ok;
    }
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(", ")})`);
    return await run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`countly-check: ${e.message}\nRun "countly-check ${command && COMMANDS[command] ? `${command} ` : ""}--help" for usage.\n`);
      return EXIT.usage;
    }
    // Bad input never gets here (it is a UsageError, ScenarioError or SourceError): this is our bug.
    io.stderr(
      `countly-check: internal error (a bug in countly-check, not in your data or scenarios): ${(e as Error).stack ?? e}\n` +
        "Please report it to the countly-check maintainers with the command you ran (credentials left out) and the lines above.\n",
    );
    return EXIT.source;
  }
}

/**
 * Every byte the CLI prints goes through the redaction rule: the URIs on the command line
 * and in the environment are known here, before any command parses them. Reports on stdout
 * (`--json -`) are already redacted value by value, so stdout only loses literal secrets.
 */
function scrubbedIO(argv: readonly string[], io: CliIO): CliIO {
  const uris = [...argv.map((a) => a.replace(/^--?[A-Za-z-]+=/, "")).filter((a) => a.includes("://")), ...environmentUris(io.env)];
  const text = secretScrubber(uris);
  const serialised = secretScrubber(uris, { literalOnly: true });
  return { ...io, stdout: (t) => io.stdout(serialised(t)), stderr: (t) => io.stderr(text(t)) };
}
