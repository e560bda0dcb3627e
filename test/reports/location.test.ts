// Where a case is for a CI: relative to the repository root, a package file, or nowhere.
import { describe, expect, it } from "vitest";
import { locate, repositoryRoot } from "../../reports/location.ts";

describe("locate", () => {
  const base = { root: "/work/repo", cwd: "/work/repo/sub" };
  it("resolves the case's file from the working directory and makes it relative to the repository root", () => {
    expect(locate({ file: "s.yaml", line: 3 }, base)).toEqual({ path: "sub/s.yaml", line: 3, shown: "s.yaml:3" });
    expect(locate({ file: "/work/repo/a/b.yaml", line: 1 }, base)).toEqual({ path: "a/b.yaml", line: 1, shown: "/work/repo/a/b.yaml:1" });
  });
  it("gives no path for a file outside the repository (also not for a sibling with the same prefix)", () => {
    expect(locate({ file: "/work/repo2/s.yaml", line: 3 }, base)).toEqual({ line: 3, shown: "/work/repo2/s.yaml:3" });
    expect(locate({ file: "../../x.yaml", line: 3 }, base).path).toBeUndefined();
  });
  it("names built-in scenarios as package files, and cases without a line nowhere", () => {
    expect(locate({ file: "countly-check:scenarios/post-restore.yaml", line: 9 }, base)).toEqual({ packagePath: "scenarios/post-restore.yaml", line: 9, shown: "countly-check:scenarios/post-restore.yaml:9" });
    expect(locate({ file: "/backups/old", line: 0 }, base)).toEqual({ shown: "/backups/old" });
    expect(locate({ file: "s.yaml", line: -1 }, base)).toEqual({ shown: "s.yaml" });
    expect(locate({ file: "", line: 5 }, base)).toEqual({ shown: "" });
    // the repository root itself is not a file in it
    expect(locate({ file: "/work/repo", line: 2 }, base)).toEqual({ line: 2, shown: "/work/repo:2" });
    expect(locate({ file: "..", line: 2 }, base)).toEqual({ line: 2, shown: "..:2" });
  });
  it("takes the repository root from the CI's variables", () => {
    expect(repositoryRoot({ GITHUB_WORKSPACE: "/gh" }, "/cwd")).toBe("/gh");
    expect(repositoryRoot({ CI_PROJECT_DIR: "/gl" }, "/cwd")).toBe("/gl");
    expect(repositoryRoot({ WORKSPACE: "/jenkins" }, "/cwd")).toBe("/jenkins");
    expect(repositoryRoot({}, "/cwd")).toBe("/cwd");
    expect(repositoryRoot({ GITHUB_WORKSPACE: "/gh", CI_PROJECT_DIR: "/gl", WORKSPACE: "/jenkins" }, "/cwd")).toBe("/gh");
    expect(repositoryRoot({ CI_PROJECT_DIR: "/gl", WORKSPACE: "/jenkins" }, "/cwd")).toBe("/gl");
    expect(repositoryRoot({ GITHUB_WORKSPACE: "", CI_PROJECT_DIR: "", WORKSPACE: "" }, "/cwd")).toBe("/cwd");
  });
});
