// Writes runner/scenario/compiled-validators.ts: the scenario validators precompiled by
// ajv (runner/scenario/validator-code.ts). Run by `npm run build` before tsc.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CHECKS } from "../checks/index.ts";
import { COMPILED_VALIDATORS_FILE, schemasToCompile, validatorModuleSource } from "../runner/scenario/validator-code.ts";

const file = join(import.meta.dirname, "..", COMPILED_VALIDATORS_FILE);
await writeFile(file, validatorModuleSource(schemasToCompile(CHECKS)));
process.stdout.write(`wrote ${COMPILED_VALIDATORS_FILE}\n`);
