// README.md "Writing your own invariant": its two example scenarios, exactly as printed,
// run on a generated dump and on the test MongoDB server (exit 0 on consistent data,
// 1 with the corruption each example says it catches), and pass `selftest`.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { applyCorruptions } from "../../fixtures/corruptions.ts";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { cli } from "../support/cli.ts";
import { startWireServer } from "../support/wire-server/index.ts";

interface Example {
  kind: string;
  yaml: string;
  file: string;
  /** The first corruption its selftest.must_catch names. */
  corruption: string;
}

async function readmeExamples(): Promise<Example[]> {
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  const start = readme.indexOf("\n## Writing your own invariant");
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(2);
  return blocks.map((yaml) => {
    const doc = parse(yaml) as { checks: { check: string }[]; selftest: { must_catch: Record<string, string[]> } };
    return { kind: doc.checks[0]!.check, yaml, file: "", corruption: Object.values(doc.selftest.must_catch)[0]![0]! };
  });
}

let work: string;
let examples: Example[];
const dataset = generateDataset(21, { layout: "current" });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-readme-"));
  examples = await readmeExamples();
  for (const [i, e] of examples.entries()) {
    e.file = join(work, `example-${i}.yaml`);
    await writeFile(e.file, e.yaml);
  }
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("README: writing your own invariant", () => {
  it("has one pipeline and one compare example, each starting with the schema line", () => {
    expect(examples.map((e) => e.kind)).toEqual(["pipeline", "compare"]);
    for (const e of examples) expect(e.yaml.split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=/);
  });

  it("run on a dump: exit 0 on consistent data, 1 with the corruption they catch", async () => {
    const ok = join(work, "dump-ok");
    await writeDump(dataset, ok);
    for (const e of examples) {
      const good = await cli(["run", e.file, "--source", ok, "--junit", join(work, "ok.xml")]);
      expect(good.code, `${e.kind}: ${good.stdout}${good.stderr}`).toBe(0);
      const broken = join(work, `dump-${e.corruption}`);
      await writeDump(applyCorruptions(dataset, [e.corruption]), broken);
      const bad = await cli(["run", e.file, "--source", broken, "--junit", join(work, "bad.xml")]);
      expect(bad.code, `${e.kind} on ${e.corruption}: ${bad.stdout}${bad.stderr}`).toBe(1);
      expect(bad.stdout).toMatch(/^FAILED: /m);
    }
  });

  it("run on the test MongoDB server the same way", async () => {
    for (const e of examples) {
      for (const [data, code] of [[dataset, 0], [applyCorruptions(dataset, [e.corruption]), 1]] as const) {
        const server = await startWireServer({ databases: data.databases });
        try {
          const r = await cli(["run", e.file, "--source", server.uri, "--junit", join(work, "live.xml")]);
          expect(r.code, `${e.kind} (${data.corruptions.join(", ") || "consistent"}): ${r.stdout}${r.stderr}`).toBe(code);
          // The pipelines ran on the server.
          expect(server.commands.filter((c) => c.name === "aggregate").length).toBeGreaterThan(0);
        } finally {
          await server.stop();
        }
      }
    }
  });

  it("are proven by selftest", async () => {
    const r = await cli(["selftest", ...examples.map((e) => e.file), "--runs", "6"]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/catches sessions-emptied/);
    expect(r.stdout).toMatch(/catches counts-zeroed/);
  });
});
