// action.yml, the composite GitHub Action: its inputs and steps, and its run steps'
// scripts executed by bash as the runner would (inputs through env, a fake GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY and workspace), with a stand-in `npm` on PATH so nothing is fetched.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { applyCorruptions } from "../fixtures/corruptions.ts";
import { writeDump } from "../fixtures/dump-writer.ts";
import { generateDataset } from "../fixtures/generate.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  shell?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(REPO, "action.yml"), "utf8")) as Action;
const runSteps = action.runs.steps.filter((s) => s.run);

/** `${{ inputs.x }}` and `${{ github.action_path }}` as the runner evaluates them. */
function evaluate(value: string, inputs: Record<string, string>): string {
  return value.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expr: string) => {
    if (expr === "github.action_path") return REPO;
    const m = /^inputs\.([\w-]+)$/.exec(expr);
    if (!m) throw new Error(`the harness does not evaluate ${expr}`);
    return inputs[m[1]!] ?? action.inputs[m[1]!]?.default ?? "";
  });
}

interface StepRun {
  status: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

let work: string;
let fakeBin: string;
let incident: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "cc-action-"));
  fakeBin = join(work, "bin");
  mkdirSync(fakeBin);
  // npm stand-in: records how it was called instead of downloading anything.
  writeFileSync(join(fakeBin, "npm"), `#!/bin/sh\necho "$PWD|$npm_config_cache|$*" >> "${join(work, "npm.log")}"\n`);
  chmodSync(join(fakeBin, "npm"), 0o755);
  incident = join(work, "incident");
  await writeDump(applyCorruptions(generateDataset(7), ["post-restore-incident"]), incident);
});

function runStep(step: Step, inputs: Record<string, string>, env: Record<string, string>, cwd: string): StepRun {
  const output = join(cwd, `output-${Math.random().toString(36).slice(2)}`);
  writeFileSync(output, "");
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(v, inputs)]));
  const r = spawnSync("bash", ["-e", "-c", step.run!], {
    cwd,
    encoding: "utf8",
    env: { PATH: `${fakeBin}:${process.env.PATH}`, HOME: cwd, RUNNER_TEMP: join(cwd, "tmp"), GITHUB_OUTPUT: output, ...env, ...stepEnv },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: readFileSync(output, "utf8") };
}

function workspace(): string {
  const dir = mkdtempSync(join(work, "ws-"));
  mkdirSync(join(dir, "ci"));
  writeFileSync(join(dir, "ci", "countly.yaml"), ["name: ci-demo", "checks:", "  - id: events", "    check: events-match-raw", "  - id: views", "    check: views-present-when-raw", "    severity: warn", ""].join("\n"));
  writeFileSync(join(dir, "summary.md"), "");
  return dir;
}

describe("action.yml", () => {
  it("is a composite action with the inputs scenarios, source-env, junit and args, that sets up Node first", () => {
    expect(action.runs.using).toBe("composite");
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(["scenarios", "source-env", "junit", "args"]));
    expect(action.runs.steps[0]).toMatchObject({ uses: "actions/setup-node@v4", with: { "node-version": "${{ inputs.node-version }}" } });
    expect(action.outputs["exit-code"]!.value).toBe("${{ steps.check.outputs.exit-code }}");
    expect(runSteps.map((s) => s.name)).toEqual(["Install countly-check", "Run countly-check"]);
  });

  it("passes inputs to its scripts only through the environment (no expression in a script)", () => {
    for (const s of runSteps) {
      expect(s.run).not.toContain("${{");
      expect(s.shell).toBe("bash");
    }
  });

  it("installs this package in its own folder (npm ci, whose prepare step compiles dist/), with an npm cache in RUNNER_TEMP", () => {
    const ws = workspace();
    const r = runStep(runSteps[0]!, {}, {}, ws);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const calls = readFileSync(join(work, "npm.log"), "utf8").trim().split("\n");
    expect(calls.at(-1)).toBe(`${REPO}|${join(ws, "tmp")}/countly-check-npm-cache|ci --no-audit --no-fund --loglevel=error`);
  });

  it("runs the scenarios against the source named by source-env: annotations, job summary, JUnit, exit code as output", () => {
    const ws = workspace();
    const r = runStep(runSteps[1]!, { scenarios: "ci/countly.yaml", "source-env": "BACKUP_DIR", junit: "out/junit.xml", args: "--label backup --sarif out/countly.sarif" }, { BACKUP_DIR: incident, GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: ws, GITHUB_STEP_SUMMARY: join(ws, "summary.md") }, ws);
    expect(r.status).toBe(1);
    expect(r.output).toBe("exit-code=1\n");
    expect(r.stdout).toMatch(/^::error file=ci\/countly\.yaml,line=3,title=backup\/ci-demo\.events /m);
    expect(r.stdout).toMatch(/^::warning file=ci\/countly\.yaml,line=5,title=backup\/ci-demo\.views /m);
    expect(readFileSync(join(ws, "summary.md"), "utf8")).toMatch(/^## ❌ countly-check backup: FAILED/);
    expect(readFileSync(join(ws, "out", "junit.xml"), "utf8")).toContain('<testsuite name="backup/ci-demo"');
    expect(existsSync(join(ws, "out", "countly.sarif"))).toBe(true);
    // The source's value is never an argument (it would be readable in /proc/<pid>/cmdline).
    expect(runSteps[1]!.run).toContain('--source-env "$INPUT_SOURCE_ENV"');
  });

  it("runs the built-in scenarios when no scenarios are given", () => {
    const ws = workspace();
    const r = runStep(runSteps[1]!, {}, { MONGODB_URI: incident, GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: ws }, ws);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("post-restore");
    expect(existsSync(join(ws, "reports", "junit.xml"))).toBe(true);
  });

  it("fails with an annotation, exit 2, when the source variable is unset or source-env is not a variable name", () => {
    const ws = workspace();
    const unset = runStep(runSteps[1]!, {}, {}, ws);
    expect(unset.status).toBe(2);
    expect(unset.stdout).toMatch(/^::error title=countly-check::the environment variable MONGODB_URI is empty or not set/m);
    const bad = runStep(runSteps[1]!, { "source-env": "X; touch pwned" }, {}, ws);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toMatch(/^::error title=countly-check::source-env must be the name of an environment variable/m);
    expect(existsSync(join(ws, "pwned"))).toBe(false);
  });

  it("never runs input text as shell: scenarios and args are words given to countly-check", () => {
    const ws = workspace();
    const r = runStep(runSteps[1]!, { scenarios: "$(touch pwned1) `touch pwned2`", args: "; touch pwned3" }, { MONGODB_URI: incident }, ws);
    expect(r.status).toBe(2);
    expect(r.output).toBe("exit-code=2\n");
    for (const f of ["pwned1", "pwned2", "pwned3"]) expect(existsSync(join(ws, f))).toBe(false);
  });
});
