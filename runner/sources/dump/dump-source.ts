// Source over a `countly backup` / mongodump directory: `dump/<db>/<coll>.bson[.gz]`.
// One streaming pass per collection feeds every fact that reads it.
import { readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import process from "node:process";
import { COLLECTIONS, DEFAULT_DATABASES, detectLayout, type DatabaseNames } from "../../../countly/layout.ts";
import { isValidTimezone } from "../../../countly/time.ts";
import { mergeFields, type Catalog, type CollectionRef, type DumpVisitor } from "../../facts/collector.ts";
import { DUMP_COLLECTORS } from "../../facts/dump/index.ts";
import type { AppInfo, FactName, FactParams, FactScope } from "../../facts/types.ts";
import { appFromDocument, SourceError, type FactResults, type Source, type SourceBasics } from "../source.ts";
import { DumpReadError, scanBsonFile, type ScanProgress } from "./bson-file-scanner.ts";

export interface DumpSourceOptions {
  databases?: DatabaseNames;
  /** Progress of long scans (file shown relative to cwd). */
  onProgress?: (file: string, p: ScanProgress, fileSize: number) => void;
}

export class DumpSource implements Source {
  readonly description: string;
  private root = "";
  private files = new Map<string, string>();
  private readonly databases: DatabaseNames;

  constructor(
    private readonly dir: string,
    private readonly options: DumpSourceOptions = {},
  ) {
    this.description = `dump ${dir}`;
    this.databases = options.databases ?? DEFAULT_DATABASES;
  }

  async open(): Promise<SourceBasics> {
    this.root = await findDumpRoot(this.dir, this.databases);
    const collections: Record<string, string[]> = {};
    for (const db of [this.databases.countly, this.databases.drill]) {
      collections[db] = [];
      let entries: string[] = [];
      try {
        entries = await readdir(join(this.root, db));
      } catch {
        continue;
      }
      for (const f of entries.sort()) {
        const m = /^(.+)\.bson(\.gz)?$/.exec(f);
        if (!m) continue;
        collections[db]!.push(m[1]!);
        this.files.set(`${db}.${m[1]}`, join(this.root, db, f));
      }
    }
    const appDocs = await this.readSmall({ db: this.databases.countly, name: COLLECTIONS.apps });
    if (appDocs.length === 0) throw new SourceError(`${this.display({ db: this.databases.countly, name: COLLECTIONS.apps })}: no apps: is this a Countly dump?`);
    const apps: AppInfo[] = appDocs.map((d) => appFromDocument(d, `${this.databases.countly}.apps`, isValidTimezone));
    const eventLists: Record<string, string[]> = {};
    for (const d of await this.readSmall({ db: this.databases.countly, name: COLLECTIONS.events })) {
      const id = String((d._id as { toHexString?: () => string })?.toHexString?.() ?? d._id);
      if (Array.isArray(d.list)) eventLists[id] = d.list.filter((k): k is string => typeof k === "string");
    }
    const catalog: Catalog = { collections, eventLists };
    return {
      apps,
      catalog,
      layout: detectLayout(collections[this.databases.countly] ?? [], collections[this.databases.drill] ?? []),
      databases: this.databases,
    };
  }

  async computeFacts(requests: ReadonlyMap<FactName, FactParams>, scope: Omit<FactScope, "params">): Promise<FactResults> {
    const catalog = await this.catalog();
    const results: FactResults = {};
    // Plan: which visitors read which collection.
    const readers = new Map<string, { ref: CollectionRef; facts: { fact: FactName; visitor: DumpVisitor<unknown> }[]; fields: ReturnType<typeof mergeFields>[] }>();
    const active = new Map<FactName, DumpVisitor<unknown>>();
    for (const [fact, params] of requests) {
      const collector = DUMP_COLLECTORS[fact];
      const factScope: FactScope = { ...scope, params };
      const visitor = collector.start(factScope, catalog) as DumpVisitor<unknown>;
      active.set(fact, visitor);
      for (const ref of collector.collections(factScope, catalog)) {
        const id = `${ref.db}.${ref.name}`;
        const entry = readers.get(id) ?? { ref, facts: [], fields: [] };
        entry.facts.push({ fact, visitor });
        entry.fields.push(collector.fields);
        readers.set(id, entry);
      }
    }
    const failed = new Map<FactName, string>();
    for (const [id, entry] of readers) {
      const file = this.files.get(id);
      if (!file) continue;
      const live = entry.facts.filter((f) => !failed.has(f.fact));
      if (live.length === 0) continue;
      const size = this.options.onProgress ? (await stat(file)).size : 0;
      try {
        await scanBsonFile(
          file,
          (doc) => {
            for (const f of live) f.visitor.visit(doc, entry.ref);
          },
          {
            fields: mergeFields(entry.fields),
            onProgress: this.options.onProgress ? (p) => this.options.onProgress!(this.display(entry.ref), p, size) : undefined,
          },
        );
      } catch (e) {
        const message = e instanceof DumpReadError ? `${displayPath(e.file)}: ${e.message.slice(e.file.length + 2)} (byte offset ${e.offset})` : `${this.display(entry.ref)}: ${(e as Error).message}`;
        for (const f of live) failed.set(f.fact, message);
      }
    }
    for (const [fact, visitor] of active) {
      const error = failed.get(fact);
      (results as Record<string, unknown>)[fact] = error ? { ok: false, error } : { ok: true, value: visitor.finish() };
    }
    return results;
  }

  async close(): Promise<void> {}

  private catalogCache?: Catalog;
  private async catalog(): Promise<Catalog> {
    if (!this.catalogCache) this.catalogCache = (await this.open()).catalog;
    return this.catalogCache;
  }

  /** Reads a small metadata collection (apps, events) whole. */
  private async readSmall(ref: CollectionRef): Promise<Record<string, unknown>[]> {
    const file = this.files.get(`${ref.db}.${ref.name}`);
    if (!file) return [];
    const docs: Record<string, unknown>[] = [];
    try {
      await scanBsonFile(file, (d) => docs.push(d));
    } catch (e) {
      throw new SourceError(e instanceof DumpReadError ? `${displayPath(e.file)}: ${e.message.slice(e.file.length + 2)}` : `${displayPath(file)}: ${(e as Error).message}`, { cause: e });
    }
    return docs;
  }

  private display(ref: CollectionRef): string {
    const file = this.files.get(`${ref.db}.${ref.name}`);
    return file ? displayPath(file) : `${ref.db}.${ref.name}`;
  }
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

/** Accepts the `countly backup` folder (with `dump/`), the dump folder itself, or its parent. */
async function findDumpRoot(dir: string, dbs: DatabaseNames): Promise<string> {
  const isDir = async (p: string) => (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
  if (!(await isDir(dir))) throw new SourceError(`${dir}: no such directory (expected a mongodump or \`countly backup\` folder)`);
  for (const candidate of [join(dir, "dump"), dir]) {
    if (await isDir(join(candidate, dbs.countly))) return candidate;
  }
  throw new SourceError(`${dir}: not a Countly dump: expected ${join(dir, "dump", dbs.countly)}/ (the layout \`countly backup\` and mongodump write)`);
}
