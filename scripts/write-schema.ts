// Regenerates scenario.schema.json from the check registry (npm run schema).
import { writeFile } from "node:fs/promises";
import { CHECKS } from "../checks/index.ts";
import { CORRUPTIONS } from "../fixtures/corruptions.ts";
import { scenarioSchema } from "../runner/scenario/schema.ts";

const target = new URL("../scenario.schema.json", import.meta.url);
await writeFile(target, `${JSON.stringify(scenarioSchema(CHECKS, Object.keys(CORRUPTIONS)), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
