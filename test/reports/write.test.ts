// The one writer of report files: what each kind of target gets. Everything happens in a
// temp dir of the test; devices are never written (a FIFO stands in for them, and an
// injected lstat for a character device).
import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import * as fsp from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { beforeEach, describe, expect, it } from "vitest";
import { ReportWriteError, writeReportFile, type WriterFs } from "../../reports/write.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cc-write-"));
});

const nodeFs: WriterFs = {
  lstat: (p) => fsp.lstat(p),
  readlink: (p) => fsp.readlink(p),
  mkdir: (p, o) => fsp.mkdir(p, o),
  writeFile: (p, c, o) => fsp.writeFile(p, c, o),
  rename: (a, b) => fsp.rename(a, b),
  unlink: (p) => fsp.unlink(p),
};

async function noTempFiles(d: string): Promise<void> {
  expect((await readdir(d)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
}

describe("writeReportFile", () => {
  it("creates missing directories and replaces a regular file whole", async () => {
    const f = join(dir, "a", "b", "junit.xml");
    await writeReportFile(f, "one");
    await writeReportFile(f, "two");
    expect(await readFile(f, "utf8")).toBe("two");
    await noTempFiles(join(dir, "a", "b"));
  });

  it("writes through a symlink (chains too) and leaves the link a link", async () => {
    const real = join(dir, "real.xml");
    await writeFile(real, "old");
    await symlink("real.xml", join(dir, "l1"));
    await symlink(join(dir, "l1"), join(dir, "l2"));
    await writeReportFile(join(dir, "l2"), "new");
    expect(await readFile(real, "utf8")).toBe("new");
    expect((await lstat(join(dir, "l2"))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, "l1"))).toBe("real.xml");
    await noTempFiles(dir);
  });

  it("a dangling symlink creates its target", async () => {
    await symlink("out/target.xml", join(dir, "dangling"));
    await writeReportFile(join(dir, "dangling"), "x");
    expect(await readFile(join(dir, "out", "target.xml"), "utf8")).toBe("x");
  });

  it("writes into a FIFO in place (it stays a FIFO)", async () => {
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const chunks: Buffer[] = [];
    const read = new Promise<string>((resolve, reject) => {
      const s = createReadStream(fifo);
      s.on("data", (c) => chunks.push(c as Buffer));
      s.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      s.on("error", reject);
    });
    await writeReportFile(fifo, "<testsuites/>\n");
    expect(await read).toBe("<testsuites/>\n");
    expect((await lstat(fifo)).isFIFO()).toBe(true);
    await noTempFiles(dir);
  });

  it("writes a character device in place, never replacing it (injected file type)", async () => {
    const calls: string[] = [];
    const fake: WriterFs = {
      ...nodeFs,
      lstat: async (p) => (p === "/dev/fake-tty" ? { isSymbolicLink: () => false, isFile: () => false, isDirectory: () => false, isFIFO: () => false, isCharacterDevice: () => true, mode: 0o20666 } : nodeFs.lstat(p)),
      writeFile: async (p, _c, o) => void calls.push(`write ${p} ${o.flag}`),
      rename: async (a, b) => void calls.push(`rename ${a} ${b}`),
    };
    await writeReportFile("/dev/fake-tty", "x", fake);
    expect(calls).toEqual(["write /dev/fake-tty w"]);
  });

  it("refuses a directory with a one-line error and leaves no temp file", async () => {
    const e = await writeReportFile(dir, "x").catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ReportWriteError);
    expect((e as Error).message).toBe(`cannot write report ${dir}: it is a directory (name a file, e.g. ${join(dir, "junit.xml")})`);
    await noTempFiles(dir);
    await noTempFiles(join(dir, ".."));
  });

  it("a path under a regular file is a one-line error", async () => {
    await writeFile(join(dir, "file"), "keep");
    const e = await writeReportFile(join(dir, "file", "junit.xml"), "x").catch((err: unknown) => err);
    expect((e as Error).message).toMatch(/^cannot write report .*file\/junit\.xml: a part of the path is a file, not a directory/);
    expect(await readFile(join(dir, "file"), "utf8")).toBe("keep");
  });

  it("permission denied and a failed rename: one line, the temp file removed", async () => {
    const denied: WriterFs = { ...nodeFs, writeFile: async () => Promise.reject(Object.assign(new Error("EACCES: permission denied, open '…'"), { code: "EACCES" })) };
    const e = await writeReportFile(join(dir, "r.xml"), "x", denied).catch((err: unknown) => err);
    expect((e as Error).message).toBe(`cannot write report ${join(dir, "r.xml")}: permission denied (${dir})`);
    const noRename: WriterFs = { ...nodeFs, rename: async () => Promise.reject(Object.assign(new Error("EXDEV"), { code: "EROFS" })) };
    const e2 = await writeReportFile(join(dir, "r.xml"), "x", noRename).catch((err: unknown) => err);
    expect((e2 as Error).message).toMatch(/read-only file system/);
    await noTempFiles(dir);
  });

  it("a symlink loop is an error, not a hang", async () => {
    await symlink("b", join(dir, "a"));
    await symlink("a", join(dir, "b"));
    const e = await writeReportFile(join(dir, "a"), "x").catch((err: unknown) => err);
    expect((e as Error).message).toMatch(/too many levels of symbolic links/);
  });

  it("keeps the mode of a replaced file", async () => {
    const f = join(dir, "m.xml");
    await writeFile(f, "old", { mode: 0o640 });
    await fsp.chmod(f, 0o640);
    await writeReportFile(f, "new");
    expect((await lstat(f)).mode & 0o777).toBe(0o640);
  });
});

describe("an interrupted write", () => {
  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    it(`${signal} removes the temp file and exits ${code}`, async () => {
      const { spawn } = await import("node:child_process");
      const child = spawn(process.execPath, ["--import", "tsx", "test/support/hanging-report-write.ts", join(dir, "junit.xml")], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve) => child.stdout.on("data", (d: Buffer) => d.toString().includes("writing") && resolve()));
      expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toHaveLength(1);
      const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(await readdir(dir)).toEqual([]);
    });
  }
});
