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
import { removeTempFiles, ReportWriteError, tempFilesInProgress, writeReportFile, type WriterFs } from "../../reports/write.ts";

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
    expect((e as Error).name).toBe("ReportWriteError");
    expect((e as ReportWriteError).target).toBe(dir);
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

describe("writeReportFile: what a user reads when a target cannot be written (injected failures)", () => {
  const fail = (code: string | undefined, message = `${code}: something`) => Promise.reject(Object.assign(new Error(message), code ? { code } : {}));
  const messageOf = async (target: string, fsys: WriterFs) => ((await writeReportFile(target, "x", fsys).catch((e: unknown) => e)) as Error).message;

  it("names each file system error in words, with the directory where it helps", async () => {
    const t = join(dir, "r.xml");
    const cases: [string | undefined, string][] = [
      ["EACCES", `permission denied (${dir})`],
      ["EPERM", `permission denied (${dir})`],
      ["ENOTDIR", `a part of the path is a file, not a directory (${dir})`],
      ["EROFS", `read-only file system (${dir})`],
      ["EISDIR", "it is a directory"],
      ["ENOSPC", "no space left on the device"],
      ["ENOENT", `no such directory (${dir})`],
      ["ELOOP", "too many levels of symbolic links"],
      ["EIO", `EIO (${dir})`],
      [undefined, "disk on fire"],
    ];
    for (const [code, reason] of cases) {
      const fsys: WriterFs = { ...nodeFs, writeFile: () => fail(code, code ? `${code}: x` : "disk on fire\nsecond line") };
      expect(await messageOf(t, fsys), String(code)).toBe(`cannot write report ${t}: ${reason}`);
    }
    await noTempFiles(dir);
  });

  it("reports a failed lstat, readlink or mkdir as such, without the directory when it is not about one", async () => {
    const t = join(dir, "r.xml");
    expect(await messageOf(t, { ...nodeFs, lstat: () => fail("EACCES") })).toBe(`cannot write report ${t}: permission denied`);
    expect(await messageOf(t, { ...nodeFs, lstat: () => fail("ELOOP") })).toBe(`cannot write report ${t}: too many levels of symbolic links`);
    await symlink("elsewhere.xml", t);
    expect(await messageOf(t, { ...nodeFs, readlink: () => fail("EIO") })).toBe(`cannot write report ${t}: EIO`);
    const deep = join(dir, "a", "b.xml");
    expect(await messageOf(deep, { ...nodeFs, mkdir: () => fail("EACCES") })).toBe(`cannot write report ${deep}: permission denied (${join(dir, "a")})`);
  });

  it("follows at most 40 links, and names the directory a link points at", async () => {
    // a chain of 40 links ends at a file: written; 41 links: refused
    await writeFile(join(dir, "end.xml"), "old");
    await symlink("end.xml", join(dir, "l0"));
    for (let i = 1; i <= 40; i++) await symlink(`l${i - 1}`, join(dir, `l${i}`));
    await writeReportFile(join(dir, "l39"), "new");
    expect(await readFile(join(dir, "end.xml"), "utf8")).toBe("new");
    expect(await messageOf(join(dir, "l40"), nodeFs)).toBe(`cannot write report ${join(dir, "l40")}: too many levels of symbolic links`);
    await mkdir(join(dir, "reports"));
    await symlink("reports", join(dir, "to-dir"));
    expect(await messageOf(join(dir, "to-dir"), nodeFs)).toBe(`cannot write report ${join(dir, "to-dir")}: ${join(dir, "reports")} is a directory (name a file, e.g. ${join(dir, "to-dir", "junit.xml")})`);
  });

  it("refuses a socket or block device, naming it", async () => {
    const odd = { isSymbolicLink: () => false, isFile: () => false, isDirectory: () => false, isFIFO: () => false, isCharacterDevice: () => false, mode: 0o140755 };
    expect(await messageOf("/run/odd.sock", { ...nodeFs, lstat: async () => odd })).toBe("cannot write report /run/odd.sock: it is neither a regular file, a FIFO nor a character device");
    await symlink("/run/odd.sock", join(dir, "to-sock"));
    const viaLink: WriterFs = { ...nodeFs, lstat: async (p) => (p === "/run/odd.sock" ? odd : nodeFs.lstat(p)) };
    expect(await messageOf(join(dir, "to-sock"), viaLink)).toBe(`cannot write report ${join(dir, "to-sock")}: /run/odd.sock is neither a regular file, a FIFO nor a character device`);
  });

  it("writes a new file through a temp file beside it, created exclusively, readable by all (umask permitting)", async () => {
    const calls: string[] = [];
    const spy: WriterFs = {
      ...nodeFs,
      writeFile: async (p, c, o) => {
        calls.push(`write ${p.replace(dir, "D")} ${o.flag} ${o.mode?.toString(8)}`);
        expect(tempFilesInProgress()).toEqual([p]);
        return nodeFs.writeFile(p, c, o);
      },
      rename: async (a, b) => {
        calls.push(`rename ${a.replace(dir, "D")} ${b.replace(dir, "D")}`);
        return nodeFs.rename(a, b);
      },
    };
    await writeReportFile(join(dir, "new.xml"), "x", spy);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(new RegExp(`^write D/\\.new\\.xml\\.${process.pid}\\.[0-9a-z]+\\.tmp wx 666$`));
    expect(calls[1]).toMatch(new RegExp(`^rename D/\\.new\\.xml\\.${process.pid}\\.[0-9a-z]+\\.tmp D/new\\.xml$`));
    expect(tempFilesInProgress()).toEqual([]);
    expect(await readFile(join(dir, "new.xml"), "utf8")).toBe("x");
  });

  it("a FIFO that cannot be written is a one-line error", async () => {
    const fifo = { isSymbolicLink: () => false, isFile: () => false, isDirectory: () => false, isFIFO: () => true, isCharacterDevice: () => false, mode: 0o10644 };
    expect(await messageOf("/tmp/p", { ...nodeFs, lstat: async () => fifo, writeFile: () => fail("EPIPE") })).toBe("cannot write report /tmp/p: EPIPE");
  });

  it("removeTempFiles removes the temp files of writes in progress and forgets them, even when one is gone already", async () => {
    let release: () => void = () => {};
    const hang: WriterFs = { ...nodeFs, writeFile: (p, c, o) => nodeFs.writeFile(p, c, o).then(() => new Promise<void>((r) => (release = r))) };
    const pending = writeReportFile(join(dir, "slow.xml"), "x", hang);
    await new Promise((r) => setTimeout(r, 50));
    const [tmp] = tempFilesInProgress();
    expect(tmp).toMatch(/\.slow\.xml\.\d+\.[0-9a-z]+\.tmp$/);
    const removed: string[] = [];
    removeTempFiles((p) => {
      removed.push(p);
      throw new Error("ENOENT");
    });
    expect(removed).toEqual([tmp]);
    expect(tempFilesInProgress()).toEqual([]);
    release();
    await pending;
  });
});
