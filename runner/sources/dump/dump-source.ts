// Source over a `countly backup` / mongodump directory: `dump/<db>/<coll>.bson[.gz]`.
// One streaming pass per collection feeds every fact that reads it.
import { stat } from "node:fs/promises";
import { join, relative } from "node:path";
import process from "node:process";
import { COLLECTIONS, DEFAULT_DATABASES, type DatabaseNames } from "../../../countly/layout.ts";
import type { Catalog, CollectionRef } from "../../facts/collector.ts";
import type { FactName, FactParams, FactScope } from "../../facts/types.ts";
import { DumpSide } from "../../diff/dump-side.ts";
import type { DiffSide } from "../../diff/side.ts";
import { elapsedMs, type QueryTiming } from "../../model.ts";
import { computeFactsByScanning, type CollectionReader } from "../scan-plan.ts";
import { basicsFromDocuments, SourceError, type FactResults, type PipelineOutcome, type PipelineRequest, type Source, type SourceBasics } from "../source.ts";
import { DumpReadError, scanBsonFields, scanBsonFile, type ScanProgress } from "./bson-file-scanner.ts";
import { readMetadataUuid } from "./metadata-uuid.ts";
import { shapeOf, shapeProblem } from "./collection-shapes.ts";
import { collectionFiles } from "./dump-files.ts";
import { DEFAULT_MIN_PARALLEL_BYTES, defaultJobs } from "./parallel/jobs.ts";
import type { ParallelReport } from "./parallel/parallel-facts.ts";

export interface DumpSourceOptions {
  databases?: DatabaseNames;
  /** Progress of long scans (file shown relative to cwd). */
  onProgress?: (file: string, p: ScanProgress, fileSize: number) => void;
  /** `--jobs`: worker threads for plain `.bson` raw data (1: none); default: the cores up to 8, for large raw data only (parallel/jobs.ts). */
  jobs?: number;
  /** Read chunk size of the worker threads' reads (tests use tiny ones). */
  parallelChunkSize?: number;
  /** How a run with worker threads went (parallel/parallel-facts.ts). */
  onParallel?: (report: ParallelReport) => void;
}

