// Reads an XML report the way a CI consumer does: through a real XML parser (libxml2's
// xmllint --xpath), so a test sees decoded attribute values and element text, not our
// own idea of the serialisation.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A parsed document to query; `close()` removes its temporary file. */
export interface XPathDoc {
  /** The string value of every node `expr` selects, in document order. */
  strings(expr: string): string[];
  /** The string value of the first node `expr` selects ("" when none). */
  string(expr: string): string;
  close(): void;
}

export function xpathDoc(xml: string): XPathDoc {
  const dir = mkdtempSync(join(tmpdir(), "cc-xpath-"));
  const file = join(dir, "doc.xml");
  writeFileSync(file, xml);
  const run = (expr: string) => execFileSync("xmllint", ["--noout", "--xpath", expr, file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  const string = (expr: string) => run(`string(${expr})`).replace(/\n$/, "");
  return {
    string,
    strings(expr) {
      const n = Number(run(`count(${expr})`).trim());
      return Array.from({ length: n }, (_, i) => string(`(${expr})[${i + 1}]`));
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
