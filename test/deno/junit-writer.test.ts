// Deno side of test/shared/junit-writer.ts (vitest runs the same bodies on Node).
import { junitWriterTests } from "../shared/junit-writer.ts";

for (const [name, body] of Object.entries(junitWriterTests)) Deno.test(`JUnit writer: ${name}`, body);
