// `countly-check diff --before <dump|uri> --after <dump|uri>`: did everything arrive, and
// does it still add up? Both sides -> diff engine -> result model -> console, JUnit, JSON.
import type { ReadPreferenceMode } from "mongodb";
import { bytesOption, intOption, parse } from "../cli/args.ts";
import { UsageError, type CliIO } from "../cli/io.ts";
import { EXIT, type RunResult } from "../model.ts";
import { redactUri } from "../redact.ts";
import { isMongoUri } from "../sources/open.ts";
import type { ScanReport } from "./buckets.ts";
import { DEFAULT_MAX_IDS, DiffSourceError, diffSides } from "./diff.ts";
import { DumpSide } from "./dump-side.ts";
import { diffToRun, unreadableDiffRun } from "./report.ts";
import { BACKUP_DATABASES, type DiffSide } from "./side.ts";
import { mongoOptions } from "../cli/mongo-options.ts";
import { REPORT_HELP } from "../cli/help.ts";
import { REPORT_OPTIONS, reportTargets, writeReports } from "../cli/output.ts";
import { commandScrubber, sourceFromFlags } from "../cli/source-option.ts";

export const DEFAULT_DIFF_JUNIT = "reports/diff-junit.xml";

export const DIFF_HELP = `Usage: countly-check diff --before <dump-dir | mongodb-uri> --after <dump-dir | mongodb-uri> [options]

Compares a backup with the restored database (or any two dumps or databases): per
database and collection, presence, document counts, indexes, and the documents
missing on one side or different (by _id; field order and numeric types such as
1 vs 1.0 do not count), plus the event totals per app, event and month the
dashboard shows. One JUnit test case per database.collection and per app.

Options:
      --before <dir|uri>  the backup: a \`countly backup\` / mongodump folder, or a mongodb:// URI (required)
      --after <dir|uri>   the restored side, the same way (required)
      --before-env <NAME>, --after-env <NAME>
                          take that side from the environment variable NAME instead
                          (keeps credentials out of the command line and /proc)
      --max-ids <N>       differing _ids named per collection (default ${DEFAULT_MAX_IDS}; the rest are counted)
      --max-memory <SIZE> what the event totals may hold, e.g. 512M (default 1G); past it the
                          totals comparison is an error naming what grew (exit 3)
      --db <NAME>         a database to compare (repeatable; default: ${BACKUP_DATABASES.join(", ")})
      --junit <FILE|->    JUnit XML report (default: ${DEFAULT_DIFF_JUNIT}; - for stdout)
      --read-preference <mode>  MongoDB: primary, primaryPreferred, secondary,
                          secondaryPreferred or nearest (default: the URI's, else secondaryPreferred)
      --connect-timeout-ms <N>  MongoDB: give up connecting after N ms (default 10000)
      --progress          show scan progress even when not on a terminal
${REPORT_HELP}
  -h, --help              show this help

A live side is read with find (raw BSON, read-only) and should be quiet while the diff
runs (before Countly is started again). Memory stays bounded whatever the size.

Exit codes:
  0  both sides hold the same data
  1  at least one difference
  2  bad usage
  3  a side could not be read (whole, or one of its collections)
  4  a report file could not be written (the console summary is still printed)
`;

export async function diffCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    before: { type: "string" },
    after: { type: "string" },
    "before-env": { type: "string" },
    "after-env": { type: "string" },
    "max-ids": { type: "string" },
    "max-memory": { type: "string" },
    db: { type: "string", multiple: true },
    ...REPORT_OPTIONS,
    "read-preference": { type: "string" },
    "connect-timeout-ms": { type: "string" },
    progress: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(DIFF_HELP);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]} (use --before and --after)`);
  const beforeSpec = sourceFromFlags("before", values.before, values["before-env"], io.env);
  const afterSpec = sourceFromFlags("after", values.after, values["after-env"], io.env);
  if (!beforeSpec) throw new UsageError("--before is required: the backup (a dump directory or a mongodb:// URI; or --before-env NAME)");
  if (!afterSpec) throw new UsageError("--after is required: the restored side (a dump directory or a mongodb:// URI; or --after-env NAME)");
  const maxIds = intOption("max-ids", values["max-ids"], 0) ?? DEFAULT_MAX_IDS;
  const maxMemory = bytesOption("max-memory", values["max-memory"]);
  const { readPreference, connectTimeoutMS } = mongoOptions(values);
  const databases = values.db?.length ? [...new Set(values.db)] : BACKUP_DATABASES;
  for (const db of databases) if (!/^[^/\\. "$*<>:|?]+$/.test(db)) throw new UsageError(`--db ${db}: not a MongoDB database name`);

  const targets = reportTargets(values, { junit: DEFAULT_DIFF_JUNIT });
  const safe = commandScrubber([beforeSpec, afterSpec], io.env);
  const showProgress = !values.quiet && (values.progress || io.isTTY);
  const live = { readPreference, connectTimeoutMS };
  const before = await sideFor(beforeSpec, databases, live);
  const after = await sideFor(afterSpec, databases, live);

  let run: RunResult;
  try {
    const result = await diffSides(before, after, { databases, maxIds, maxMemory, onScan: showProgress ? progress(io.stderr) : undefined });
    run = diffToRun(result);
  } catch (e) {
    if (!(e instanceof DiffSourceError)) throw e;
    const message = safe(`the ${e.side} side could not be read: ${e.message}`);
    io.stderr(`countly-check: ${message}\n`);
    run = unreadableDiffRun(before.description, after.description, e.side, message, before.location);
  }

  return writeReports(run, targets, io, safe);
}

async function sideFor(spec: string, databases: readonly string[], live: { readPreference?: ReadPreferenceMode; connectTimeoutMS?: number }): Promise<DiffSide> {
  if (isMongoUri(spec)) {
    // loaded on demand: dump-only diffs never load the driver
    const { LiveSide } = await import("./live-side.ts");
    return new LiveSide(spec, live);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) throw new UsageError(`${redactUri(spec)}: expected a dump directory or a mongodb:// URI`);
  return new DumpSide(spec, databases);
}

/** Scan progress on stderr: a line per million documents, and when a long scan ends. */
function progress(write: (text: string) => void): (r: ScanReport) => void {
  return (r) => {
    if (r.done && r.ms < 1000 && r.documents < 100_000) return;
    const where = `${r.side} ${r.db}.${r.collection}${r.pass === 2 ? " (naming differences)" : ""}`;
    write(`  ${where}: ${r.documents.toLocaleString("en-US")} docs${r.done ? `, done in ${(r.ms / 1000).toFixed(1)} s` : ""}\n`);
  };
}
