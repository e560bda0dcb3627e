// Run by `npm run build` (after compile-validators.ts): the CLI as a few ES modules in dist/,
// bundled by esbuild from the TypeScript sources. Loading ~170 compiled files one by one cost a
// tiny-dump run more than a quarter of its wall time (issue 12, instant start: ≤ 0.4 s); each
// command's code is its own chunk, loaded when the command runs (runner/cli/main.ts imports
// them on demand), so `--version` and a dump run never load mongodb, mingo, fast-check or ajv.
// Transpiling only, as vitest and Deno do with the same sources; `npm run typecheck` checks types.
//
// Layout (flat, so a chunk's `new URL("./scan-worker.js", import.meta.url)` finds the worker):
//   dist/main.js         the entry bin/countly-check.mjs imports (runner/main.ts)
//   dist/scan-worker.js  the `--jobs` worker thread (runner/sources/dump/parallel/scan-worker.ts)
//   dist/*-<hash>.js     shared and per-command chunks
//   dist/bson-walk.wasm  the scanner's inner loop (scripts/build-wasm.ts), when it was built
// Runtime dependencies stay in node_modules (one copy of bson for us and the driver), except
// yaml, whose ~60 CommonJS files are bundled as its own ES build (its package's "default"
// export; Node's "node" export is the CommonJS one), its licence in dist/yaml.LICENSE.txt.
import { copyFile, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import process from "node:process";
import { build } from "esbuild";

/** The entry points: output name (no extension) -> source, relative to the package root. */
export const ENTRY_POINTS = { main: "runner/main.ts", "scan-worker": "runner/sources/dump/parallel/scan-worker.ts" } as const;

/** Dependencies bundled into dist/ rather than loaded from node_modules. */
const BUNDLED = new Set(["yaml"]);

/** A package's ES build: its `exports["."].default` (yaml's "node" entry is CommonJS). */
async function esBuildOf(req: NodeJS.Require, dep: string): Promise<string> {
  const file = req.resolve(`${dep}/package.json`);
  const exports = (JSON.parse(await readFile(file, "utf8")) as { exports: { ".": { default: string } } }).exports["."];
  return join(dirname(file), exports.default);
}

export interface BundleResult {
  /** Output files, relative to the output folder. */
  files: string[];
}

/** Writes the bundle of the package at `root` into `outdir` (emptied first). */
export async function bundle(root: string, outdir: string): Promise<BundleResult> {
  const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const external = Object.keys(pkg.dependencies ?? {})
    .filter((d) => !BUNDLED.has(d))
    .flatMap((d) => [d, `${d}/*`]);
  const req = createRequire(join(root, "package.json"));
  const alias = Object.fromEntries(await Promise.all([...BUNDLED].map(async (d) => [d, await esBuildOf(req, d)])));
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.entries(ENTRY_POINTS).map(([out, src]) => ({ in: src, out })),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir,
    entryNames: "[name]",
    chunkNames: "[name]-[hash]",
    external,
    alias,
    metafile: true,
    logLevel: "warning",
  });
  const files = Object.keys(result.metafile.outputs).map((f) => relative(outdir, join(root, f)).split(sep).join("/"));
  for (const dep of BUNDLED) {
    const license = await readFile(join(dirname(req.resolve(`${dep}/package.json`)), "LICENSE"), "utf8");
    await writeFile(join(outdir, `${dep}.LICENSE.txt`), `${dep} is bundled into these files by scripts/bundle.ts; its licence:\n\n${license}`);
    files.push(`${dep}.LICENSE.txt`);
  }
  // found next to the chunks (runner/sources/dump/bson-walk-native.ts); absent: the JavaScript walk
  const wasm = await copyFile(join(root, "native", "bson-walk.wasm"), join(outdir, "bson-walk.wasm")).then(() => true, () => false);
  if (wasm) files.push("bson-walk.wasm");
  return { files: files.sort() };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(sep).join("/"))) {
  const root = join(import.meta.dirname, "..");
  const { files } = await bundle(root, join(root, "dist"));
  const entries = Object.keys(ENTRY_POINTS).map((e) => `${e}.js`);
  process.stdout.write(`dist/: ${entries.join(", ")} and ${files.filter((f) => f.endsWith(".js") && !entries.includes(f)).length} chunks\n`);
}
