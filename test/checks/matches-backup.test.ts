import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cloneDeep } from "../../fixtures/clone.ts";
import { secondaryIndexes, writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import type { Dataset } from "../../fixtures/dataset.ts";
import { matchesBackup, type MatchesBackupOptions } from "../../checks/matches-backup.ts";
import { CheckDataError, withDefaults, type CheckFinding } from "../../checks/types.ts";
import { DumpSide } from "../../runner/diff/dump-side.ts";
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

  describe("evaluated in process, on the comparison of two dumps", () => {
    async function judge(dir: string, options: Record<string, unknown> = {}) {
      const o = withDefaults<MatchesBackupOptions>(matchesBackup.meta, { backup, ...options });
      // as the runner does: external() with the scenario's source (here the restored dump) as the other side
      const external = await matchesBackup.external!(o, { description: `dump ${dir}`, diffSide: async (dbs: readonly string[]) => new DumpSide(dir, dbs) } as never);
      const findings: CheckFinding[] = [];
      let more = 0;
      matchesBackup.evaluate({ options: o, app: { id: "", name: "", timezone: "UTC" }, period: {}, severity: "error", facts: { get: () => { throw new Error("no facts"); }, inPeriod: () => true }, external, report: (f) => findings.push(f), reportMore: (n) => (more += n) });
      return { findings, more };
    }

    it("names each difference under its collection, counts the _ids beyond max_ids, and leaves the event totals out when asked", async () => {
      const restored = cloneDeep(dataset);
      const lost = restored.databases.countly!.events_data!.splice(0, 3).map((d) => String(d._id));
      const dir = join(work, "lost-in-process");
      await writeDump(restored, dir);
      expect(await judge(backup)).toEqual({ findings: [], more: 0 });
      const out = await judge(dir, { max_ids: 2 });
      expect(out.findings[0]!.message).toMatch(/^countly\.events_data: \d+ documents before, \d+ after; 3 documents only before, 0 only after, 0 different/);
      const idFindings = out.findings.filter((f) => / only before \(missing after\)$/.test(f.message));
      expect(idFindings).toHaveLength(2);
      expect(lost).toEqual(expect.arrayContaining(idFindings.map((f) => /_id "(.*)": only before/.exec(f.message)![1])));
      expect(out.more).toBe(1);
      const totals = out.findings.filter((f) => f.message.startsWith("event totals of "));
      expect(totals.length).toBeGreaterThan(0);
      for (const f of totals) expect(f.message).toMatch(/^event totals of .+ \([0-9a-f]{24}\): (\d+ event months? of \d+ changed; total c before \d+, after \d+|month \S+: [+-]\d+.*)$/);
      for (const f of out.findings) expect(f).not.toHaveProperty("app");
      const without = await judge(dir, { totals: false, max_ids: 5 });
      expect(without.findings.filter((f) => f.message.startsWith("event totals of "))).toEqual([]);
      expect(without.findings[0]!.message).toMatch(/^countly\.events_data: \d+ documents before, \d+ after; 3 documents only before/);
      expect(without.findings.filter((f) => / only before \(missing after\)$/.test(f.message))).toHaveLength(3);
      expect(without.more).toBe(0);
    });

    it("a collection that cannot be read on one side is an error naming it, not a pass", async () => {
      const dir = join(work, "unreadable");
      await writeDump(dataset, dir);
      await writeFile(join(dir, "dump", "countly", "apps.bson"), Buffer.from([0x40, 0, 0, 0, 3, 0xff]));
      await expect(judge(dir, { databases: ["countly"] })).rejects.toThrow(/^could not compare countly\.apps: /);
      await expect(judge(dir, { databases: ["countly"] })).rejects.toBeInstanceOf(CheckDataError);
    });

    it("by default compares countly, countly_drill, countly_fs and countly_out, naming up to 20 _ids", async () => {
      const o = withDefaults<MatchesBackupOptions>(matchesBackup.meta, { backup });
      expect(o).toEqual({ backup, databases: ["countly", "countly_drill", "countly_fs", "countly_out"], max_ids: 20, totals: true });
    });

    it("cannot compare with a source that has no side to compare", async () => {
      const o = withDefaults<MatchesBackupOptions>(matchesBackup.meta, { backup });
      await expect(matchesBackup.external!(o, { description: "a scratch source" } as never)).rejects.toThrow(`matches-backup needs a dump folder or a MongoDB source to compare with ${backup}; a scratch source cannot be compared`);
    });
  });
});
