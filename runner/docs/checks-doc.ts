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
