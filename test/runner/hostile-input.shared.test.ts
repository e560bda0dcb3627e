// The shared hostile-input tests (test/shared/hostile-input.ts) on Node; Deno runs them in test/deno/.
import { describe, it } from "vitest";
import { hostileInputTests } from "../shared/hostile-input.ts";

describe("hostile input (shared with Deno)", () => {
  for (const [name, body] of Object.entries(hostileInputTests)) it(name, body, 60_000);
});
