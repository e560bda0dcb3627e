// A diff side over a `countly backup` / mongodump folder: `[dump/]<db>/<coll>.bson[.gz]`
// plus `<coll>.metadata.json[.gz]` (canonical Extended JSON: `{"indexes":[…],"type":…}`).
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { EJSON } from "bson";
import { collectionFiles } from "../sources/dump/dump-files.ts";
import { SourceError } from "../sources/source.ts";
import { scanRawBsonFile, type RawVisitor } from "./raw-bson-file.ts";
import { BACKUP_DATABASES, isSystemCollection, type DiffSide, type IndexSpec } from "./side.ts";

interface CollectionFiles {
  bson?: string;
  /** Why the data file cannot be read (runner/sources/dump/dump-files.ts): the collection is then unreadable, not empty. */
  problem?: string;
  metadata?: string;
}

interface Metadata {
  indexes?: IndexSpec[];
  type?: string;
}

export class DumpSide implements DiffSide {
  readonly description: string;
  readonly location: string;
  private root = "";
  private readonly files = new Map<string, Map<string, CollectionFiles>>();
  private readonly metadata = new Map<string, Promise<Metadata | undefined>>();

  constructor(
    private readonly dir: string,
    private readonly databases: readonly string[] = BACKUP_DATABASES,
  ) {
    this.description = `dump ${dir}`;
    this.location = dir;
  }

  async open(): Promise<void> {
    const isDir = async (p: string) => (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
    if (!(await isDir(this.dir))) throw new SourceError(`${this.dir}: no such directory (expected a mongodump or \`countly backup\` folder)`);
    for (const candidate of [join(this.dir, "dump"), this.dir]) {
      for (const db of this.databases) {
        if (await isDir(join(candidate, db))) {
          this.root = candidate;
          return;
        }
      }
    }
    throw new SourceError(`${this.dir}: not a dump of ${this.databases.join(", ")}: expected ${join(this.dir, "dump", this.databases[0] ?? "countly")}/ (the layout \`countly backup\` and mongodump write)`);
  }

  async collections(db: string): Promise<string[] | undefined> {
    const files = await this.filesOf(db);
    if (!files) return undefined;
    const names: string[] = [];
    for (const [name, f] of files) {
      if (isSystemCollection(name)) continue;
      if (!f.bson) {
        // metadata alone: a view (no data) or a collection dumped without documents
        const meta = await this.readMetadata(db, name).catch(() => undefined);
        if (meta?.type === "view") continue;
      }
      names.push(name);
    }
    return names.sort();
  }

  async indexes(db: string, coll: string): Promise<IndexSpec[] | undefined> {
    const meta = await this.readMetadata(db, coll);
    return meta?.indexes;
  }

  async scan(db: string, coll: string, visit: RawVisitor): Promise<number> {
    const f = (await this.filesOf(db))?.get(coll);
    if (!f?.bson) return 0;
    if (f.problem) throw new Error(f.problem);
    return scanRawBsonFile(f.bson, visit);
  }

  async close(): Promise<void> {}

  /** `<coll>.bson[.gz]` and `<coll>.metadata.json[.gz]` of a database folder, or undefined when it is absent. */
  private async filesOf(db: string): Promise<Map<string, CollectionFiles> | undefined> {
    const cached = this.files.get(db);
    if (cached) return cached;
    // The data files as the dump source sees them (FIFOs, 0-byte .gz, .bson next to .bson.gz refused alike).
    const data = await collectionFiles(join(this.root, db));
    if (!data) return undefined;
    const out = new Map<string, CollectionFiles>();
    for (const [name, f] of data) out.set(name, { bson: f.path, problem: f.problem });
    for (const entry of (await readdir(join(this.root, db))).sort()) {
      const meta = /^(.+)\.metadata\.json(\.gz)?$/.exec(entry);
      if (!meta) continue;
      const f = out.get(meta[1]!) ?? {};
      // a plain metadata file wins over a .gz one if a folder somehow has both
      if (!f.metadata || !meta[2]) f.metadata = join(this.root, db, entry);
      out.set(meta[1]!, f);
    }
    this.files.set(db, out);
    return out;
  }

  private readMetadata(db: string, coll: string): Promise<Metadata | undefined> {
    const key = `${db}\u0000${coll}`;
    let p = this.metadata.get(key);
    if (!p) {
      p = this.loadMetadata(db, coll);
      this.metadata.set(key, p);
    }
    return p;
  }

  private async loadMetadata(db: string, coll: string): Promise<Metadata | undefined> {
    const file = (await this.filesOf(db))?.get(coll)?.metadata;
    if (!file) return undefined;
    let text: string;
    try {
      const bytes = await readFile(file);
      text = (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
    } catch (e) {
      throw new Error(`${file}: cannot be read: ${(e as Error).message}`, { cause: e });
    }
    let parsed: unknown;
    try {
      parsed = EJSON.parse(text, { relaxed: true });
    } catch (e) {
      throw new Error(`${file}: not valid Extended JSON: ${(e as Error).message}`, { cause: e });
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`${file}: expected a JSON object`);
    const m = parsed as Record<string, unknown>;
    if (m.indexes !== undefined && !Array.isArray(m.indexes)) throw new Error(`${file}: "indexes" is not an array`);
    return {
      indexes: (m.indexes as IndexSpec[] | undefined)?.filter((i) => i && typeof i === "object"),
      type: typeof m.type === "string" ? m.type : undefined,
    };
  }
}
