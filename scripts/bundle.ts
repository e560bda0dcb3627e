// Run by `npm run build` (after compile-validators.ts): the CLI as one CommonJS file in dist/,
// bundled by esbuild from the TypeScript sources, started through V8's code cache. A run of a
// tiny dump spends most of its time compiling and first running cold code (issue 12, instant
// start: ≤ 0.4 s): loading ~25 ES module chunks one by one cost more than a quarter of it, and
// Node 20 has no compile cache for ES modules. So the bundle is one script, which dist/main.js
// compiles with `vm.Script` and the code cache written here after a warm-up run (the functions a
// run compiles are in it); when the cache does not fit (another Node version, other V8 flags)
// V8 rejects it and compiles as usual, same results. Code behind an `import()` of the sources
// (commands, the MongoDB source, pipelines, --jobs) is initialised only when imported, and the
// packages it requires (mongodb, mingo, fast-check, ajv) are loaded only then.
// Transpiling only, as vitest and Deno do with the same sources; `npm run typecheck` checks types.
//
// Layout (flat, so `new URL("./scan-worker.js", import.meta.url)` in the bundle finds the worker):
//   dist/main.js          the entry bin/countly-check.mjs imports: loads main.cjs with the cache
//   dist/main.cjs         the CLI (runner/main.ts), `import.meta.url` = this file's URL
//   dist/main.cjs.cache   V8's code cache of main.cjs (absent when the warm-up could not run)
//   dist/scan-worker.js   the `--jobs` worker thread (runner/sources/dump/parallel/scan-worker.ts), an ES module
//   dist/bson-walk.wasm   the scanner's inner loop (scripts/build-wasm.ts), when it was built
// Runtime dependencies stay in node_modules, except yaml, whose ~60 CommonJS files are bundled
// from its own ES build (its package's "default" export), its licence in dist/yaml.LICENSE.txt.
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import process from "node:process";
import { build, type BuildOptions } from "esbuild";

/** The entry points: output file -> source, relative to the package root. */
export const ENTRY_POINTS = { "main.cjs": "runner/main.ts", "scan-worker.js": "runner/sources/dump/parallel/scan-worker.ts" } as const;

/** Dependencies bundled into dist/ rather than loaded from node_modules. */
const BUNDLED = new Set(["yaml"]);

/** Set by the warm-up run: dist/main.js then writes the code cache of main.cjs when the process exits. */
export const WRITE_CODE_CACHE = "COUNTLY_CHECK_WRITE_CODE_CACHE";

/** dist/main.js: compiles main.cjs with its code cache and runs it as CommonJS. */
const LOADER = `// Written by scripts/bundle.ts: runs main.cjs (the CLI) compiled with V8's code cache of it,
// main.cjs.cache, when there is one that fits this Node (else V8 compiles it as usual).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const file = fileURLToPath(new URL("./main.cjs", import.meta.url));
const cacheFile = \`\${file}.cache\`;
const writeCache = process.env.${WRITE_CODE_CACHE} === "1";
let cachedData;
if (!writeCache) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // no cache: compiled as usual
  }
}
const source = \`(function (exports, require, module, __filename, __dirname) {\${readFileSync(file, "utf8")}\\n})\`;
const script = new vm.Script(source, { filename: file, cachedData, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER });
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
if (writeCache) process.on("exit", () => writeFileSync(cacheFile, script.createCachedData()));
`;

/** A package's ES build: its `exports["."].default` (yaml's "node" entry is CommonJS). */
async function esBuildOf(req: NodeJS.Require, dep: string): Promise<string> {
  const file = req.resolve(`${dep}/package.json`);
  const exports = (JSON.parse(await readFile(file, "utf8")) as { exports: { ".": { default: string } } }).exports["."];
  return join(dirname(file), exports.default);
}

export interface BundleResult {
  /** Output files, relative to the output folder. */
  files: string[];
  /** Why there is no code cache (the warm-up run failed), or undefined when it was written. */
  noCache?: string;
}

