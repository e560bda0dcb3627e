// Fuzz properties of the two readers of user input: the scenario loader (YAML mutations,
// byte flips, truncations) and the dump reader (byte flips and truncations of .bson and
// .bson.gz files). Whatever the bytes: a documented exit code (0, 1, 2 or 3) with a
// message, never an internal error (a stack trace), a hang (vitest's timeout) or a
// memory blow-up. Fixed, printed seeds; few runs, so the suite stays fast.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CHECKS } from "../../checks/index.ts";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { loadScenarioFile } from "../../runner/scenario/load.ts";
import { ScenarioError } from "../../runner/scenario/types.ts";
import { cli } from "../support/cli.ts";

const SCENARIO_SEED = 4242;
const DUMP_SEED = 4343;

let work: string;
let dump: string;
let scenarioTexts: string[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-fuzz-"));
  dump = join(work, "dump-src");
  await writeDump(generateDataset(3), dump);
  scenarioTexts = await Promise.all(["post-restore.yaml", "post-upgrade.yaml", "nightly-health.yaml"].map((f) => readFile(join("scenarios", f), "utf8")));
});

type Mutation = { kind: "flip"; at: number; bit: number } | { kind: "truncate"; at: number } | { kind: "insert"; at: number; text: string } | { kind: "delete"; at: number; length: number };

const YAML_SNIPPETS = ["*a", "&a ", "{", "[", "]", "}", ": ", "\t", "!!binary ", "${X}", "${", "<<: *a", "- ", "'", '"', "#", "\n  ", "\u0000", "\ufeff", "&a [*a,*a,*a,*a]\nb: &b [*a,*a,*a,*a]\n", "---\n", "%YAML 1.2\n", "? "];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.constantFrom(...YAML_SNIPPETS) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
);

function mutate(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = Buffer.from(bytes);
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === "flip") b[at] = b[at]! ^ (1 << m.bit);
    else if (m.kind === "truncate") b = b.subarray(0, at);
    else if (m.kind === "insert") b = Buffer.concat([b.subarray(0, at), Buffer.from(m.text), b.subarray(at)]);
    else b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
  }
  return b;
}

function noStackTrace(text: string): void {
  expect(text).not.toMatch(/internal error|\n\s+at .+:\d+:\d+\)?\n/);
}

describe("fuzz: the scenario loader", () => {
  it(`a mutated scenario loads or is a positioned ScenarioError (seed ${SCENARIO_SEED}, 300 runs; 15 through the CLI)`, async () => {
    console.log(`scenario fuzz: fast-check seed ${SCENARIO_SEED}`);
    const file = join(work, "fuzzed.yaml");
    let cliRuns = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 2 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), async (which, ms) => {
        await writeFile(file, mutate(Buffer.from(scenarioTexts[which]!), ms));
        const before = process.memoryUsage().heapUsed;
        try {
          await loadScenarioFile(file, { registry: CHECKS, env: { X: "*x" }, today: "2026-01-01" });
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw new Error(`not a ScenarioError: ${(e as Error).stack}`);
          for (const i of e.issues) expect(i.line).toBeGreaterThanOrEqual(1);
          expect(e.message).toMatch(/^.+:\d+:\d+ /);
        }
        expect(process.memoryUsage().heapUsed - before).toBeLessThan(300 * 1024 * 1024);
        if (cliRuns < 15) {
          cliRuns++;
          const r = await cli(["run", file, "--source", join(work, "no-such-dump"), "--junit", join(work, "s.xml")]);
          expect([2, 3]).toContain(r.code);
          expect(r.stderr.length).toBeGreaterThan(0);
          noStackTrace(r.stderr);
        }
      }),
      { seed: SCENARIO_SEED, numRuns: 300 },
    );
  }, 120_000);
});

describe("fuzz: the dump reader", () => {
  it(`a dump with a mutated or truncated .bson / .bson.gz gives 0, 1 or 3 with a message (seed ${DUMP_SEED}, 24 runs)`, async () => {
    console.log(`dump fuzz: fast-check seed ${DUMP_SEED}`);
    const files = [
      ["countly_drill", "drill_events.bson"],
      ["countly", "apps.bson"],
      ["countly", "events_data.bson"],
      ["countly", "events.bson"],
    ] as const;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), fc.boolean(), fc.array(mutation.filter((m) => m.kind !== "insert"), { minLength: 1, maxLength: 4 }), async ([db, name], gz, ms) => {
        const root = join(work, `d${run++}`);
        for (const d of await readdir(join(dump, "dump"))) {
          await mkdir(join(root, "dump", d), { recursive: true });
          for (const f of await readdir(join(dump, "dump", d))) await copyFile(join(dump, "dump", d, f), join(root, "dump", d, f));
        }
        const original = await readFile(join(dump, "dump", db, name));
        // Mutating the compressed stream exercises gunzip's errors; the plain one the BSON framing.
        const spoiled = gz ? mutate(gzipSync(original), ms) : mutate(original, ms);
        await rm(join(root, "dump", db, name));
        await writeFile(join(root, "dump", db, gz ? `${name}.gz` : name), spoiled);
        const before = process.memoryUsage().heapUsed;
        const r = await cli(["run", "scenarios/post-upgrade.yaml", "--source", root, "--junit", join(root, "j.xml"), "--json", join(root, "j.json")]);
        expect([0, 1, 3]).toContain(r.code);
        noStackTrace(r.stdout + r.stderr);
        if (r.code === 3) expect(r.stdout + r.stderr).toMatch(/could not|cannot|truncated|corrupt|error/);
        const report = JSON.parse(await readFile(join(root, "j.json"), "utf8")) as { exitCode: number };
        expect(report.exitCode).toBe(r.code);
        expect(process.memoryUsage().heapUsed - before).toBeLessThan(300 * 1024 * 1024);
        await rm(root, { recursive: true, force: true });
      }),
      { seed: DUMP_SEED, numRuns: 24 },
    );
  }, 180_000);
});
