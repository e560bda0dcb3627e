// Reports stay small whatever the data: 1 MB app and event names (issue 13 measured a
// 206 MB JUnit, 372 MB JSON and 2.7 GB RSS) give reports of kilobytes that libxml2 parses
// with its default limits (no --huge).
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { cli } from "../support/cli.ts";
import { hasXmllint, validateJUnit } from "../support/xsd.ts";

describe("report size", () => {
  it("three 1 MB event names and a 1 MB app name: JUnit and JSON under 1 MB, the JUnit parses with default libxml2 limits", async () => {
    if (!hasXmllint()) throw new Error("xmllint is required (apt-get install libxml2-utils)");
    const dir = await mkdtemp(join(tmpdir(), "cc-size-"));
    const ds = generateDataset(5);
    const events = ds.databases.countly!.events as { list: string[] }[];
    for (let i = 0; i < 3; i++) events[0]!.list.push(`Huge${i}\u001b${"E".repeat(1_000_000)}`);
    (ds.databases.countly!.apps as { name: string }[])[1]!.name = "N".repeat(1_000_000);
    await writeDump(ds, join(dir, "dump"));
    const junit = join(dir, "junit.xml");
    const json = join(dir, "result.json");
    const r = await cli(["run", "--source", join(dir, "dump"), "--junit", junit, "--json", json]);
    expect([0, 1]).toContain(r.code);
    expect(r.stdout.length).toBeLessThan(1_000_000);
    for (const f of [junit, json]) expect((await stat(f)).size).toBeLessThan(1_000_000);
    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(/N{100}… \[cut 9\d{5} characters, #[0-9a-f]{8}\]/);
    execFileSync("xmllint", ["--noout", junit], { stdio: "pipe" });
    expect(validateJUnit(xml)).toBe("");
    JSON.parse(await readFile(json, "utf8"));
  }, 60_000);
});
