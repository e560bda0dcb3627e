// scripts/bundle.ts (`npm run build`): dist/ as one CommonJS bundle started through V8's code
// cache, and the worker. Built into a temporary package folder (its package.json, node_modules
// and scenarios/ pointing at this checkout), then run there: the code cache fits this Node,
// `--version` and a run on a small dump load only what they use (no mongodb, mingo, fast-check
// or ajv's compiler; no TypeScript loader), with the cache or without it the same report, yaml
// is bundled with its licence, and the `--jobs` worker starts from the bundle and gives the
// single-threaded report.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Script } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { bundle } from "../../scripts/bundle.ts";
import { VERSION } from "../../runner/version.ts";

const ROOT = join(import.meta.dirname, "..", "..");

let work: string;
let pkg: string;
let files: string[];
let hook: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "countly-check-bundle-"));
  pkg = join(work, "pkg");
  await mkdir(pkg);
  await writeFile(join(pkg, "package.json"), await readFile(join(ROOT, "package.json")));
  for (const d of ["node_modules", "scenarios"]) await symlink(join(ROOT, d), join(pkg, d), "dir");
  files = (await bundle(ROOT, join(pkg, "dist"))).files;
  // a loader hook that lists every module the process loads, on stderr
  await writeFile(join(work, "hooks.mjs"), `export async function load(url, context, next) { process._rawDebug("LOADED " + url); return next(url, context); }\n`);
  await writeFile(join(work, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(work, "hooks.mjs")).href)});\n`);
  // the bundle is CommonJS: its require()s are listed by a hook of the CommonJS loader
  await writeFile(
    join(work, "require-hook.cjs"),
    [
      'const Module = require("node:module");',
      'const { pathToFileURL } = require("node:url");',
      "const seen = new Set();",
      "const load = Module._load;",
      "Module._load = function (request, parent, isMain) {",
      "  const f = Module._resolveFilename(request, parent, isMain);",
      '  const u = f.startsWith("/") ? pathToFileURL(f).href : "node:" + f.replace(/^node:/, "");',
      '  if (!seen.has(u)) { seen.add(u); process._rawDebug("LOADED " + u); }',
      "  return load.apply(this, arguments);",
      "};",
      "",
    ].join("\n"),
  );
  hook = join(work, "register.mjs");
  await writeDump(generateDataset(4, { layout: "current", apps: 2, rawEvents: 60 }), join(work, "dump"));
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  loaded: string[];
}

function cli(args: string[], entry = join(pkg, "dist", "main.js")): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--require", join(work, "require-hook.cjs"), "--import", hook, entry, ...args], { cwd: work, env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) => {
      const loaded = stderr.split("\n").filter((l) => l.startsWith("LOADED ")).map((l) => l.slice(7));
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr: stderr.split("\n").filter((l) => !l.startsWith("LOADED ")).join("\n"), loaded });
    });
  });
}

/** The packages a process loaded from node_modules, by name. */
const packagesOf = (loaded: string[]): string[] => [...new Set(loaded.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []))].sort();

describe("the bundle", () => {
  it("is the entry, the CommonJS bundle with its code cache and the worker, with yaml inside and its licence", async () => {
    expect(files.filter((f) => f !== "bson-walk.wasm")).toEqual(["main.cjs", "main.cjs.cache", "main.js", "scan-worker.js", "yaml.LICENSE.txt"]);
    expect(await readFile(join(pkg, "dist", "yaml.LICENSE.txt"), "utf8")).toMatch(/Copyright Eemeli Aro/);
    for (const f of files.filter((f) => /\.c?js$/.test(f))) {
      const text = await readFile(join(pkg, "dist", f), "utf8");
      expect(text, f).not.toMatch(/\b(from\s*|import\(\s*|require\(\s*)["'](yaml|[^"']*\.ts)["']/);
    }
  });

  it("writes a code cache that this Node accepts", async () => {
    const file = join(pkg, "dist", "main.cjs");
    const source = `(function (exports, require, module, __filename, __dirname) {${await readFile(file, "utf8")}\n})`;
    const script = new Script(source, { filename: file, cachedData: await readFile(`${file}.cache`) });
    expect(script.cachedDataRejected).toBe(false);
  });

  it("gives the same report with the cache, without it, and from main.cjs run directly", async () => {
    const strip = (t: string) => JSON.parse(t, (k, v) => (["durationMs", "startedAt", "timestamp", "timings"].includes(k) ? undefined : v)) as unknown;
    const cached = await cli(["run", "--source", "dump", "--json", "cached.json", "--junit", "cached.xml"]);
    const direct = await cli(["run", "--source", "dump", "--json", "direct.json", "--junit", "direct.xml"], join(pkg, "dist", "main.cjs"));
    expect([cached.code, direct.code]).toEqual([0, 0]);
    await rename(join(pkg, "dist", "main.cjs.cache"), join(work, "cache.bak"));
    try {
      const uncached = await cli(["run", "--source", "dump", "--json", "uncached.json", "--junit", "uncached.xml"]);
      expect(uncached.code).toBe(0);
      expect(strip(await readFile(join(work, "uncached.json"), "utf8"))).toEqual(strip(await readFile(join(work, "cached.json"), "utf8")));
    } finally {
      await rename(join(work, "cache.bak"), join(pkg, "dist", "main.cjs.cache"));
    }
    expect(strip(await readFile(join(work, "direct.json"), "utf8"))).toEqual(strip(await readFile(join(work, "cached.json"), "utf8")));
  });

  it("answers --version loading none of the dependencies", async () => {
    const r = await cli(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    expect(packagesOf(r.loaded)).toEqual([]);
  });

  it("runs the built-in scenarios on a dump loading bson and ajv's runtime helper only", async () => {
    const r = await cli(["run", "--source", "dump", "--junit", "junit.xml"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(packagesOf(r.loaded)).toEqual(["ajv", "bson"]);
    expect(r.loaded.filter((u) => u.includes("/node_modules/ajv/")).map((u) => u.replace(/.*\/node_modules\/ajv\//, ""))).toEqual(["dist/runtime/ucs2length.js"]);
    expect(r.loaded.filter((u) => u.startsWith("file:") && !u.includes("/node_modules/")).every((u) => u.startsWith(pathToFileURL(join(pkg, "dist")).href))).toBe(true);
  });

  it("starts the --jobs worker threads from the bundle, with the single-threaded report", async () => {
    const one = await cli(["run", "--source", "dump", "--jobs", "1", "--json", "one.json", "--junit", "one.xml"]);
    const two = await cli(["run", "--source", "dump", "--jobs", "2", "--progress", "--json", "two.json", "--junit", "two.xml"]);
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(two.stderr).toMatch(/2 worker threads/);
    const strip = (t: string) => JSON.parse(t, (k, v) => (["durationMs", "startedAt", "timestamp", "timings"].includes(k) ? undefined : v)) as unknown;
    expect(strip(await readFile(join(work, "two.json"), "utf8"))).toEqual(strip(await readFile(join(work, "one.json"), "utf8")));
    expect(await readdir(join(pkg, "dist"))).toContain("scan-worker.js");
  });

  it("reads plain .bson files with the wasm scanner beside it when built, and says so (--progress, the JSON timings)", async () => {
    const built = files.includes("bson-walk.wasm");
    if (!built && process.env.COUNTLY_CHECK_REQUIRE_WASM === "1") throw new Error("dist/bson-walk.wasm was not bundled (native/bson-walk.wasm missing: npm run build needs clang-14 and lld-14)");
    const r = await cli(["run", "--source", "dump", "--progress", "--json", "scanner.json", "--junit", "scanner.xml"]);
    expect(r.code).toBe(0);
    const scanners = (JSON.parse(await readFile(join(work, "scanner.json"), "utf8")) as { timings: { kind: string; scanner?: string }[] }).timings.filter((t) => t.kind === "pass").map((t) => t.scanner);
    if (built) {
      expect(r.stderr).toContain(`scanner: wasm (${join(pkg, "dist", "bson-walk.wasm")})`);
      expect(scanners).toContain("wasm");
    } else {
      expect(r.stderr).toMatch(/scanner: JavaScript \(.*not built/);
      expect(scanners.every((s) => s === "js")).toBe(true);
    }
  });
});
