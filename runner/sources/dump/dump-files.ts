// Which files of a dump database folder hold a collection, and which of them cannot be
// read as one, decided before anything is opened: a FIFO or device named `x.bson` would
// block the run forever, a 0-byte `.bson.gz` is a truncated file (mongodump --gzip writes
// a gzip header even for an empty collection), and `x.bson` next to `x.bson.gz` is two
// copies of one collection of which we cannot know the right one. Used by the dump source
// (`run`) and the backup diff (`diff`), so both read a folder alike.
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { SourceError } from "../source.ts";

export interface CollectionFile {
  /** The collection's data file (`.bson` or `.bson.gz`). */
  path: string;
  /** Why it cannot be read; the collection is then an error, never "empty". */
  problem?: string;
}

/**
 * The data files of `<dbDir>/<coll>.bson[.gz]` by collection name, or undefined when the
 * folder does not exist. A folder that exists but cannot be listed (EACCES) is a
 * SourceError naming it: "no data" would be a silent pass over data that was not read.
 */
export async function collectionFiles(dbDir: string): Promise<Map<string, CollectionFile> | undefined> {
  let entries: string[];
  try {
    entries = await readdir(dbDir);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new SourceError(`${dbDir}: cannot list the database folder: ${code === "EACCES" || code === "EPERM" ? "permission denied" : (e as Error).message}`, { cause: e });
  }
  const byName = new Map<string, string[]>();
  for (const entry of entries.sort()) {
    const m = /^(.+)\.bson(\.gz)?$/.exec(entry);
    if (m) byName.set(m[1]!, [...(byName.get(m[1]!) ?? []), entry]);
  }
  const out = new Map<string, CollectionFile>();
  for (const [name, files] of byName) {
    const path = join(dbDir, files[0]!);
    if (files.length > 1) {
      out.set(name, { path, problem: `${join(dbDir, files.join(" and "))}: two files for collection ${name}; keep the one from this backup and remove the other` });
      continue;
    }
    out.set(name, { path, problem: await fileProblem(path) });
  }
  return out;
}

async function fileProblem(path: string): Promise<string | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return `${path}: ${code === "ENOENT" ? "a symbolic link to a file that does not exist" : `cannot be read: ${(e as Error).message}`}`;
  }
  if (!info.isFile()) {
    const kind = info.isFIFO() ? "a FIFO (named pipe)" : info.isDirectory() ? "a directory" : info.isSocket() ? "a socket" : "a device";
    return `${path}: ${kind}, not a regular file; dumps are read from regular files only (a pipe or device could block the run)`;
  }
  if (path.endsWith(".gz") && info.size === 0) return `${path}: 0 bytes, but mongodump --gzip writes a gzip header even for an empty collection: the file is truncated`;
  return undefined;
}
