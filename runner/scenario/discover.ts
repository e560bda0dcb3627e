// Finds scenario files: explicit files, every *.yaml/*.yml of a directory, or the built-in scenarios/.
import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import process from "node:process";
import { packageFile } from "../package-files.ts";

export const BUILTIN_SCENARIOS = packageFile("scenarios/");

/**
 * How reports name the package's own files when they are not files of the user's
 * repository (the package under node_modules, or installed elsewhere):
 * `countly-check:scenarios/post-restore.yaml`. Also accepted as an argument.
 */
export const PACKAGE_SCHEME = "countly-check:";

export interface ScenarioFile {
  path: string;
  /** Path as shown in messages and reports (relative to cwd when inside it). */
  display: string;
}

export async function discoverScenarios(args: readonly string[]): Promise<ScenarioFile[]> {
  const targets = args.length ? args : [BUILTIN_SCENARIOS];
  const out: ScenarioFile[] = [];
  for (const given of targets) {
    const t = given.startsWith(PACKAGE_SCHEME) ? join(BUILTIN_SCENARIOS, "..", given.slice(PACKAGE_SCHEME.length)) : given;
    const info = await stat(t).catch(() => undefined);
    if (!info) {
      // A source given where a scenario belongs is echoed redacted (runner/cli/main.ts scrubs all output) and named for what it is.
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) throw new Error(`${t}: looks like a source URI, not a scenario file; pass it with --source (better: --source-env NAME)`);
      throw new Error(`${t}: no such scenario file or directory`);
    }
    if (info.isDirectory()) {
      const files = (await readdir(t)).filter((f) => /\.ya?ml$/.test(f)).sort();
      if (!files.length) throw new Error(`${t}: no *.yaml scenario files in this directory`);
      for (const f of files) out.push(entry(join(t, f)));
    } else out.push(entry(t));
  }
  return out;
}

function entry(path: string): ScenarioFile {
  const rel = relative(process.cwd(), path);
  const inCwd = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  const builtin = relative(BUILTIN_SCENARIOS, path);
  // A built-in scenario is a file of the user's repository only in a checkout of countly-check itself.
  if (!builtin.startsWith("..") && !isAbsolute(builtin) && (!inCwd || rel.split(sep).includes("node_modules"))) {
    return { path, display: `${PACKAGE_SCHEME}scenarios/${builtin.split(sep).join("/")}` };
  }
  return { path, display: inCwd ? rel : path };
}
