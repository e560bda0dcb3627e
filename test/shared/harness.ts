// Test bodies shared by both runtimes: each module exports named plain functions that
// throw (node:assert/strict) on failure. vitest runs them on Node (test/**/*.test.ts),
// Deno.test runs the same functions under Deno (test/deno/*.test.ts, `npm run test:deno`).
import { fileURLToPath } from "node:url";

export type SharedTests = Readonly<Record<string, () => void | Promise<void>>>;

/** The repository root (this file is test/shared/harness.ts). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The runtime these tests run on. */
export const RUNTIME: "deno" | "node" = "Deno" in globalThis ? "deno" : "node";
