// The shared end-to-end tests (test/shared/end-to-end.ts) on Node; Deno runs them in test/deno/.
import { describe, it } from "vitest";
import { endToEndTests } from "../../shared/end-to-end.ts";

describe("countly-check run end to end (shared with Deno)", () => {
  for (const [name, body] of Object.entries(endToEndTests)) it(name, body);
});
