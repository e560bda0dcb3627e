// The shared --jobs tests (test/shared/parallel-jobs.ts) on Node; Deno runs them in test/deno/.
import { describe, it } from "vitest";
import { parallelJobsTests } from "../../../../shared/parallel-jobs.ts";

describe("--jobs (shared with Deno)", () => {
  for (const [name, body] of Object.entries(parallelJobsTests)) it(name, body, 120_000);
});