export class DumpSource implements Source {
  readonly description: string;
  readonly snapshot = true;
  private root = "";
  private files = new Map<string, string>();
  /** Collections whose file cannot be read as that collection (dump-files.ts, collection-shapes.ts): an error, never "empty". */
  private problems = new Map<string, string>();
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
      const files = await collectionFiles(join(this.root, db));
      for (const [name, f] of files ?? []) {
        collections[db]!.push(name);
        this.files.set(`${db}.${name}`, f.path);
        const problem = f.problem ?? (await this.shapeCheck(db === this.databases.countly ? "countly" : "drill", name, f.path));
        if (problem) this.problems.set(`${db}.${name}`, problem);
      }
    }
    const appDocs = await this.readSmall({ db: this.databases.countly, name: COLLECTIONS.apps });
    const eventDocs = await this.readSmall({ db: this.databases.countly, name: COLLECTIONS.events });
    try {
      const basics = basicsFromDocuments(appDocs, eventDocs, collections, this.databases);
      const drill = { db: this.databases.drill, name: COLLECTIONS.drillEvents };
      if (this.files.has(`${drill.db}.${drill.name}`)) {
        const uuid = await readMetadataUuid(join(this.root, drill.db, `${drill.name}.metadata.json`));
        basics.catalog.collectionUuids = { [`${drill.db}.${drill.name}`]: "uuid" in uuid ? { ...uuid, from: displayPath(uuid.from) } : uuid };
      }
      return basics;
    } catch (e) {
      if (e instanceof SourceError) throw new SourceError(`${this.dir}: ${e.message}`);
      throw e;
    }
  }

  async computeFacts(requests: ReadonlyMap<FactName, FactParams>, scope: Omit<FactScope, "params">): Promise<FactResults> {
    const catalog = await this.catalog();
    const read: CollectionReader = async (ref, layout, visit) => {
      const file = this.readable(ref);
      if (!file) return;
      const started = performance.now();
      const stats = await scanBsonFields(file, layout, visit, { onProgress: await this.progress(ref, file) });
      this.passes.push({ collection: `${ref.db}.${ref.name}`, kind: "pass", purpose: "facts", ms: elapsedMs(started), docs: stats.documents });
    };
    const describeError = (ref: CollectionRef, e: unknown): string => this.describeError(ref, e);
    const jobs = this.options.jobs ?? defaultJobs();
    if (jobs < 2) return computeFactsByScanning(requests, scope, catalog, read, describeError);
    // Loaded on demand: a single-threaded run never loads the worker machinery.
    const { computeFactsInParallel } = await import("./parallel/parallel-facts.ts");
    return computeFactsInParallel(requests, scope, catalog, {
      jobs,
      minBytes: this.options.jobs === undefined ? DEFAULT_MIN_PARALLEL_BYTES : 0,
      fileOf: (ref) => this.readable(ref),
      read,
      describeError,
      progress: (ref, file) => this.progress(ref, file),
      onReport: this.options.onParallel,
      chunkSize: this.options.parallelChunkSize,
    });
  }

  private async progress(ref: CollectionRef, file: string): Promise<((p: ScanProgress) => void) | undefined> {
    const onProgress = this.options.onProgress;
    if (!onProgress) return undefined;
    const size = (await stat(file)).size;
    return (p) => onProgress(this.display(ref), p, size);
  }

  /** Check pipelines through the in-memory engine, one streaming pass per collection (runner/sources/pipeline/). */
  async runPipelines(requests: readonly PipelineRequest[]): Promise<PipelineOutcome[]> {
    if (!this.root) await this.open();
    // Loaded on demand: the in-memory engine (mingo) costs start-up time, and most runs have no pipeline checks.
    const { runPipelinesByScanning } = await import("../pipeline/scan.ts");
    return runPipelinesByScanning(
      requests,
      async (ref, visit) => {
        const file = this.readable(ref);
        if (!file) return;
        const started = performance.now();
        const stats = await scanBsonFile(file, visit);
        this.passes.push({ collection: `${ref.db}.${ref.name}`, kind: "pass", purpose: "check pipelines", ms: elapsedMs(started), docs: stats.documents });
      },
      {
        sharedDocuments: false,
        describeError: (ref, e) => this.describeError(ref, e),
      },
    );
  }

  async diffSide(databases: readonly string[]): Promise<DiffSide> {
    return new DumpSide(this.dir, databases);
  }

  /** Each collection file read for the facts or the check pipelines, with its time and documents. */
  private readonly passes: QueryTiming[] = [];
  timings(): QueryTiming[] {
    return this.passes.map((t) => ({ ...t }));
  }

  async close(): Promise<void> {}

  private catalogCache?: Catalog;
  private async catalog(): Promise<Catalog> {
    if (!this.catalogCache) this.catalogCache = (await this.open()).catalog;
    return this.catalogCache;
  }

  /** Reads a small metadata collection (apps, events) whole. */
  private async readSmall(ref: CollectionRef): Promise<Record<string, unknown>[]> {
    const problem = this.problems.get(`${ref.db}.${ref.name}`);
    if (problem) throw new SourceError(problem);
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

  private describeError(ref: CollectionRef, e: unknown): string {
    if (e instanceof DumpReadError) return `${displayPath(e.file)}: ${e.message.slice(e.file.length + 2)} (byte offset ${e.offset})`;
    if (e instanceof DumpFileProblem) return e.message;
    return `${this.display(ref)}: ${(e as Error).message}`;
  }

  /** The collection's file; throws (an error outcome of the facts and pipelines reading it) when it cannot be read as that collection. */
  private readable(ref: CollectionRef): string | undefined {
    const problem = this.problems.get(`${ref.db}.${ref.name}`);
    if (problem) throw new DumpFileProblem(problem);
    return this.files.get(`${ref.db}.${ref.name}`);
  }

  /** The first document of a well-known collection must look like one (a file of another collection is not "no data"). */
  private async shapeCheck(database: "countly" | "drill", name: string, file: string): Promise<string | undefined> {
    const shape = shapeOf(database, name);
    if (!shape) return undefined;
    let first: Record<string, unknown> | undefined;
    const stop = new Error("first document read");
    try {
      await scanBsonFile(
        file,
        (d) => {
          first = d;
          throw stop;
        },
        { chunkSize: 64 * 1024 },
      );
    } catch (e) {
      // A file that cannot be read at all is reported when it is read for real, with its offset.
      if (e !== stop) return undefined;
    }
    if (!first) return undefined;
    const problem = shapeProblem(shape, first);
    return problem ? `${displayPath(file)}: ${problem}` : undefined;
  }

  private display(ref: CollectionRef): string {
    const file = this.files.get(`${ref.db}.${ref.name}`);
    return file ? displayPath(file) : `${ref.db}.${ref.name}`;
  }
}

/** A collection file refused before reading (its message names the file). */
class DumpFileProblem extends Error {}

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
