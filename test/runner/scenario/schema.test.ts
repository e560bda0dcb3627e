// scenario.schema.json: generated from the registry, current, complete, and what editors check.
import { readdir, readFile } from "node:fs/promises";
import AjvModule from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../../checks/index.ts";
import type { JsonSchema } from "../../../checks/types.ts";
import { CORRUPTIONS } from "../../../fixtures/corruptions.ts";
import { scenarioSchema } from "../../../runner/scenario/schema.ts";
import { cli } from "../../support/cli.ts";

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const ROOT = new URL("../../../", import.meta.url);
const schema = scenarioSchema(CHECKS, Object.keys(CORRUPTIONS));

describe("scenario.schema.json", () => {
  it("is up to date with the check registry and the corruptions (run `npm run schema` after changing either)", async () => {
    const committed = await readFile(new URL("scenario.schema.json", ROOT), "utf8");
    expect(committed).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });

  it("is what `countly-check schema` prints", async () => {
    const r = await cli(["schema"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(schema)));
  });

  it("describes every option of every check kind, pipeline and compare included", () => {
    const undocumented: string[] = [];
    const walk = (s: JsonSchema, path: string) => {
      for (const [k, p] of Object.entries(s.properties ?? {})) {
        if (!p.description && !p.$ref) undocumented.push(`${path}.${k}`);
        if (p.type === "object" && p.properties) walk(p, `${path}.${k}`);
      }
    };
    for (const [kind, def] of CHECKS) walk(def.meta.options, kind);
    expect(undocumented).toEqual([]);
    const kinds = (schema.properties!.checks!.items!.properties!.check!.enum ?? []) as string[];
    expect(kinds).toEqual(expect.arrayContaining(["pipeline", "compare"]));
    // Defaults editors show.
    const pipelineOptions = CHECKS.get("pipeline")!.meta.options.properties;
    expect(pipelineOptions.expect!.default).toBe("empty");
    expect(pipelineOptions.max_findings!.default).toBe(100);
    expect(CHECKS.get("compare")!.meta.options.properties.missing!.default).toBe("fail");
  });

  it("accepts the built-in scenarios, each of which names it on its first line; rejects what the loader rejects", async () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema as object);
    const dir = new URL("scenarios/", ROOT);
    const files = (await readdir(dir)).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = await readFile(new URL(f, dir), "utf8");
      expect(text.split("\n")[0], f).toBe("# yaml-language-server: $schema=../scenario.schema.json");
      expect(validate(parse(text)), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const bad = { name: "x", checks: [{ id: "p", check: "pipeline", collection: "countly.x", pipeline: [], expect: "nothing" }], selftest: { must_catch: { p: ["no-such"] } } };
    expect(validate(bad)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(["/checks/0/expect", "/selftest/must_catch/p/0"]));
  });
});
