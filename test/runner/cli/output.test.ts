// The report output shared by run, diff and selftest: when colour is on, the report flags'
// validation, and `help <command>`.
import { describe, expect, it } from "vitest";
import { reportTargets, useColor } from "../../../runner/cli/output.ts";
import { DIFF_HELP } from "../../../runner/diff/command.ts";
import { RUN_HELP, SELFTEST_HELP } from "../../../runner/cli/help.ts";
import { cli } from "../../support/cli.ts";

describe("colour", () => {
  const tty = (isTTY: boolean, env: Record<string, string>) => ({ isTTY, env });
  it("is on for a terminal and off otherwise", () => {
    expect(useColor(tty(true, {}))).toBe(true);
    expect(useColor(tty(false, {}))).toBe(false);
  });
  it("honours NO_COLOR (when not empty) and --no-color", () => {
    expect(useColor(tty(true, { NO_COLOR: "1" }))).toBe(false);
    expect(useColor(tty(true, { NO_COLOR: "" }))).toBe(true);
    expect(useColor(tty(true, {}), true)).toBe(false);
  });
  it("honours FORCE_COLOR both ways, over NO_COLOR, but not over --no-color", () => {
    for (const v of ["1", "2", "3", "true", ""]) expect(useColor(tty(false, { FORCE_COLOR: v })), v).toBe(true);
    for (const v of ["0", "false"]) expect(useColor(tty(true, { FORCE_COLOR: v })), v).toBe(false);
    expect(useColor(tty(false, { FORCE_COLOR: "1", NO_COLOR: "1" }))).toBe(true);
    expect(useColor(tty(false, { FORCE_COLOR: "1" }), true)).toBe(false);
  });
  it("reaches the console summary of a run", async () => {
    const r = await cli(["run", "scenarios/post-restore.yaml", "--source", "/nonexistent-dump", "--junit", "-"], { FORCE_COLOR: "1" });
    expect(r.stderr).toMatch(/\u001b\[31mINCOMPLETE\u001b\[0m/);
    const plain = await cli(["run", "scenarios/post-restore.yaml", "--source", "/nonexistent-dump", "--junit", "-"], { FORCE_COLOR: "0" });
    expect(plain.stderr).not.toMatch(/\u001b\[/);
  });
});

describe("report flags", () => {
  it("take the command's JUnit default and validate --annotations and --label", () => {
    expect(reportTargets({}, { junit: "reports/junit.xml" }).junit).toBe("reports/junit.xml");
    expect(reportTargets({ annotations: "github", label: "backup" })).toMatchObject({ annotations: "github", label: "backup" });
    expect(() => reportTargets({ annotations: "gitlab" })).toThrow("--annotations gitlab: expected github or none");
    for (const bad of ["", "a/b", " x", "x".repeat(64)]) expect(() => reportTargets({ label: bad }), JSON.stringify(bad)).toThrow("--label");
  });
  it("are the same for run, diff and selftest", () => {
    for (const flag of ["--json", "--sarif", "--codequality", "--annotations", "--label", "--quiet", "--no-color"]) {
      for (const help of [RUN_HELP, DIFF_HELP, SELFTEST_HELP]) expect(help).toContain(flag);
    }
  });
});

describe("help <command>", () => {
  it("prints that command's help", async () => {
    for (const [command, text] of [["run", RUN_HELP], ["diff", DIFF_HELP], ["selftest", SELFTEST_HELP]] as const) {
      const r = await cli(["help", command]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(text);
    }
    const fixture = await cli(["help", "fixture"]);
    expect(fixture.stdout).toMatch(/^Usage: countly-check fixture/);
  });
  it("is a usage error for an unknown command", async () => {
    const r = await cli(["help", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("help nope: expected one command");
  });
});
