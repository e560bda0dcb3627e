// Help texts. Flags named here are the CLI's contract: docs are tested against them.
import { VERSION } from "../version.ts";

export const EXIT_CODES_HELP = `Exit codes:
  0  every check passed (warnings allowed)
  1  at least one check failed
  2  bad usage or invalid scenario
  3  the source could not be read, or a check could not be evaluated
  4  a report file could not be written`;

/** The report flags of run, diff and selftest (runner/cli/output.ts REPORT_OPTIONS). */
export const REPORT_HELP = `      --json <FILE|->     JSON report (its schema: reports/result.schema.json in the package)
      --sarif <FILE|->    SARIF 2.1.0 report (GitHub code scanning, Jenkins Warnings NG, editors)
      --codequality <FILE|->  GitLab Code Quality report (failures and warnings in merge requests)
      --html <FILE|->     HTML report: one self-contained page, with charts of raw vs aggregated per day
      --annotations <github|none>  GitHub workflow-command annotations at each check's YAML line and
                          a job summary in $GITHUB_STEP_SUMMARY (default: github when GITHUB_ACTIONS=true)
      --label <NAME>      prefix suite and case names and the summary with NAME/ (e.g. backup, restored),
                          so the reports of two runs never collide
  -q, --quiet             no progress and no console summary
      --no-color          no colours even on a terminal (NO_COLOR and FORCE_COLOR are honoured too)`;

export const MAIN_HELP = `countly-check ${VERSION}: test-suite style consistency checks for Countly's MongoDB data

Usage:
  countly-check run [SCENARIO_OR_DIR ...] --source <mongodb-uri | dump-dir> [options]
  countly-check fixture --out DIR [--seed N] [--corrupt NAME ...] [--layout current|legacy] [--build B]
  countly-check diff --before <dump-dir | mongodb-uri> --after <dump-dir | mongodb-uri> [options]
  countly-check selftest [SCENARIO_OR_DIR ...] [--runs N] [--seed N] [--junit FILE]
  countly-check init [FILE]
  countly-check schema
  countly-check list

Commands:
  run       run scenarios (default: the built-in scenarios/) against a database or a dump
  fixture   write a generated Countly dataset as a mongodump directory
  diff      compare a backup with the restored database (collections, counts, indexes, documents, event totals)
  selftest  prove a scenario's checks on generated data: pass when consistent, fail on its must_catch corruptions
  init      write a starter scenario with comments explaining each part
  schema    print the JSON Schema of scenario files
  list      list check kinds

Global options:
  -h, --help     show help (also: countly-check help <command>, countly-check <command> --help)
  -v, --version  show the version

${EXIT_CODES_HELP}
`;

export const RUN_HELP = `Usage: countly-check run [SCENARIO_OR_DIR ...] --source <mongodb-uri | dump-dir> [options]

Runs each scenario as a test suite and each check as a test case (per app).
Without scenario arguments the built-in scenarios/ are run.

Options:
  -s, --source <uri|dir>  mongodb://… URI, or a \`countly backup\` / mongodump folder (required)
      --source-env <NAME> take the source from the environment variable NAME (keeps a
                          URI with credentials out of the command line and /proc);
                          without either flag, COUNTLY_CHECK_SOURCE, then the scenarios' source:
      --junit <FILE|->    JUnit XML report (default: reports/junit.xml; - for stdout)
      --app <ID_OR_NAME>  only this app (repeatable; intersected with the scenarios' apps)
      --from <YYYY-MM-DD> first app-local day to check
      --to <YYYY-MM-DD>   last app-local day to check
      --max-findings <N>  findings kept per test case (default 1000; JUnit shows 50)
      --max-memory <SIZE> what the grouped data may hold, e.g. 512M, 2G (default 1G); past it
                          the run stops with an error per case naming what grew (exit 3)
      --jobs <N>          dump: worker threads that group plain .bson raw data (default: the
                          cores, at most 8, with 4 cores or more and 64 MiB of raw data or more;
                          else 1: one thread, no worker); documents are split by app, results
                          equal one thread's; .bson.gz is read by one thread (gunzip is the limit)
      --read-preference <mode>  MongoDB: primary, primaryPreferred, secondary,
                          secondaryPreferred or nearest (default: the URI's, else secondaryPreferred)
      --read-concern <level>    MongoDB: local, available, majority, linearizable or
                          snapshot (default: the URI's readConcernLevel, else the server's)
      --max-time-ms <N>   MongoDB: time limit of each query (default 900000, 15 min); the client
                          also gives up on a reply after N ms plus a margin (max(2 s, 10 %))
      --connect-timeout-ms <N>  MongoDB: give up connecting after N ms (default 10000)
      --scan-warning-docs <N>   MongoDB: warn (a warned case, and on stderr before the scan) when a
                          query no index serves would scan a collection of more than N documents
                          (estimated; default 1000000; 0: never)
      --timeout <N>       deadline of the whole run in ms (any source): on expiry every case is an
                          <error> naming what was still running, the reports are written, exit 3
      --progress          show scan progress even when not on a terminal
      --explain           MongoDB: print the plan of every query the run would send (explain,
                          verbosity queryPlanner: plans only, nothing executed; IXSCAN <index> or
                          COLLSCAN, and the filter), --json too; runs no check. Exit 0, or 3 when a
                          query could not be explained
${REPORT_HELP}
  -h, --help              show this help

${EXIT_CODES_HELP}
`;

