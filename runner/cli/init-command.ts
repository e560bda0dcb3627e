// `countly-check init [FILE]`: writes a commented starter scenario (never over an existing file).
import { open } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import { EXIT } from "../model.ts";
import { packageFile } from "../package-files.ts";
import { starterScenario } from "../scenario/starter.ts";
import { parse } from "./args.ts";
import { INIT_HELP } from "./help.ts";
import { UsageError, type CliIO } from "./io.ts";

export const DEFAULT_INIT_FILE = "countly-check.yaml";
/** The JSON Schema shipped with this copy of countly-check. */
const SCHEMA_FILE = packageFile("scenario.schema.json");

export async function initCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, { help: { type: "boolean", short: "h" } });
  if (values.help) {
    io.stdout(INIT_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`init takes one file (got ${positionals.join(" ")})`);
  const file = positionals[0] ?? DEFAULT_INIT_FILE;
  // The schema path relative to the new file, so editors find it from wherever it is.
  let schemaRef = relative(dirname(resolve(file)), SCHEMA_FILE).split(sep).join("/");
  if (!schemaRef.startsWith(".")) schemaRef = `./${schemaRef}`;
  let handle;
  try {
    handle = await open(file, "wx");
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "EEXIST") throw new UsageError(`${file} already exists; init never overwrites a file (give another name: countly-check init FILE)`);
    throw new UsageError(`cannot create ${file}: ${(e as Error).message}`);
  }
  try {
    await handle.writeFile(starterScenario(schemaRef), "utf8");
  } finally {
    await handle.close();
  }
  io.stdout(
    `Wrote ${file}, a starter scenario with comments on each part.\n` +
      `Next:\n` +
      `  npx countly-check selftest ${file}                  # prove its checks on generated data\n` +
      `  npx countly-check run ${file} --source <dump-dir | mongodb-uri>\n`,
  );
  return EXIT.ok;
}
