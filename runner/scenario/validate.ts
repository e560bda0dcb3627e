// JSON Schema validation (ajv) with messages written for people editing YAML.
import AjvModule, { type ErrorObject, type ValidateFunction } from "ajv";
import type { JsonSchema } from "../../checks/types.ts";

// ajv is CommonJS: under Node's ESM the default import is the class, under some
// bundlers/Deno it is the module namespace with `.default`.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

export interface SchemaIssue {
  /** Path of the offending value relative to the validated object. */
  path: (string | number)[];
  /** Set for unknown and missing keys: the key itself, inside the object at `path`. */
  key?: string;
  message: string;
}

export function validateJson(schema: JsonSchema, value: unknown): SchemaIssue[] {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema as object);
    compiled.set(schema, fn);
  }
  if (fn(value)) return [];
  return (fn.errors ?? []).filter((e) => e.keyword !== "if").map((e) => toIssue(e, schema));
}

function toIssue(e: ErrorObject, root: JsonSchema): SchemaIssue {
  const path = e.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const known = Object.keys(schemaAt(root, path)?.properties ?? {});
      return { path, key: String(p.additionalProperty), message: `unknown key${known.length ? ` (known keys: ${known.join(", ")})` : ""}` };
    }
    case "required":
      return { path, key: undefined, message: `missing required key "${String(p.missingProperty)}"` };
    case "type":
      return { path, message: `expected ${article(String(p.type))} ${String(p.type)}` };
    case "enum":
      return { path, message: `expected one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
    case "const":
      return { path, message: `expected ${JSON.stringify(p.allowedValue)}` };
    case "pattern":
      return { path, message: String(p.pattern).includes("\\d{4}-\\d{2}-\\d{2}") ? "expected a day YYYY-MM-DD" : `must match ${String(p.pattern)}` };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

/** The sub-schema describing the value at `path` (objects and arrays only; good enough to list known keys). */
function schemaAt(schema: JsonSchema, path: (string | number)[]): JsonSchema | undefined {
  let s: JsonSchema | undefined = schema;
  for (const seg of path) {
    if (!s) return undefined;
    if (typeof seg === "number") s = s.items;
    else s = s.properties?.[seg] ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
  }
  return s;
}
