// What the build-time validators (compiled-validators.ts) and the run-time fallback share:
// ajv's options, and the key a schema is found by.
import type { JsonSchema } from "../../checks/types.ts";

// validateSchema: false skips checking our own schemas against the draft-07 meta-schema
// (test/runner/scenario/schema.test.ts checks them instead).
export const AJV_OPTIONS = { allErrors: true, strict: false, validateSchema: false } as const;

/** A schema's identity: its JSON text (the loader builds each schema the same way every time). */
export function schemaKey(schema: JsonSchema): string {
  return JSON.stringify(schema);
}
