// `countly-check fixture`: a generated Countly dataset, optionally corrupted, written as a mongodump folder.
import { CORRUPTIONS, CorruptionOrderError, applyCorruptions } from "../../fixtures/corruptions.ts";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { BUILDS, buildOf, layoutOfBuild, type Build } from "../../fixtures/dataset.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { EXIT } from "../model.ts";
import { intOption, parse } from "./args.ts";
import { FIXTURE_HELP } from "./help.ts";
import { UsageError, type CliIO } from "./io.ts";

export async function fixtureCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    out: { type: "string" },
    seed: { type: "string" },
    corrupt: { type: "string", multiple: true },
    layout: { type: "string" },
    build: { type: "string" },
    events: { type: "string" },
    gzip: { type: "boolean" },
    "list-corruptions": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(FIXTURE_HELP);
    return EXIT.ok;
  }
  if (values["list-corruptions"]) {
    for (const c of Object.values(CORRUPTIONS)) io.stdout(`${c.name.padEnd(28)} ${c.description}\n`);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]} (use --out DIR)`);
  if (!values.out) throw new UsageError("--out DIR is required");
  const build = values.build as Build | undefined;
  if (build !== undefined && !BUILDS.includes(build)) throw new UsageError(`--build ${build}: expected ${BUILDS.join(", ")}`);
  const layout = values.layout ?? (build ? layoutOfBuild(build) : "current");
  if (layout !== "current" && layout !== "legacy") throw new UsageError(`--layout ${layout}: expected current or legacy`);
  if (build && layoutOfBuild(build) !== layout) throw new UsageError(`--build ${build} writes the ${layoutOfBuild(build)} layout, not --layout ${layout}`);
  const seed = intOption("seed", values.seed) ?? 1;
  const rawEvents = intOption("events", values.events, 1);
  for (const name of values.corrupt ?? []) {
    if (!CORRUPTIONS[name]) throw new UsageError(`unknown corruption "${name}" (known: ${Object.keys(CORRUPTIONS).join(", ")})`);
    const layouts = CORRUPTIONS[name]!.layouts;
    if (layouts && !layouts.includes(layout)) throw new UsageError(`corruption "${name}" applies to the ${layouts.join(" and ")} layout only, not --layout ${layout}`);
  }
  const generated = generateDataset(seed, { layout, ...(build ? { build } : {}), ...(rawEvents ? { rawEvents } : {}) });
  let dataset: typeof generated;
  try {
    dataset = applyCorruptions(generated, values.corrupt ?? []);
  } catch (e) {
    // the order of --corrupt is the user's input: a usage error, not an internal one
    if (e instanceof CorruptionOrderError) throw new UsageError(`--corrupt: ${e.message}`);
    throw e;
  }
  await writeDump(dataset, values.out, { gzip: values.gzip });
  const counts = Object.entries(dataset.databases).map(([db, colls]) => `${db}: ${Object.keys(colls).length} collections, ${Object.values(colls).reduce((n, d) => n + d.length, 0)} documents`);
  io.stdout(
    `Wrote ${values.out}/dump (seed ${seed}, ${layout} layout, ${buildOf(dataset).build} build${dataset.corruptions.length ? `, corrupted: ${dataset.corruptions.join(", ")}` : ", consistent"})\n` +
      `  apps: ${dataset.apps.map((a) => `${a.name} (${a.id}, ${a.timezone})`).join("; ")}\n` +
      counts.map((c) => `  ${c}\n`).join(""),
  );
  return EXIT.ok;
}
