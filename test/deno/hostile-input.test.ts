// Deno side of test/shared/hostile-input.ts (vitest runs the same bodies on Node).
import { hostileInputTests } from "../shared/hostile-input.ts";

for (const [name, body] of Object.entries(hostileInputTests)) Deno.test(`hostile input: ${name}`, body);
