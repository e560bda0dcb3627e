// Every report a command writes, from a result with every field of the model present and the
// source URI's password in each of its texts (test/support/complete-run.ts): console, GitHub
// annotations and job summary, JUnit, JSON, SARIF, Code Quality and HTML show no trace of it.
// The output goes to a raw CliIO here (not the CLI's scrubbing one), so what protects it is
// the model mapping (reports/bound.ts mapRunText) with the command's scrubber.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIO } from "../../../runner/cli/io.ts";
import { writeReports } from "../../../runner/cli/output.ts";
import { secretScrubber } from "../../../runner/redact.ts";
import { completeRun, SECRET, SECRET_URI } from "../../support/complete-run.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countly-check-output-redaction-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeReports", () => {
  it("leaves the source's password out of every report, whatever field of the result holds it", async () => {
    let out = "";
    const summary = join(dir, "summary.md");
    const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (out += t), isTTY: false, env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir } };
    const files = { junit: join(dir, "j.xml"), json: join(dir, "r.json"), sarif: join(dir, "r.sarif"), codequality: join(dir, "cq.json"), html: join(dir, "r.html") };
    const code = await writeReports(completeRun(), { ...files, annotations: "github" }, io, secretScrubber([SECRET_URI]));
    expect(code).toBe(1);
    const reports: Record<string, string> = { console: out, summary: await readFile(summary, "utf8") };
    for (const [name, file] of Object.entries(files)) reports[name] = await readFile(file, "utf8");
    for (const [name, text] of Object.entries(reports)) {
      expect(text.length, name).toBeGreaterThan(100);
      expect(text.includes(SECRET), `${name} shows the password`).toBe(false);
      // and it was there to be shown: the redacted texts are in the report (Markdown escapes the stars)
      expect(text, name).toMatch(/\\?\*\\?\*\\?\*/);
    }
    // the fields the mapping used to miss
    expect(reports.junit).toMatch(/<property name="period" value="period note \*\*\* at mongodb:\/\/\*\*\*@db\.example:27017\/countly\?authSource=admin end"\/>/);
    expect(reports.console).toMatch(/period: period note \*\*\* at /);
    expect(reports.console).toMatch(/event-limit: summary event-limit \*\*\* at /);
    const json = JSON.parse(reports.json!) as { profile: { detected: { eventLimit: { apps: Record<string, number> } } } };
    expect(Object.keys(json.profile.detected.eventLimit.apps)).toEqual(["app id key *** at mongodb://***@db.example:27017/countly?authSource=admin end"]);
  });
});
