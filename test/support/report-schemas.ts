// Validators for the report formats whose schemas are published: the result JSON
// (reports/result.schema.json, ours) and SARIF 2.1.0 (the schema shipped by Microsoft's
// SARIF multitool package, a devDependency).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import AjvModule from "ajv";
import Ajv2020Module from "ajv/dist/2020.js";

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as typeof Ajv2020Module.default;
const require = createRequire(import.meta.url);

export type Validate = (value: unknown) => string[];

function validator(ajv: { compile(schema: object): { (v: unknown): boolean; errors?: { instancePath: string; message?: string }[] | null } }, schema: object): Validate {
  const check = ajv.compile(schema);
  return (value) => (check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`));
}

export const RESULT_SCHEMA_FILE = new URL("../../reports/result.schema.json", import.meta.url);

export function resultValidator(): Validate {
  // Formats are documentation here; ajv-formats is not a dependency.
  return validator(new Ajv({ strict: true, allowUnionTypes: true, allErrors: true, validateFormats: false }), JSON.parse(readFileSync(RESULT_SCHEMA_FILE, "utf8")));
}

/** sarif-2.1.0.json from @microsoft/sarif-multitool's platform package. */
export function sarifSchemaFile(): string {
  for (const platform of ["linux", "darwin", "win32"]) {
    try {
      const file = join(dirname(require.resolve(`@microsoft/sarif-multitool-${platform}/package.json`)), "sarif-2.1.0.json");
      if (existsSync(file)) return file;
    } catch {
      // not installed on this platform
    }
  }
  throw new Error("the SARIF 2.1.0 schema was not found: npm ci installs @microsoft/sarif-multitool (a devDependency)");
}

export function sarifValidator(): Validate {
  const schema = JSON.parse(readFileSync(sarifSchemaFile(), "utf8"));
  return validator(new Ajv2020({ strict: false, allErrors: true, validateFormats: false }), schema);
}