export const FIXTURE_HELP = `Usage: countly-check fixture --out DIR [--seed N] [--corrupt NAME ...] [--layout current|legacy] [--build B] [--gzip]

Writes a generated, consistent Countly dataset (apps, raw drill events, and the
aggregates Countly derives from them) as DIR/dump/<db>/<coll>.bson + .metadata.json,
the layout \`countly backup\` produces. --corrupt applies a named corruption seen in
real migrations (repeatable).

Options:
      --out <DIR>              where to write (required)
      --seed <N>               generator seed (default 1); the same seed gives the same data
      --corrupt <NAME>         apply a corruption (repeatable; see --list-corruptions)
      --layout <current|legacy>  Countly's single-collection (25.x) or per-event layout (default current)
      --build <B>              the Countly build that writes it: 24.x-api (legacy layout),
                               25.x-aggregator (default for current) or 25.x-totals-only
                               (no segment documents); docs/checks.md "Countly builds as profiles"
      --events <N>             raw custom events per app, about (default 300)
      --gzip                   write .bson.gz like mongodump --gzip
      --list-corruptions       list the corruption names and exit
  -h, --help                   show this help

${EXIT_CODES_HELP}
`;

export const SELFTEST_HELP = `Usage: countly-check selftest [SCENARIO_OR_DIR ...] [options]

Proves each scenario's checks on generated Countly datasets (in memory, no files):
every check must pass on --runs consistent datasets (skipped cases allowed), and
fail on each corruption the scenario lists for it under
\`selftest: { must_catch: { <check id>: [<corruption>, ...] } }\` wherever the
corruption changes the data. Datasets alternate between the current and legacy
layouts (\`selftest: { layouts: [current] }\` limits them), and on the current layout
between the 25.x builds with and without segment documents. A failure names the
seed that shows it; \`--seed <S> --runs 1\` replays that dataset, and
\`countly-check fixture --seed <S> --build <build> --corrupt <name>\` writes it.
Without scenario arguments the built-in scenarios/ are proven. The scenarios'
\`apps\`, \`period\` and \`source\` are ignored: the generated data has its own.

Options:
      --runs <N>          datasets per scenario (default 20)
      --seed <N>          seed of the first dataset; the others follow (default 1)
      --junit <FILE|->    JUnit XML report: one test case per (check, consistent data)
                          and per (check, corruption)
${REPORT_HELP}
  -h, --help              show this help

Exit codes:
  0  every check passed on consistent data and caught its corruptions
  1  a check failed on consistent data or missed a corruption (the seed is named)
  2  bad usage or invalid scenario (e.g. an unknown corruption name)
  3  a check could not be evaluated on the generated data
`;

export const INIT_HELP = `Usage: countly-check init [FILE]

Writes a starter scenario (default countly-check.yaml) whose comments explain each part:
a built-in check, a \`pipeline\` check and a \`compare\` check of your own, and the
\`selftest\` section that proves them. Never overwrites an existing file.

Then: countly-check selftest FILE, and countly-check run FILE --source <dump-dir | mongodb-uri>.
`;
