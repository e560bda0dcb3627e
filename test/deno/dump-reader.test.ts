// Deno side of test/shared/dump-reader.ts (vitest runs the same bodies on Node).
import { dumpReaderTests } from "../shared/dump-reader.ts";

for (const [name, body] of Object.entries(dumpReaderTests)) Deno.test(`dump reader: ${name}`, body);
