// bench/report-file.ts: a full `npm run bench` run replaces the tracked reports/bench.md, a partial
// one never does; the header names the command, date, commit and load a reader needs to judge it.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ALL_SUITES, describeCommit, reportFile, runHeader, type RunFacts } from "../../bench/report-file.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("reportFile", () => {
  it("writes reports/bench.md only when every suite ran", () => {
    expect(reportFile("/r", new Set(ALL_SUITES))).toEqual({ path: join("/r", "reports", "bench.md"), full: true });
    for (const left of ALL_SUITES) {
      const some = new Set(ALL_SUITES.filter((s) => s !== left));
      expect(reportFile("/r", some), left).toEqual({ path: join("/r", "reports", "bench-partial.md"), full: false });
    }
  });

  it("keeps the partial file out of git and the full one in it", () => {
    const root = join(import.meta.dirname, "..", "..");
    const ignored = (f: string) => {
      try {
        execFileSync("git", ["check-ignore", "-q", "--no-index", f], { cwd: root });
        return true;
      } catch {
        return false;
      }
    };
    expect(ignored("reports/bench.md")).toBe(false);
    expect(ignored("reports/bench-partial.md")).toBe(true);
  });
});

describe("describeCommit", () => {
  const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.email=t@example.invalid", "-c", "user.name=t", ...args], { cwd, encoding: "utf8" }).trim();

  it("names the commit and branch, and uncommitted changes other than the report itself", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cc-bench-commit-"));
    dirs.push(dir);
    git(dir, "init", "-q", "-b", "trunk");
    await writeFile(join(dir, "a.txt"), "1");
    await mkdir(join(dir, "reports"));
    await writeFile(join(dir, "reports", "bench.md"), "old");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "x");
    const head = git(dir, "rev-parse", "--short=10", "HEAD");
    expect(describeCommit(dir)).toBe(`${head} (trunk)`);
    await writeFile(join(dir, "reports", "bench.md"), "new run");
    expect(describeCommit(dir)).toBe(`${head} (trunk)`);
    await writeFile(join(dir, "a.txt"), "2");
    expect(describeCommit(dir)).toBe(`${head} (trunk) + uncommitted changes in 1 file`);
  });

  it("says so outside a git checkout", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cc-bench-nogit-"));
    dirs.push(dir);
    expect(describeCommit(dir)).toMatch(/^unknown/);
  });
});

describe("runHeader", () => {
  const facts: RunFacts = {
    args: ["--sizes", "5000000,20000000"],
    date: new Date("2026-12-01T20:01:02.345Z"),
    commit: "abc1234567 (main)",
    node: "v20.19.0",
    cpu: "Some CPU",
    cores: 2,
    loadStart: [1.5, 2, 2.25],
    loadEnd: [5, 4, 3],
    suiteLoads: [
      { suite: "core", load: 1.5 },
      { suite: "apps", load: 4.75 },
    ],
    rounds: 3,
    widestSpread: { ratio: 1.234, row: "5,000,000 raw events, 6 apps, check" },
    full: true,
  };

  it("states the command, date, commit, machine and load of the run", () => {
    const text = runHeader(facts).join("\n");
    expect(text).toContain("- command: `npm run bench -- --sizes 5000000,20000000`\n");
    expect(text).toContain("- date: 2026-12-01T20:01:02Z");
    expect(text).toContain("- commit: abc1234567 (main)");
    expect(text).toContain("- machine: Node v20.19.0, 2 × Some CPU");
    expect(text).toContain("1.50 / 2.00 / 2.25 at the start, 5.00 / 4.00 / 3.00 at the end; at the start of each suite: core 1.50, apps 4.75");
    expect(text).toContain("Best of 3 rounds by wall time");
    expect(text).toContain("Widest spread between rounds of one row: 1.23× (5,000,000 raw events, 6 apps, check).");
    expect(text).not.toContain("partial");
  });

  it("marks a partial run and a single round", () => {
    const text = runHeader({ ...facts, args: [], rounds: 1, widestSpread: undefined, full: false }).join("\n");
    expect(text).toContain("- command: `npm run bench` (a partial run: reports/bench.md keeps the last full one)");
    expect(text).toContain("Best of 1 round by wall time");
    expect(text).toContain("One round: no spread measured");
  });
});
