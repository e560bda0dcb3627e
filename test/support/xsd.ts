// Validates XML against the shared JUnit XSD with xmllint (Debian libxml2-utils; .ci/run installs it).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The schema from ../shared/junit, or the copy vendored in test/support when shared/ is absent. */
export const JUNIT_XSD = ["../../../shared/junit/junit-10-with-location.xsd", "junit-10-with-location.xsd"].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p))!;

export function hasXmllint(): boolean {
  try {
    execFileSync("xmllint", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Returns "" when valid, else xmllint's complaints. */
export function validateJUnit(xml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "junit-"));
  const file = join(dir, "report.xml");
  writeFileSync(file, xml);
  try {
    execFileSync("xmllint", ["--noout", "--schema", JUNIT_XSD, file], { stdio: "pipe" });
    return "";
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  }
}

/**
 * Validates many documents with one xmllint process (a spawn costs far more than a
 * small document). Returns, per document, "" when valid, else xmllint's complaints.
 */
export function validateJUnitBatch(xmls: readonly string[]): string[] {
  if (xmls.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), "junit-batch-"));
  try {
    const files = xmls.map((xml, i) => {
      const file = join(dir, `r${i}.xml`);
      writeFileSync(file, xml);
      return file;
    });
    let stderr = "";
    try {
      execFileSync("xmllint", ["--noout", "--schema", JUNIT_XSD, ...files], { stdio: "pipe", maxBuffer: 256 * 1024 * 1024 });
    } catch (e) {
      stderr = String((e as { stderr?: Buffer }).stderr ?? e);
    }
    const lines = stderr.split("\n");
    return files.map((file) => {
      if (lines.some((l) => l === `${file} validates`)) return "";
      const mine = lines.filter((l) => l.startsWith(`${file}:`) || l === `${file} fails to validate`);
      // valid documents print "<file> validates"; any other outcome names the file
      return mine.length ? mine.join("\n") : stderr === "" ? "" : `no verdict from xmllint for ${file}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
