// Mutation testing (`npm run mutation`, not in CI: it is slow). Scope it to one folder or
// file per run on this shared 2-core machine, e.g.
//   npm run mutation -- --mutate 'countly/**/*.ts'
//   MUTATION_TESTS='test/checks/compare.test.ts' npm run mutation -- --mutate checks/compare.ts
// Reports: mutation-report/index.html and the console summary.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: true },
  coverageAnalysis: "perTest",
  concurrency: 1,
  mutate: ["countly/**/*.ts", "checks/**/*.ts", "reports/**/*.ts"],
  ignorePatterns: ["bench/**", ".bench", "dist/**", "mutation-report/**", ".stryker-tmp/**"],
  reporters: ["clear-text", "progress", "html"],
  htmlReporter: { fileName: "mutation-report/index.html" },
  thresholds: { high: 90, low: 80, break: null },
  timeoutMS: 30_000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
