import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../../checks/index.ts";
import { checksMarkdown } from "../../../runner/docs/checks-doc.ts";

describe("docs/checks.md", () => {
  it("is current with the checks' metadata (run `npm run docs` after changing a check)", async () => {
    const committed = await readFile(new URL("../../../docs/checks.md", import.meta.url), "utf8");
    expect(committed).toBe(checksMarkdown(CHECKS));
  });

  it("documents every kind with its options, example finding, cause and remediation", () => {
    const md = checksMarkdown(CHECKS);
    for (const [kind, def] of CHECKS) {
      expect(md).toContain(`## ${kind}`);
      expect(md).toContain(def.meta.exampleFinding);
      for (const option of Object.keys(def.meta.options.properties)) expect(md).toContain(`| \`${option}\``);
    }
  });
});
