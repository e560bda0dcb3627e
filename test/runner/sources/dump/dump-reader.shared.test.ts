// The shared dump-reader tests (test/shared/dump-reader.ts) on Node; Deno runs them in test/deno/.
import { describe, it } from "vitest";
import { dumpReaderTests } from "../../../shared/dump-reader.ts";

describe("dump reader (shared with Deno)", () => {
  for (const [name, body] of Object.entries(dumpReaderTests)) it(name, body);
});
