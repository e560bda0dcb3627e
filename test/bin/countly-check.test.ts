// The package as a user gets it: `npm pack` (which builds dist/, the bundle of scripts/bundle.ts), installed into an empty
// directory, and run there through `npx countly-check` with no TypeScript loader installed.
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { VERSION } from "../../runner/version.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const npmAvailable = (() => {
  try {
    execFileSync("npm", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      // The user's own npm cache, no update notices; nothing here writes outside `cwd` but that cache.
      { cwd, env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

let work: string;
let app: string;
let tarball: string;

describe.skipIf(!npmAvailable)("the packed package", () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "cc-pack-"));
    const packed = await run("npm", ["pack", "--json", "--pack-destination", work], ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info!.filename);
    app = join(work, "app");
    await run("mkdir", [app], work);
    await writeFile(join(app, "package.json"), `${JSON.stringify({ name: "consumer", private: true, version: "1.0.0" })}\n`);
    const installed = await run("npm", ["install", "--prefer-offline", "--save-dev", tarball], app);
    expect(installed.code, installed.stderr).toBe(0);
    await writeDump(generateDataset(11, { layout: "current" }), join(app, "dump"));
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("holds the compiled CLI, the scenarios, docs/ and the LICENSE, and no TypeScript sources", async () => {
    const listed = await run("tar", ["-tzf", tarball], work);
    const files = listed.stdout.split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "bin/countly-check.mjs", "dist/main.js", "dist/main.cjs", "dist/main.cjs.cache", "dist/scan-worker.js", "dist/yaml.LICENSE.txt", "scenarios/post-restore.yaml", "scenario.schema.json", "docs/ci.md", "docs/checks.md"]));
    expect(files.filter((f) => f.endsWith(".ts"))).toEqual([]);
    expect(files.filter((f) => f.startsWith("test/") || f.startsWith("dist/test/"))).toEqual([]);
    expect(await readFile(join(app, "node_modules", "countly-check", "LICENSE"), "utf8")).toMatch(/^MIT License/);
  });

  it("runs as `npx countly-check --version` with no TypeScript loader installed", async () => {
    await expect(stat(join(app, "node_modules", "tsx"))).rejects.toThrow();
    const r = await run("npx", ["--no-install", "countly-check", "--version"], app);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(r.code).toBe(0);
  });

  it("runs the built-in scenarios on a small dump there and writes the JUnit report", async () => {
    const r = await run("npx", ["--no-install", "countly-check", "run", "--source", "dump", "--junit", "reports/junit.xml"], app);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASSED: \d+ checks: 0 failed/m);
    const junit = await readFile(join(app, "reports", "junit.xml"), "utf8");
    expect(junit).toContain('name="post-restore');
    // The `--jobs` worker threads start from the bundle (dist/scan-worker.js beside main.cjs) and report the same.
    const jobs = await run("npx", ["--no-install", "countly-check", "run", "--source", "dump", "--jobs", "2", "--junit", "reports/junit-jobs.xml"], app);
    expect(jobs.stderr).toBe("");
    expect(jobs.code).toBe(0);
    const cases = (xml: string) => [...xml.matchAll(/<testcase [^>]*name="([^"]*)"/g)].map((m) => m[1]);
    expect(cases(await readFile(join(app, "reports", "junit-jobs.xml"), "utf8"))).toEqual(cases(junit));
    // The package's own scenarios and schema are found from the bundled code (dist/ is one level deeper).
    const init = await run("npx", ["--no-install", "countly-check", "init", "mine.yaml"], app);
    expect(init.code, init.stderr).toBe(0);
    expect((await readFile(join(app, "mine.yaml"), "utf8")).split("\n")[0]).toBe("# yaml-language-server: $schema=./node_modules/countly-check/scenario.schema.json");
  });
});
