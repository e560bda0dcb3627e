// Where a test case is, as CI systems want it: a path relative to the repository root
// (GITHUB_WORKSPACE, CI_PROJECT_DIR, WORKSPACE, else the working directory) and its
// YAML line, or, for a built-in scenario, its place in the countly-check package.
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { CaseResult } from "../runner/model.ts";
import { PACKAGE_SCHEME } from "../runner/scenario/discover.ts";

export interface RepoLocation {
  /** Relative to the repository root, with `/`; absent when the file is outside it. */
  path?: string;
  /** A file of the countly-check package (`scenarios/post-restore.yaml`). */
  packagePath?: string;
  /** The check's line in the scenario (absent when none, e.g. diff cases). */
  line?: number;
  /** The file as the case names it, for messages. */
  shown: string;
}

export interface LocationBase {
  /** The repository root; relative paths in the model are relative to `cwd`. */
  root: string;
  cwd: string;
}

/** The repository root of the CI the process runs in. */
export function repositoryRoot(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  return env.GITHUB_WORKSPACE || env.CI_PROJECT_DIR || env.WORKSPACE || cwd;
}

export function locate(c: Pick<CaseResult, "file" | "line">, base: LocationBase): RepoLocation {
  // A case without a line is not at a place in a scenario (a diff compares whole collections).
  if (!(c.line > 0) || !c.file) return { shown: c.file };
  const line = c.line;
  const shown = `${c.file}:${line}`;
  if (c.file.startsWith(PACKAGE_SCHEME)) return { packagePath: c.file.slice(PACKAGE_SCHEME.length), line, shown };
  const rel = relative(resolve(base.root), resolve(base.cwd, c.file));
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return { line, shown };
  return { path: rel.split(sep).join("/"), line, shown };
}