/** Writes the bundle of the package at `root` into `outdir` (emptied first), then the code cache from a warm-up run. */
export async function bundle(root: string, outdir: string): Promise<BundleResult> {
  const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const external = Object.keys(pkg.dependencies ?? {})
    .filter((d) => !BUNDLED.has(d))
    .flatMap((d) => [d, `${d}/*`]);
  const req = createRequire(join(root, "package.json"));
  const alias = Object.fromEntries(await Promise.all([...BUNDLED].map(async (d) => [d, await esBuildOf(req, d)])));
  await rm(outdir, { recursive: true, force: true });
  const common: BuildOptions = { absWorkingDir: root, bundle: true, platform: "node", target: "node20", external, alias, metafile: true, logLevel: "warning" };
  const outputs = await Promise.all([
    build({
      ...common,
      entryPoints: [ENTRY_POINTS["main.cjs"]],
      outfile: join(outdir, "main.cjs"),
      format: "cjs",
      define: { "import.meta.url": "importMetaUrl" },
      inject: [join(root, "scripts", "bundle-import-meta.js")],
    }),
    build({ ...common, entryPoints: [ENTRY_POINTS["scan-worker.js"]], outfile: join(outdir, "scan-worker.js"), format: "esm" }),
  ]);
  await writeFile(join(outdir, "main.js"), LOADER);
  const files = ["main.js", ...outputs.flatMap((r) => Object.keys(r.metafile?.outputs ?? {}).map((f) => relative(outdir, join(root, f)).split(sep).join("/")))];
  for (const dep of BUNDLED) {
    const license = await readFile(join(dirname(req.resolve(`${dep}/package.json`)), "LICENSE"), "utf8");
    await writeFile(join(outdir, `${dep}.LICENSE.txt`), `${dep} is bundled into these files by scripts/bundle.ts; its licence:\n\n${license}`);
    files.push(`${dep}.LICENSE.txt`);
  }
  // found next to the bundle (runner/sources/dump/bson-walk-native.ts); absent: the JavaScript walk
  const wasm = await copyFile(join(root, "native", "bson-walk.wasm"), join(outdir, "bson-walk.wasm")).then(() => true, () => false);
  if (wasm) files.push("bson-walk.wasm");
  // last: the warm-up runs what was just written (with the wasm scanner when it is there)
  const noCache = await writeCodeCache(outdir);
  if (!noCache) files.push("main.cjs.cache");
  return { files: files.sort(), noCache };
}

/**
 * The warm-up: the built CLI writes a small generated dump and runs the built-in scenarios on
 * it, both in a temporary folder of its own; the run's process writes main.cjs.cache as it exits,
 * holding what that run compiled. A failure leaves no cache (slower start, same results).
 */
async function writeCodeCache(outdir: string): Promise<string | undefined> {
  const work = await mkdtemp(join(tmpdir(), "countly-check-code-cache-"));
  const node = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [join(outdir, "main.js"), ...args], { cwd: work, env: { ...process.env, NO_COLOR: "1", ...env } }, (error, _stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stderr }),
      ),
    );
  try {
    const dump = await node(["fixture", "--out", "dump", "--seed", "1"]);
    if (dump.code !== 0) return `the warm-up fixture failed (exit ${dump.code}): ${dump.stderr}`;
    const run = await node(["run", "--source", "dump", "--junit", "junit.xml", "--quiet"], { [WRITE_CODE_CACHE]: "1" });
    // 0 or 1 (findings): the run went through every phase
    if (run.code > 1) return `the warm-up run failed (exit ${run.code}): ${run.stderr}`;
    return undefined;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(sep).join("/"))) {
  const root = join(import.meta.dirname, "..");
  const { files, noCache } = await bundle(root, join(root, "dist"));
  process.stdout.write(`dist/: ${files.join(", ")}${noCache ? `\nno code cache: ${noCache}` : ""}\n`);
}
