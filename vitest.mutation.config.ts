// The tests Stryker runs against each mutant (`npm run mutation`): the unit tests of
// countly/, checks/ and reports/ by default, or MUTATION_TESTS (comma-separated globs).
// The slow property suites (the mutation matrix, the slice properties, end-to-end runs)
// are left out: per mutant they would take minutes on this shared machine, so a mutant
// only they kill is counted as surviving (the scores are lower bounds).
import { defineConfig } from "vitest/config";

const DEFAULT = ["test/countly/**/*.test.ts", "test/checks/**/*.test.ts", "test/reports/**/*.test.ts", "test/runner/facts/**/*.test.ts"];

export default defineConfig({
  test: {
    include: process.env.MUTATION_TESTS ? process.env.MUTATION_TESTS.split(",") : DEFAULT,
    exclude: ["test/deno/**", "**/node_modules/**", "test/checks/mutation-matrix.test.ts", "test/checks/slice-properties.test.ts", "test/checks/*-properties.test.ts"],
    // tests with heavy loops do a tenth of the work under instrumentation (see test/countly/time.test.ts)
    env: { COUNTLY_CHECK_MUTATION: "1" },
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
