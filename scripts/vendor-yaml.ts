// Run by `npm run build` after tsc: yaml bundled into one ES module, dist/vendor/yaml.js,
// and dist's imports of "yaml" pointed at it. yaml ships as some 60 CommonJS files whose
// loading cost a run about 80 ms of CPU at start-up, a fifth of the tiny-dump target
// (issue 12, instant start); the same code as one file loads in a few. It is yaml's own
// ES build (its package's "default" export), unchanged; Deno and the tests import yaml
// itself.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import process from "node:process";
import { build } from "esbuild";

const IMPORT_OF_YAML = /(\bfrom\s*|\bimport\s*\(\s*)(["'])yaml\2/g;

async function jsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await jsFiles(path)));
    else if (entry.name.endsWith(".js")) out.push(path);
  }
  return out;
}

/** Writes `<dist>/vendor/yaml.js` and rewrites the imports of "yaml" under `dist`; returns the files rewritten. */
export async function vendorYaml(dist: string, from: string = import.meta.url): Promise<string[]> {
  const pkgFile = createRequire(from).resolve("yaml/package.json");
  const pkg = JSON.parse(await readFile(pkgFile, "utf8")) as { version: string; exports: { ".": { default: string } } };
  const license = (await readFile(join(dirname(pkgFile), "LICENSE"), "utf8")).trim();
  const outfile = join(dist, "vendor", "yaml.js");
  await build({
    entryPoints: [join(dirname(pkgFile), pkg.exports["."].default)],
    bundle: true,
    format: "esm",
    platform: "neutral",
    outfile,
    legalComments: "inline",
    logLevel: "warning",
    banner: { js: `/* yaml ${pkg.version} (https://github.com/eemeli/yaml), bundled by countly-check's scripts/vendor-yaml.ts.\n${license}\n*/` },
  });
  const rewritten: string[] = [];
  for (const file of await jsFiles(dist)) {
    if (file === outfile) continue;
    const text = await readFile(file, "utf8");
    if (!IMPORT_OF_YAML.test(text)) continue;
    let target = relative(dirname(file), outfile).split(sep).join("/");
    if (!target.startsWith(".")) target = `./${target}`;
    await writeFile(file, text.replace(IMPORT_OF_YAML, (_m, head: string, q: string) => `${head}${q}${target}${q}`));
    rewritten.push(file);
  }
  return rewritten;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(sep).join("/"))) {
  const dist = join(import.meta.dirname, "..", "dist");
  const files = await vendorYaml(dist);
  process.stdout.write(`dist/vendor/yaml.js written; imports rewritten in ${files.map((f) => relative(dist, f)).join(", ") || "no file"}\n`);
}
