// Deno side of test/shared/parallel-jobs.ts (vitest runs all its bodies on Node). Deno
// type-checks each worker module it starts, so only the merged-layout body runs here.
import { parallelJobsTests } from "../shared/parallel-jobs.ts";

for (const [name, body] of Object.entries(parallelJobsTests)) if (name.includes("merged")) Deno.test(`--jobs: ${name}`, body);
