import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Deno.test files: `npm run test:deno` runs them (the bodies are shared, test/shared/).
    exclude: ["test/deno/**", "**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
