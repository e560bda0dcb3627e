// JSON Schema validation (ajv) with messages written for people editing YAML.
import AjvModule, { type ErrorObject, type ValidateFunction } from "ajv";
import type { JsonSchema } from "../../checks/types.ts";

// ajv is CommonJS: under Node's ESM the default import is the class, under some
// bundlers/Deno it is the module namespace with `.default`.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;

// validateSchema: false skips checking our own schemas against the draft-07 meta-schema on every
// start (half of the compile time); test/runner/scenario/schema.test.ts checks them instead.
const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
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
  const { errors, extra } = collapseUnions((fn.errors ?? []).filter((e) => e.keyword !== "if"), schema);
  return [...errors.map((e) => toIssue(e, schema)), ...extra];
}

/**
 * A failed `oneOf`/`anyOf` would print one line per alternative plus ajv's "must match
 * exactly one schema". When an alternative matched the value's shape and failed deeper
 * (e.g. `expect.count.op`), only its errors are kept; otherwise one line lists what
 * would have been accepted ("expected "empty" or a mapping with `count`").
 */
function collapseUnions(all: ErrorObject[], root: JsonSchema): { errors: ErrorObject[]; extra: SchemaIssue[] } {
  let errors = [...all];
  const extra: SchemaIssue[] = [];
  for (const u of all.filter((e) => e.keyword === "oneOf" || e.keyword === "anyOf")) {
    if (!errors.includes(u)) continue;
    const prefix = `${u.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const b = e.schemaPath.slice(prefix.length).split("/")[0]!;
      branches.set(b, [...(branches.get(b) ?? []), e]);
    }
    const deeper = [...branches.values()].find((list) => list.every((e) => e.instancePath.length > u.instancePath.length));
    errors = errors.filter((e) => e !== u && (!e.schemaPath.startsWith(prefix) || !!deeper?.includes(e)));
    if (!deeper) extra.push({ path: pointerPath(u.instancePath), message: `expected ${alternatives(schemaAtPointer(root, u.schemaPath))}` });
  }
  return { errors, extra };
}

/** The alternatives of a oneOf/anyOf in words. */
function alternatives(options: unknown): string {
  if (!Array.isArray(options)) return "one of the documented forms";
  const words = (options as JsonSchema[]).map((o) => {
    if (o.const !== undefined) return JSON.stringify(o.const);
    if (o.enum) return o.enum.map((v) => JSON.stringify(v)).join(", ");
    if (o.type === "object") return o.required?.length ? `a mapping with ${o.required.map((k) => `\`${k}\``).join(", ")}` : "a mapping";
    if (o.type) return `${article(o.type)} ${o.type}`;
    return "another form";
  });
  return words.join(" or ");
}

/** The value at a JSON pointer like `#/properties/expect/oneOf` inside a schema. */
function schemaAtPointer(root: JsonSchema, pointer: string): unknown {
  let node: unknown = root;
  for (const seg of pointer.replace(/^#\/?/, "").split("/").filter(Boolean)) {
    const key = seg.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function pointerPath(pointer: string): (string | number)[] {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function toIssue(e: ErrorObject, root: JsonSchema): SchemaIssue {
  const path = pointerPath(e.instancePath);
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
