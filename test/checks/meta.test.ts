// What users read about a check and what their editor accepts come from its meta: the
// check's section of docs/checks.md and its entry in scenario.schema.json. Per kind, the
// committed files must say what the meta says, so a changed summary, option, default or
// remediation text is a user-visible change that turns this red until the docs are
// regenerated (`npm run docs`, `npm run schema`) and the change is reviewed.
import { readdir, readFile } from "node:fs/promises";
import AjvModule from "ajv";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../checks/index.ts";
import type { CheckDefinition, JsonSchema } from "../../checks/types.ts";
import { withDefaults } from "../../checks/types.ts";
import { checksMarkdown } from "../../runner/docs/checks-doc.ts";
import type { FactName } from "../../runner/facts/types.ts";
import { APP, EMPTY_FACTS } from "../support/check-harness.ts";

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const ROOT = new URL("../../", import.meta.url);
const docs = await readFile(new URL("docs/checks.md", ROOT), "utf8");
const schema = JSON.parse(await readFile(new URL("scenario.schema.json", ROOT), "utf8")) as JsonSchema;
const entries = schema.properties!.checks!.items!.allOf!;

/** The `## kind` section of a checks.md text, up to the next kind. */
function section(md: string, kind: string): string | undefined {
  const start = md.indexOf(`\n## ${kind}\n`);
  if (start < 0) return undefined;
  const end = md.indexOf("\n## ", start + 1);
  return md.slice(start, end < 0 ? undefined : end);
}

const kinds = [...CHECKS.keys()].sort();

describe.each(kinds)("meta of %s", (kind) => {
  const def = CHECKS.get(kind)!;
  const meta = def.meta;

  it("is the module checks/<kind>.ts exports, under its own kind", async () => {
    const mod = (await import(`../../checks/${kind}.ts`)) as Record<string, unknown>;
    expect(Object.values(mod)).toContain(def);
    expect(meta.kind).toBe(kind);
  });

  it("is what docs/checks.md documents for it (summary, proofs, options, example, cause, remedy)", () => {
    const own = checksMarkdown(new Map([[kind, def as CheckDefinition]]));
    expect(section(docs, kind)).toBe(section(own, kind));
    expect(docs).toContain(`| [\`${kind}\`](#${kind}) | ${meta.perApp ? "yes" : "no"} |`);
    for (const text of [meta.summary, meta.proves, meta.likelyCause, meta.remediation, meta.exampleFinding]) expect(text.trim().length).toBeGreaterThan(20);
  });

  it("accepts in scenario.schema.json exactly its options, with their types, limits and defaults", () => {
    const entry = entries.find((e) => e.if?.properties?.check?.const === kind);
    expect(entry, `scenario.schema.json has no entry for ${kind}`).toBeDefined();
    const then = entry!.then!;
    expect(then.description).toBe(meta.summary);
    expect(then.additionalProperties).toBe(false);
    expect(then.required).toEqual(["id", "check", ...(meta.options.required ?? [])]);
    const props = then.properties!;
    for (const [name, s] of Object.entries(meta.options.properties)) expect(props[name], `${kind}.${name}`).toEqual(JSON.parse(JSON.stringify(s)));
  });

  it("has defaults its own option schema accepts, filled in when the entry leaves them out", () => {
    const ajv = new Ajv({ strict: false });
    const filled = withDefaults<Record<string, unknown>>(meta, {});
    for (const [name, s] of Object.entries(meta.options.properties)) {
      if (s.default === undefined) {
        expect(filled, name).not.toHaveProperty(name);
        continue;
      }
      expect(ajv.validate(s, s.default), `${kind}.${name} default: ${ajv.errorsText()}`).toBe(true);
      expect(filled[name], name).toEqual(s.default);
    }
  });
});

describe.each(kinds.filter((k) => !CHECKS.get(k)!.queries && !CHECKS.get(k)!.external))("facts of %s", (kind) => {
  it("are read only when the check declares them in needs() (the runner gathers nothing else)", () => {
    const def = CHECKS.get(kind)!;
    const options = withDefaults<Record<string, unknown>>(def.meta, {});
    const declared = new Set(def.needs(options).map((r) => r.fact));
    const read: string[] = [];
    def.evaluate({
      options,
      app: APP,
      period: {},
      severity: "error",
      facts: {
        get: <K extends FactName>(n: K) => {
          read.push(n);
          if (!declared.has(n)) throw new Error(`${kind} read the undeclared fact ${n}`);
          return EMPTY_FACTS[n];
        },
        inPeriod: () => true,
      },
      report: () => {},
    });
    expect(read.length).toBeGreaterThan(0);
  });
});

describe("the registry", () => {
  it("lists every check module of checks/ (a check left out of checks/index.ts cannot be used)", async () => {
    const files = (await readdir(new URL("checks/", ROOT))).filter((f) => f.endsWith(".ts") && !["index.ts", "types.ts"].includes(f));
    const modules = await Promise.all(files.map(async (f) => [f, Object.values((await import(`../../checks/${f}`)) as Record<string, unknown>)] as const));
    const definers = modules.filter(([, exports]) => exports.some((e) => typeof e === "object" && e !== null && "meta" in e && "evaluate" in e)).map(([f]) => f.replace(/\.ts$/, ""));
    expect(kinds).toEqual(definers.sort());
  });
});
