// `${VAR}` values are strings; where the schema wants a number (or a boolean) and the
// value reads as one, it becomes one, so `tolerance: ${TOL}` works while an app id of
// digits stays a string and `*x` or `a: b: c` from the environment are never YAML.
import type { CheckDefinition, JsonSchema } from "../../checks/types.ts";
import { checkEntrySchema, SCENARIO_PROPERTIES } from "./schema.ts";

/** A plain (unquoted) scalar that held a `${VAR}`, and its value after substitution. */
export interface Substituted {
  path: (string | number)[];
  value: string;
}

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

export function typedFromEnvironment(raw: Record<string, unknown>, substituted: readonly Substituted[], registry: ReadonlyMap<string, CheckDefinition>): void {
  for (const { path, value } of substituted) {
    const types = typesAt(schemaFor(raw, path, registry), path[0] === "checks" ? path.slice(2) : path.slice(1));
    if (types.has("string")) continue;
    let typed: unknown = value;
    if ((types.has("number") || types.has("integer")) && NUMBER.test(value.trim()) && Number.isFinite(Number(value))) typed = Number(value);
    else if (types.has("boolean") && (value === "true" || value === "false")) typed = value === "true";
    if (typed !== value) setAt(raw, path, typed);
  }
}

/** The schema of the top-level key (or, under `checks[i]`, of that entry's kind). */
function schemaFor(raw: Record<string, unknown>, path: (string | number)[], registry: ReadonlyMap<string, CheckDefinition>): JsonSchema | undefined {
  if (path[0] !== "checks") return SCENARIO_PROPERTIES[String(path[0])];
  const entry = Array.isArray(raw.checks) ? (raw.checks[path[1] as number] as { check?: unknown } | undefined) : undefined;
  const def = typeof entry?.check === "string" ? registry.get(entry.check) : undefined;
  return def ? checkEntrySchema(def) : undefined;
}

/** The JSON types the schema allows at `path`, through objects, arrays and unions. */
function typesAt(schema: JsonSchema | undefined, path: readonly (string | number)[]): Set<string> {
  const out = new Set<string>();
  const walk = (s: JsonSchema | undefined, i: number, depth: number) => {
    if (!s || depth > 20) return;
    for (const alt of [...(s.oneOf ?? []), ...(s.anyOf ?? []), ...(s.allOf ?? []), ...(s.then ? [s.then] : [])]) walk(alt, i, depth + 1);
    if (i === path.length) {
      if (s.type) out.add(s.type);
      for (const v of [...(s.enum ?? []), ...(s.const !== undefined ? [s.const] : [])]) out.add(typeof v);
      return;
    }
    const seg = path[i]!;
    if (typeof seg === "number") walk(s.items, i + 1, depth + 1);
    else walk(s.properties?.[seg] ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined), i + 1, depth + 1);
  };
  walk(schema, 0, 0);
  return out;
}

function setAt(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node: unknown = root;
  for (const seg of path.slice(0, -1)) {
    if (!node || typeof node !== "object") return;
    node = (node as Record<string | number, unknown>)[seg];
  }
  if (node && typeof node === "object") (node as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}
