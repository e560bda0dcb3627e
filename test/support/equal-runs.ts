// Scaffolding of the property tests that run the built-in scenarios two ways over generated
// dumps and compare the JSON results (scanner-equal: wasm vs JavaScript walk; jobs-equal:
// --jobs N vs one thread): a temporary work folder and the scenarios loaded once per file,
// and a generated dataset of either layout with some corruptions, written as a dump.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { CHECKS } from "../../checks/index.ts";
import type { Layout } from "../../countly/layout.ts";
import { applyCorruptions, CORRUPTIONS } from "../../fixtures/corruptions.ts";
import type { Dataset } from "../../fixtures/dataset.ts";
import { writeDump, type DumpOptions } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { loadScenarioFile } from "../../runner/scenario/load.ts";
import type { Scenario } from "../../runner/scenario/types.ts";

/** The test file's work folder and scenarios, set up in beforeAll and removed in afterAll; `files` default: every scenarios/*.yaml. */
export function equalRunsWorkspace(prefix: string, files?: readonly string[]): { readonly work: string; readonly scenarios: Scenario[] } {
  const state = { work: "", scenarios: [] as Scenario[] };
  beforeAll(async () => {
    state.work = await mkdtemp(join(tmpdir(), prefix));
    const names = files ?? (await readdir("scenarios")).filter((f) => f.endsWith(".yaml")).sort();
    state.scenarios = await Promise.all(names.map((f) => loadScenarioFile(join("scenarios", f), { registry: CHECKS, env: {}, corruptions: Object.keys(CORRUPTIONS) })));
  });
  afterAll(async () => {
    await rm(state.work, { recursive: true, force: true });
  });
  return state;
}

/**
 * Writes to `dir` the dataset of `seed` (1 to 4 apps) with those of `corrupt` that apply to
 * the layout, in the order the catalogue asks (the corruptions that rebuild aggregates first).
 */
export async function writeCorruptedDump(dir: string, seed: number, layout: Layout, corrupt: readonly string[], options: DumpOptions = {}): Promise<Dataset> {
  const rank = (c: string) => ["recent-not-aggregated", "timezone-shifted"].indexOf(c) >>> 0;
  const applicable = corrupt.filter((c) => CORRUPTIONS[c]!.layouts?.includes(layout) ?? true).sort((a, b) => rank(a) - rank(b));
  const ds = applyCorruptions(generateDataset(seed, { layout, apps: { min: 1, max: 4 } }), applicable);
  await writeDump(ds, dir, options);
  return ds;
}
