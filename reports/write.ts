// The one writer of report files. What the target is decides how it is written:
//   - a regular file (or nothing yet): replaced atomically (temp file in the same
//     directory, then rename), so a CI job never picks up half a report;
//   - a symlink: followed, and its target written as above (the link stays a link);
//   - a character device or FIFO (`/dev/stdout`, `>(cat)`, a named pipe): written in place;
//   - a directory, block device or socket: refused.
// Any failure is a ReportWriteError with one line naming the target; temp files never
// outlive the process (`removeTempFiles` runs on SIGINT/SIGTERM, runner/main.ts).
import { unlinkSync } from "node:fs";
import * as fs from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";

/** The file system calls the writer makes (tests inject failures and file types). */
export interface WriterFs {
  lstat(path: string): Promise<{ isSymbolicLink(): boolean; isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; mode: number }>;
  readlink(path: string): Promise<string>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  writeFile(path: string, content: string, options: { encoding: "utf8"; flag: string; mode?: number }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

const nodeFs: WriterFs = {
  lstat: (p) => fs.lstat(p),
  readlink: (p) => fs.readlink(p),
  mkdir: (p, o) => fs.mkdir(p, o),
  writeFile: (p, c, o) => fs.writeFile(p, c, o),
  rename: (a, b) => fs.rename(a, b),
  unlink: (p) => fs.unlink(p),
};

/** A report could not be written (exit code 4, EXIT.report). */
export class ReportWriteError extends Error {
  constructor(
    readonly target: string,
    reason: string,
  ) {
    super(`cannot write report ${target}: ${reason}`);
    this.name = "ReportWriteError";
  }
}

const liveTempFiles = new Set<string>();

/** Temp files being written right now (for the signal handlers). */
export function tempFilesInProgress(): string[] {
  return [...liveTempFiles];
}

/** On SIGINT/SIGTERM (Ctrl-C, a cancelled CI job): remove the temp files, then exit 130/143 as a shell would. */
export function removeTempFilesOnSignals(): void {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.on(signal, () => {
      removeTempFiles(unlinkSync);
      process.exit(code);
    });
  }
}

/** Removes the temp files of writes still in progress; synchronous so a signal handler can call it. */
export function removeTempFiles(unlinkSync: (path: string) => void): void {
  for (const f of liveTempFiles) {
    try {
      unlinkSync(f);
    } catch {
      // already renamed or removed
    }
    liveTempFiles.delete(f);
  }
}

const MAX_LINKS = 40;

export async function writeReportFile(target: string, content: string, fsys: WriterFs = nodeFs): Promise<void> {
  let path = target;
  for (let hops = 0; ; hops++) {
    const info = await fsys.lstat(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return undefined;
      throw new ReportWriteError(target, reasonOf(e));
    });
    if (!info) return replaceAtomically(target, path, content, undefined, fsys);
    if (info.isSymbolicLink()) {
      if (hops >= MAX_LINKS) throw new ReportWriteError(target, "too many levels of symbolic links");
      const link = await fsys.readlink(path).catch((e: NodeJS.ErrnoException) => {
        throw new ReportWriteError(target, reasonOf(e));
      });
      path = resolve(dirname(path), link);
      continue;
    }
    if (info.isDirectory()) throw new ReportWriteError(target, `${path === target ? "it" : path} is a directory (name a file, e.g. ${join(target, "junit.xml")})`);
    if (info.isFIFO() || info.isCharacterDevice()) return writeInPlace(target, path, content, fsys);
    if (!info.isFile()) throw new ReportWriteError(target, `${path === target ? "it" : path} is neither a regular file, a FIFO nor a character device`);
    return replaceAtomically(target, path, content, info.mode & 0o7777, fsys);
  }
}

async function writeInPlace(target: string, path: string, content: string, fsys: WriterFs): Promise<void> {
  try {
    await fsys.writeFile(path, content, { encoding: "utf8", flag: "w" });
  } catch (e) {
    throw new ReportWriteError(target, reasonOf(e as NodeJS.ErrnoException));
  }
}

async function replaceAtomically(target: string, path: string, content: string, mode: number | undefined, fsys: WriterFs): Promise<void> {
  const dir = dirname(path);
  try {
    await fsys.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new ReportWriteError(target, reasonOf(e as NodeJS.ErrnoException, dir));
  }
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  liveTempFiles.add(tmp);
  try {
    await fsys.writeFile(tmp, content, { encoding: "utf8", flag: "wx", mode: mode ?? 0o666 });
    await fsys.rename(tmp, path);
  } catch (e) {
    await fsys.unlink(tmp).catch(() => {});
    throw new ReportWriteError(target, reasonOf(e as NodeJS.ErrnoException, dir));
  } finally {
    liveTempFiles.delete(tmp);
  }
}

/** One line a person can act on, for the errors a report target typically gives. */
function reasonOf(e: NodeJS.ErrnoException, dir?: string): string {
  const where = dir ? ` (${dir})` : "";
  switch (e.code) {
    case "EACCES":
    case "EPERM":
      return `permission denied${where}`;
    case "ENOTDIR":
      return `a part of the path is a file, not a directory${where}`;
    case "EROFS":
      return `read-only file system${where}`;
    case "EISDIR":
      return "it is a directory";
    case "ENOSPC":
      return "no space left on the device";
    case "ENOENT":
      return `no such directory${where}`;
    case "ELOOP":
      return "too many levels of symbolic links";
    default:
      return e.code ? `${e.code}${where}` : String(e.message ?? e).split("\n")[0]!;
  }
}
