// Kept in step with package.json by test/runner/version.test.ts (a JSON import would need import attributes Deno and Node spell alike).
export const VERSION = "0.1.0";
