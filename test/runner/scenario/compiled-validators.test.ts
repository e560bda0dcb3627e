// The scenario validators compiled at build time (runner/scenario/compiled-validators.ts,
// written by `npm run build`): the committed file is what the current schemas generate
// (stale: run `npm run build`), every schema the loader uses is in it, its validators
// judge values exactly as ajv compiling the schema at run time does, and loading and
// validating a scenario does not load ajv's compiler.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../../checks/index.ts";
import { COMPILED } from "../../../runner/scenario/compiled-validators.ts";
import { COMPILED_VALIDATORS_FILE, schemasToCompile, validatorModuleSource } from "../../../runner/scenario/validator-code.ts";
import { AJV_OPTIONS, schemaKey } from "../../../runner/scenario/validator-key.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const schemas = schemasToCompile(CHECKS);

describe("compiled scenario validators", () => {
  it("are up to date with the schemas (regenerate with npm run build)", () => {
    const committed = readFileSync(join(ROOT, COMPILED_VALIDATORS_FILE), "utf8");
    expect(committed === validatorModuleSource(schemas), `${COMPILED_VALIDATORS_FILE} is stale: run npm run build`).toBe(true);
  });

  it("cover the file's top level and every check kind's entry", () => {
    expect(schemas.length).toBe(CHECKS.size + 1);
    for (const s of schemas) expect(COMPILED.has(schemaKey(s)), JSON.stringify(s).slice(0, 80)).toBe(true);
  });

  it("judge values as ajv compiling at run time does, errors included", () => {
    const Ajv = (createRequire(import.meta.url)("ajv") as { default: new (o: object) => { compile(s: object): ((v: unknown) => boolean) & { errors?: unknown } } }).default;
    const ajv = new Ajv(AJV_OPTIONS);
    const values: unknown[] = [
      { name: "s", checks: [{}] },
      { name: "", checks: [] },
      { name: 1, extra: true },
      { id: "x", check: "events-match-raw" },
      { id: "x", check: "events-match-raw", severity: "loud", apps: "all", tolerance: -1 },
      { id: 3, check: "pipeline", collection: 5, pipeline: "nope", expect: { count: { op: "~", value: "a" } } },
      { id: "p", check: "compare", left: {}, right: { collection: "c", pipeline: [] } },
      null,
      [],
    ];
    for (const s of schemas) {
      const runtime = ajv.compile(s as object);
      const built = COMPILED.get(schemaKey(s)) as ((v: unknown) => boolean) & { errors?: unknown };
      for (const v of values) {
        expect(built(v), `${JSON.stringify(v)} against ${schemaKey(s).slice(0, 60)}`).toBe(runtime(v));
        expect(built.errors ?? null).toEqual(runtime.errors ?? null);
      }
    }
  });

  it("loading and validating a scenario loads no JSON Schema compiler", () => {
    const script = `
      import { createRequire } from "node:module";
      const { loadScenarioFile } = await import(${JSON.stringify(join(ROOT, "runner/scenario/load.ts"))});
      const { CHECKS } = await import(${JSON.stringify(join(ROOT, "checks/index.ts"))});
      const s = await loadScenarioFile(${JSON.stringify(join(ROOT, "scenarios/post-restore.yaml"))}, { registry: CHECKS });
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /ajv[\\\\/]dist[\\\\/](ajv|core|compile)/.test(k));
      process.stdout.write(JSON.stringify({ checks: s.checks.length, loaded }));`;
    const out = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" }));
    expect(out.checks).toBeGreaterThan(0);
    expect(out.loaded).toEqual([]);
  });
});
