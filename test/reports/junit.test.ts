// The JUnit writer on the sample run; the bodies live in test/shared/junit-writer.ts so
// Deno runs the very same tests (test/deno/junit-writer.test.ts).
import { describe, it } from "vitest";
import { junitWriterTests } from "../shared/junit-writer.ts";

describe("toJUnit", () => {
  for (const [name, body] of Object.entries(junitWriterTests)) it(name, body);
});
