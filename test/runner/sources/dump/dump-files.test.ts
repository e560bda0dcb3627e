// Dump folder listing: an unlistable database folder is an error naming it (not "no raw
// data"), whichever user runs the tests (root ignores permissions, so EACCES is injected).
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...real,
    readdir: (async (path: string, ...rest: unknown[]) => {
      if (String(path).endsWith("locked-db")) throw Object.assign(new Error(`EACCES: permission denied, scandir '${path}'`), { code: "EACCES" });
      return (real.readdir as (...a: unknown[]) => Promise<unknown>)(path, ...rest);
    }) as typeof real.readdir,
  };
});

const { collectionFiles } = await import("../../../../runner/sources/dump/dump-files.ts");
const { SourceError } = await import("../../../../runner/sources/source.ts");

describe("collectionFiles", () => {
  it("EACCES on a database folder is a SourceError naming the folder", async () => {
    const e = await collectionFiles("/dumps/x/locked-db").catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SourceError);
    expect((e as Error).message).toBe("/dumps/x/locked-db: cannot list the database folder: permission denied");
  });

  it("the dump source stops with that error (exit 3), not with raw data missing", async () => {
    const { mkdir } = await import("node:fs/promises");
    const { DumpSource } = await import("../../../../runner/sources/dump/dump-source.ts");
    const dir = await mkdtemp(join(tmpdir(), "cc-files-"));
    await mkdir(join(dir, "dump", "locked-db"), { recursive: true });
    const source = new DumpSource(dir, { databases: { countly: "locked-db", drill: "countly_drill" } });
    const e = await source.open().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SourceError);
    expect((e as Error).message).toBe(`${join(dir, "dump", "locked-db")}: cannot list the database folder: permission denied`);
  });

  it("a missing folder is no folder (the drill database may be absent)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cc-files-"));
    expect(await collectionFiles(join(dir, "countly_drill"))).toBeUndefined();
  });
});
