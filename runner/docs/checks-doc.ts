// docs/checks.md, generated from each check's metadata so it cannot go stale
// (test/runner/docs/checks-doc.test.ts fails when the committed file differs).
import type { CheckDefinition, JsonSchema } from "../../checks/types.ts";
import { PROFILE_DOC } from "../../countly/profile.ts";

export function checksMarkdown(registry: ReadonlyMap<string, CheckDefinition>): string {
  const kinds = [...registry.keys()].sort();
  const out: string[] = [
    "# Checks",
    "",
    "<!-- Generated from checks/*.ts by `npm run docs`; do not edit by hand. -->",
    "",
    "Every check kind, as used in `check:` of a scenario. Options go next to `id`, `check` and `severity` in the check entry.",
    "",
    "| kind | per app | summary |",
    "|---|---|---|",
    ...kinds.map((k) => `| [\`${k}\`](#${k}) | ${registry.get(k)!.meta.perApp ? "yes" : "no"} | ${cell(registry.get(k)!.meta.summary)} |`),
    "",
    ...PROFILE_DOC,
    "",
    ...NOT_CHECKED_DOC,
  ];
  for (const k of kinds) {
    const m = registry.get(k)!.meta;
    out.push("", `## ${k}`, "", m.summary, "", `**What it proves.** ${m.proves}`, "");
    const props = Object.entries(m.options.properties);
    if (props.length) {
      out.push("| option | type | default | description |", "|---|---|---|---|");
      for (const [name, s] of props) out.push(`| \`${name}\`${m.options.required?.includes(name) ? " (required)" : ""} | ${cell(typeOf(s))} | ${s.default === undefined ? "" : `\`${JSON.stringify(s.default)}\``} | ${cell(s.description ?? "")} |`);
    } else out.push("No options.");
    out.push("", "**Example finding**", "", "```text", m.exampleFinding, "```", "", `**Likely cause.** ${m.likelyCause}`, "", `**What to do.** ${m.remediation}`);
  }
  return `${out.join("\n")}\n`;
}

/** Collections looked at and deliberately left without a check, with the Countly source that decided it. */
const NOT_CHECKED_DOC: readonly string[] = [
  "## Collections with no check, and why",
  "",
  "- `countly_drill.drill_meta` is checked by [`drill-meta-matches-data`](#drill-meta-matches-data) in the current layout only: the 25.x `drill-meta` consumer (api/aggregator/processing.js at 001abe87) upserts `<a>_meta_<sha1(key + a)>` with `sg.<key>.type` per insert, which is sound to require; the 24.x layout's drill_meta comes from the enterprise drill plugin, whose source is not public, so it is skipped there. `<a>_meta_up` (user properties, with preset types from api/lib/countly.preset.js) is not judged.",
  "- `countly.app_userviews` (`<appId>_<uid>` → per view `{lvid, ts, ...}`) is per-user state (the last view id and time), not a sum of anything: no count in it must equal raw data or another aggregate. The 25.x views ingestor (plugins/views/api/ingestor.js at 130e7434) only reads it in commented-out code and keeps the view state in `app_users.last_view` instead, so on 25.x it is not even written.",
  "- `countly.views` (`segments.<segment>.<value>: true` per app) is `$set` by the views aggregator (plugins/views/api/aggregator.js at 0a0731a / 6fcc82b, views-insert) for each segment value it aggregates into `app_viewdata`; the natural invariant (every value in `app_viewdata` segment documents is registered) cannot be proven on 25.x data: the aggregator escapes every segment the SDKs send by default (`segment`, `name`, `visit`, `start`, … in escapedViewSegments), so 25.x writes no view segment documents and no `countly.views` at all unless an app sends custom view segments, and the 0a0731a build writes nothing (no `a`, see the profile above). The write is also fire-and-forget after the cached meta was updated (a failed write is never retried). Not checked until data with custom view segments from a working build is available.",
];

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" \\| ");
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf)!.map(typeOf).join(" or ");
  if (s.type === "array") return `array of ${s.items ? typeOf(s.items) : "values"}`;
  if (s.type === "object" && typeof s.additionalProperties === "object") return `map of ${typeOf(s.additionalProperties)}`;
  return s.type ?? "any";
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
