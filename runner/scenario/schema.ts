// The JSON Schema of scenario files, generated from the check registry so it can
// never drift from what the loader accepts. Shipped as scenario.schema.json.
import type { CheckDefinition, JsonSchema } from "../../checks/types.ts";

export const SCHEMA_ID = "https://countly-check.dev/scenario.schema.json";

/** Keys every check entry has, whatever its kind. */
export const COMMON_CHECK_PROPERTIES: Record<string, JsonSchema> = {
  id: { type: "string", minLength: 1, pattern: "^[A-Za-z0-9_.:-]+$", description: "Unique id of the check in this file; the JUnit test case name." },
  check: { type: "string", description: "The check kind (see `countly-check list`)." },
  severity: { enum: ["error", "warn"], default: "error", description: "`error` fails the run (exit 1); `warn` reports without failing." },
  description: { type: "string", description: "What this invariant means for your install." },
};

const DAY: JsonSchema = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "A day, YYYY-MM-DD, in each app's timezone." };

export const PERIOD_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  description: "Restrict every check to these app-local days (inclusive). `last_days` counts back from today (UTC).",
  properties: {
    from: DAY,
    to: DAY,
    last_days: { type: "integer", minimum: 1, maximum: 36600, description: "The last N days up to today (at most 36600, about 100 years)." },
  },
};

export const SELFTEST_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  description: "What `countly-check selftest` proves about this scenario.",
  properties: {
    must_catch: {
      type: "object",
      description: "check id -> corruption names the check must fail on (`countly-check fixture --list-corruptions`).",
      additionalProperties: { type: "array", items: { type: "string" } },
    },
    layouts: {
      type: "array",
      items: { enum: ["current", "legacy"] },
      minItems: 1,
      default: ["current", "legacy"],
      description: "Countly layouts of the generated datasets: `current` (25.x `events_data` / `drill_events`) and/or `legacy` (per-event collections). Checks written for one layout name it here.",
    },
  },
};

/** The selftest schema with the corruption names listed, for editors. */
function selftestSchema(corruptions: readonly string[] | undefined): JsonSchema {
  if (!corruptions?.length) return SELFTEST_SCHEMA;
  const mustCatch = SELFTEST_SCHEMA.properties!.must_catch!;
  return {
    ...SELFTEST_SCHEMA,
    properties: { ...SELFTEST_SCHEMA.properties, must_catch: { ...mustCatch, additionalProperties: { type: "array", items: { enum: corruptions } } } },
  };
}

export const SCENARIO_PROPERTIES: Record<string, JsonSchema> = {
  name: { type: "string", minLength: 1, description: "Suite name in reports." },
  description: { type: "string" },
  source: { type: "string", description: "Default source when --source is not given: a mongodb:// URI (use ${MONGODB_URI} to keep credentials out of the file) or a dump folder." },
  apps: { type: "array", items: { type: "string" }, minItems: 1, description: "App ids or names to check (default: all apps)." },
  period: PERIOD_SCHEMA,
  checks: { type: "array", minItems: 1, description: "The invariants of this suite." },
  selftest: SELFTEST_SCHEMA,
};

// One schema object per kind, so the validator compiled for it is reused (runner/scenario/validate.ts
// caches by object): compiling one per check entry was most of a small run's start-up.
const entrySchemas = new WeakMap<CheckDefinition, JsonSchema>();

/** Schema of one check entry of a given kind: the common keys plus the kind's options. */
/** The top level of a scenario file; each check entry is validated against its kind's schema. */
export const TOP_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "checks"],
  properties: { ...SCENARIO_PROPERTIES, checks: { type: "array", minItems: 1 } },
};

export function checkEntrySchema(def: CheckDefinition): JsonSchema {
  let schema = entrySchemas.get(def);
  if (!schema) {
    const own = def.meta.options;
    schema = {
      type: "object",
      additionalProperties: false,
      required: ["id", "check", ...(own.required ?? [])],
      properties: { ...COMMON_CHECK_PROPERTIES, check: { const: def.meta.kind }, ...own.properties },
    };
    entrySchemas.set(def, schema);
  }
  return schema;
}

/** The whole file's schema, for editors (`# yaml-language-server: $schema=...`) and `countly-check schema`. */
export function scenarioSchema(registry: ReadonlyMap<string, CheckDefinition>, corruptions?: readonly string[]): JsonSchema {
  const kinds = [...registry.keys()].sort();
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: SCHEMA_ID,
    title: "countly-check scenario",
    type: "object",
    additionalProperties: false,
    required: ["name", "checks"],
    properties: {
      ...SCENARIO_PROPERTIES,
      selftest: selftestSchema(corruptions),
      checks: {
        ...SCENARIO_PROPERTIES.checks,
        items: {
          type: "object",
          required: ["id", "check"],
          properties: { check: { enum: kinds, description: COMMON_CHECK_PROPERTIES.check!.description } },
          allOf: kinds.map((k) => ({
            if: { properties: { check: { const: k } }, required: ["check"] },
            then: { ...checkEntrySchema(registry.get(k)!), description: registry.get(k)!.meta.summary },
          })),
        },
      },
    },
  };
}
