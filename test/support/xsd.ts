// Validates XML against the shared JUnit XSD with xmllint (Debian libxml2-utils; .ci/run installs it).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The schema from ../shared/junit, or the copy vendored in test/support when shared/ is absent. */
export const JUNIT_XSD = [join(import.meta.dirname, "../../../shared/junit/junit-10-with-location.xsd"), join(import.meta.dirname, "junit-10-with-location.xsd")].find((p) => existsSync(p))!;

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
