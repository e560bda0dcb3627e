// Deno side of test/shared/end-to-end.ts (vitest runs the same bodies on Node).
import { endToEndTests } from "../shared/end-to-end.ts";

for (const [name, body] of Object.entries(endToEndTests)) Deno.test(`end to end: ${name}`, body);
