// scripts/bundle.ts (`npm run build`): dist/ as a few ES modules. Built into a temporary
// package folder (its package.json, node_modules and scenarios/ pointing at this checkout),
// then run there: `--version` and a run on a small dump load only what they use (no mongodb,
// mingo, fast-check or ajv's compiler; no TypeScript loader), yaml is bundled with its licence,
// and the `--jobs` worker starts from the bundle and gives the single-threaded report.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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

function cli(args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", hook, join(pkg, "dist", "main.js"), ...args], { cwd: work, env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) => {
      const loaded = stderr.split("\n").filter((l) => l.startsWith("LOADED ")).map((l) => l.slice(7));
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr: stderr.split("\n").filter((l) => !l.startsWith("LOADED ")).join("\n"), loaded });
    });
  });
}

/** The packages a process loaded from node_modules, by name. */
const packagesOf = (loaded: string[]): string[] => [...new Set(loaded.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []))].sort();

describe("the bundle", () => {
  it("is the entry, the worker and chunks beside them, with yaml inside and its licence", async () => {
    expect(files).toEqual(expect.arrayContaining(["main.js", "scan-worker.js", "yaml.LICENSE.txt"]));
    expect(files.filter((f) => f.includes("/"))).toEqual([]);
    expect(await readFile(join(pkg, "dist", "yaml.LICENSE.txt"), "utf8")).toMatch(/Copyright Eemeli Aro/);
    for (const f of files.filter((f) => f.endsWith(".js"))) {
      const text = await readFile(join(pkg, "dist", f), "utf8");
      expect(text, f).not.toMatch(/\b(from\s*|import\(\s*)["'](yaml|[^"']*\.ts)["']/);
    }
  });

  it("answers --version loading none of the dependencies", async () => {
    const r = await cli(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    expect(packagesOf(r.loaded)).toEqual([]);
    expect(r.loaded.some((u) => /run-command/.test(u))).toBe(false);
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
