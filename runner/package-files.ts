// Files shipped beside the code (scenarios/, scenario.schema.json, docs/), found from the package
// root: the nearest folder with a package.json above this module. That is one level up from the
// TypeScript sources (Node via tsx, Deno) and two from the compiled copy in dist/.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function packageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`countly-check: no package.json above ${start} (incomplete installation?)`);
  }
}

const ROOT = packageRoot();

/** The absolute path of a file or folder of this package (`scenarios/`, `scenario.schema.json`). */
export function packageFile(path: string): string {
  return join(ROOT, path);
}
