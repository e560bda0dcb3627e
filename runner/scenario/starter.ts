// The scenario `countly-check init` writes: every part of a scenario, explained in
// comments, with one built-in check and one check of each kind users write themselves.
// It loads cleanly and `countly-check selftest` passes on it (test/runner/cli/init-command.test.ts).

export function starterScenario(schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
#
# A countly-check scenario: a test suite for your Countly data. Each entry of
# \`checks\` is a test case (one per app for per-app checks). Run it with
#
#   npx countly-check run THIS_FILE --source ./backup-folder     # a \`countly backup\` / mongodump folder
#   npx countly-check run THIS_FILE --source "$MONGODB_URI"      # a live MongoDB (read-only)
#
# and prove its checks catch what they should, on generated data, with
#
#   npx countly-check selftest THIS_FILE
#
# The schema line above gives editors (VS Code with the YAML extension, JetBrains,
# Neovim...) completion, descriptions and errors as you type.

# The suite's name in reports (JUnit <testsuite>); unique among the scenarios of a run.
name: my-countly-checks
description: What I want to be true about our Countly data.

# Optional. Where the data is, when --source is not given; \${VAR} takes an environment
# variable, so credentials stay out of the file.
# source: \${MONGODB_URI}

# Optional. Only these apps (ids or names); default: every app.
# apps: [ "My App" ]

# Optional. Only these app-local days (or \`last_days: 30\`); default: all data.
# period: { from: 2026-01-01, to: 2026-01-31 }

checks:
  # A built-in check (\`npx countly-check list\` shows them all).
  - id: events-match-raw            # unique in this file: the test case's name
    check: events-match-raw         # the kind of check
    severity: error                 # \`error\` fails the run; \`warn\` only reports
    settle_minutes: 5               # the kind's own options (see the schema)

  # Your own invariant as an aggregation pipeline: with \`expect: empty\` every document
  # it returns is a violation. {app_id} makes it run once per app; {from_ms}, {to_ms},
  # {from_day}, {to_day} and more stand for the period (quote them). It runs on the
  # server for MongoDB and in memory for dumps.
  - id: event-days-not-zero
    check: pipeline
    description: No day of an aggregated event total has a count of 0.
    collection: countly.events_data  # \`database.collection\` (Countly 25.x layout)
    pipeline:
      - $match: { a: "{app_id}", s: "no-segment", m: { $not: { $regex: ":0$" } } }
      - $project: { event: "$e", month: "$m", days: { $objectToArray: "$d" } }
      - $unwind: "$days"
      - $match: { "days.v.c": 0 }
      # \`event\`, \`day\`, \`expected\`, \`actual\` and \`message\` fields show in findings.
      - $project: { _id: 0, event: 1, actual: "$days.v.c", message: { $concat: ["count is 0 on day ", "$days.k", " of ", "$month"] } }
    expect: empty                   # or { count: { op: "<=", value: 0 } }

  # Your own invariant between two keyed aggregations: each side returns rows
  # { _id: <key>, value: <number> }; per key, left must stand in \`relation\` to right.
  - id: sessions-with-source-match-sources
    check: compare
    description: Per app-local day, the Sources section counts every raw session that names a source.
    left:
      label: raw sessions with a source
      collection: countly_drill.drill_events
      period_field: { field: ts, unit: ms }   # obeys the scenario's period
      pipeline:
        - $match: { a: "{app_id}", e: "[CLY]_session", up.src: { $nin: [null, "", false] } }
        - $group: { _id: { $dateToString: { date: { $toDate: "$ts" }, format: "%Y-%m-%d", timezone: "{app_timezone}" } }, value: { $sum: 1 } }
    right:
      label: countly.sources
      collection: countly.sources
      pipeline:
        - $match: { a: "{app_id}", m: { $not: { $regex: ":0$" } } }
        - $project: { ym: { $split: ["$m", ":"] }, days: { $objectToArray: "$d" } }
        - $unwind: "$days"
        - $project:
            day: { $dateToString: { format: "%Y-%m-%d", date: { $dateFromParts: { year: { $toInt: { $arrayElemAt: ["$ym", 0] } }, month: { $toInt: { $arrayElemAt: ["$ym", 1] } }, day: { $toInt: "$days.k" } } } } }
            sources: { $objectToArray: "$days.v" }
        - $match: { day: { $gte: "{from_day}", $lte: "{to_day}" } }
        - $unwind: "$sources"
        - $group: { _id: "$day", value: { $sum: "$sources.v.t" } }
    relation: eq                    # or lte, gte, { ratio_between: [0.9, 1.1] }
    tolerance: { absolute: 0, relative: 0 }
    missing: fail                   # a day on one side only is a finding (or: ignore, zero)

# What \`countly-check selftest\` proves: each check must pass on generated consistent
# data and fail on the corruptions listed for it (\`npx countly-check fixture
# --list-corruptions\` describes them).
selftest:
  layouts: [current]                # the pipelines above read the 25.x collections
  must_catch:
    events-match-raw: [counts-zeroed, restored-without-aggregates]
    event-days-not-zero: [counts-zeroed]
    sessions-with-source-match-sources: [sources-emptied]
`;
}
