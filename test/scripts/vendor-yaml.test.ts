// scripts/vendor-yaml.ts (run by `npm run build` after tsc): yaml as one ES module in
// dist/vendor/yaml.js with its licence, every import of "yaml" under dist pointed at it
// (static and dynamic, from any depth), and the bundle parses as yaml itself does.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineCounter, parseDocument } from "yaml";
import { vendorYaml } from "../../scripts/vendor-yaml.ts";

let dist: string;
beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), "countly-check-vendor-yaml-"));
  await mkdir(join(dist, "runner", "scenario"), { recursive: true });
  await writeFile(join(dist, "runner", "scenario", "load.js"), `import { LineCounter, parseDocument } from "yaml";\nexport function parse(t) { const lc = new LineCounter(); const d = parseDocument(t, { lineCounter: lc }); return { value: d.toJS(), pos: lc.linePos(d.contents.items[1].key.range[0]) }; }\n`);
  await writeFile(join(dist, "top.js"), `export const load = () => import('yaml');\n`);
  await writeFile(join(dist, "other.js"), `export const yaml = "yaml";\n`);
});
afterAll(async () => {
  await rm(dist, { recursive: true, force: true });
});

describe("vendorYaml", () => {
  it("bundles yaml with its licence and rewrites every import of it, and only those", async () => {
    const rewritten = await vendorYaml(dist);
    expect(rewritten.map((f) => f.slice(dist.length + 1)).sort()).toEqual(["runner/scenario/load.js", "top.js"]);
    const bundle = await readFile(join(dist, "vendor", "yaml.js"), "utf8");
    expect(bundle).toMatch(/^\/\* yaml \d+\.\d+\.\d+ .*\n.*Copyright Eemeli Aro/);
    expect(bundle).not.toMatch(/\brequire\(/);
    expect(await readFile(join(dist, "runner", "scenario", "load.js"), "utf8")).toContain(`from "../../vendor/yaml.js"`);
    expect(await readFile(join(dist, "top.js"), "utf8")).toContain(`import('./vendor/yaml.js')`);
    expect(await readFile(join(dist, "other.js"), "utf8")).toBe(`export const yaml = "yaml";\n`);
  });

  it("parses as yaml does, positions included", async () => {
    const text = "name: s\nchecks:\n  - id: a\n    check: events-match-raw\n";
    const { parse } = (await import(pathToFileURL(join(dist, "runner", "scenario", "load.js")).href)) as { parse(t: string): { value: unknown; pos: unknown } };
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc });
    const key = (doc.contents as unknown as { items: { key: { range: number[] } }[] }).items[1]!.key;
    expect(parse(text)).toEqual({ value: doc.toJS(), pos: lc.linePos(key.range[0]!) });
  });
});
