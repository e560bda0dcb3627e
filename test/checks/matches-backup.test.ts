import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cloneDeep } from "../../fixtures/clone.ts";
import { secondaryIndexes, writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import type { Dataset } from "../../fixtures/dataset.ts";
import { cli } from "../support/cli.ts";
import { startWireServer } from "../support/wire-server/index.ts";

let work: string;
let dataset: Dataset;
let backup: string;

function scenario(extra = ""): string {
  return `name: restored\nchecks:\n  - id: matches-backup\n    check: matches-backup\n    backup: \${BACKUP}\n${extra}`;
}

async function runWith(source: string, yaml = scenario()) {
  const file = join(work, `s-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, yaml);
  return cli(["run", file, "--source", source, "--junit", join(work, "junit.xml")], { BACKUP: backup });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-backup-"));
  dataset = generateDataset(31);
  backup = join(work, "backup");
  await writeDump(dataset, backup);
});

describe("matches-backup", () => {
  it("passes when the restored dump is the backup", async () => {
    const r = await runWith(backup);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/✓ matches-backup/);
    expect(r.code).toBe(0);
  });

  it("names the collection, the missing _ids and the changed event totals when a restore lost documents", async () => {
    const restored = cloneDeep(dataset);
    const lost = restored.databases.countly!.events_data!.splice(0, 3).map((d) => String(d._id));
    const dir = join(work, "lost");
    await writeDump(restored, dir);
    const r = await runWith(dir);
    expect(r.code).toBe(1);
    const xml = await readFile(join(work, "junit.xml"), "utf8");
    expect(xml).toMatch(/countly\.events_data: \d+ documents before, \d+ after; 3 documents only before, 0 only after, 0 different/);
    for (const id of lost) expect(xml).toContain(`countly.events_data: _id &quot;${id}&quot;: only before (missing after)`);
    expect(xml).toMatch(/event totals of .* month \d{4}-\d{2}: -\d+/);
    // Nothing else differs: every finding is about events_data or the event totals it feeds.
    const findings = xml.match(/^- .*$/gm) ?? [];
    expect(findings.filter((f) => !/countly\.events_data|event totals of/.test(f))).toEqual([]);
  });

  it("compares the backup with a live database (through the wire protocol double)", async () => {
    // The double reports the indexes the dump's metadata.json has, as a restored server would.
    const indexes: Record<string, Record<string, Record<string, unknown>[]>> = {};
    for (const [db, colls] of Object.entries(dataset.databases)) {
      for (const coll of Object.keys(colls)) {
        const specs = secondaryIndexes(db, coll).map((i) => ({ v: 2, ...i }));
        if (specs.length) (indexes[db] ??= {})[coll] = specs;
      }
    }
    const server = await startWireServer({ databases: dataset.databases, indexes });
    try {
      expect((await runWith(server.uri)).code).toBe(0);
      const writes = server.commands.filter((c) => /^(insert|update|delete|findAndModify|create|drop)/i.test(c.name));
      expect(writes).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it("is an error (exit 3) when the backup folder cannot be read, and a usage error without `backup`", async () => {
    const missing = await runWith(backup, scenario().replace("${BACKUP}", join(work, "nope")));
    expect(missing.code).toBe(3);
    expect(missing.stdout).toMatch(/nope: no such directory/);
    const noBackup = await runWith(backup, "name: x\nchecks:\n  - { id: m, check: matches-backup }\n");
    expect(noBackup.code).toBe(2);
    expect(noBackup.stderr).toMatch(/checks\[0\]: missing required key "backup"/);
  });
});
