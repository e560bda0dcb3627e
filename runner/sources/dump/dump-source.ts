// Source over a `countly backup` / mongodump directory: `dump/<db>/<coll>.bson[.gz]`.
// One streaming pass per collection file per run feeds every fact that reads it, the
// checks' pipelines and the backup comparison's after side (shared-passes.ts): each file
// is opened once (apps and events, read whole while opening, are kept in memory).
import { stat } from "node:fs/promises";
import { join, relative } from "node:path";
import process from "node:process";
import { COLLECTIONS, DEFAULT_DATABASES, type DatabaseNames } from "../../../countly/layout.ts";
import type { Catalog, CollectionRef } from "../../facts/collector.ts";
import type { FactName, FactParams, FactScope } from "../../facts/types.ts";
import type { DiffSide } from "../../diff/side.ts";
import { elapsedMs, type QueryTiming } from "../../model.ts";
import { computeFactsByScanning, type CollectionReader } from "../scan-plan.ts";
import { basicsFromDocuments, SourceError, type FactResults, type PipelineOutcome, type PipelineRequest, type Source, type SourceBasics } from "../source.ts";
import { BSON } from "bson";
import { documentFrameVisitor, DumpReadError, fieldsFrameVisitor, scanBsonFrames, scannerOf, type FrameVisitor, type ScanProgress } from "./bson-file-scanner.ts";
import { DumpSide } from "../../diff/dump-side.ts";
import type { RawVisitor } from "../../diff/raw-bson-file.ts";
import type { IndexSpec } from "../../diff/side.ts";
import { SharedPasses, type PassRef } from "./shared-passes.ts";
import { DocFields } from "./bson-fields.ts";
import { readMetadataUuid } from "./metadata-uuid.ts";
import { FIRST_DOCUMENTS, isSampled, nextSampled, sampleName, shapeOf, shapeProblem } from "./collection-shapes.ts";
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
  /** Collections whose file cannot be read (dump-files.ts): an error, never "empty". */
  private problems = new Map<string, string>();
  /** What the first document of a well-known collection says (collection-shapes.ts), once read: a problem makes its facts and pipelines errors. */
  private shapes = new Map<string, string | undefined>();
  /** The uncompressed content of the small collections read while opening (apps, events), so they are not read again. */
  private contents = new Map<string, Uint8Array>();
  private readonly passes = new SharedPasses((ref, onFrame) => this.frame(ref, onFrame));
  private readonly databases: DatabaseNames;

  constructor(
    private readonly dir: string,
    private readonly options: DumpSourceOptions = {},
  ) {
    this.description = `dump ${dir}`;
    this.databases = options.databases ?? DEFAULT_DATABASES;
  }

  private opened?: Promise<SourceBasics>;

  /** Reads the dump's folders, apps and events once (later calls give the same basics). */
  open(): Promise<SourceBasics> {
    this.opened ??= this.readBasics();
    return this.opened;
  }

  private async readBasics(): Promise<SourceBasics> {
    this.root = await findDumpRoot(this.dir, this.databases);
    const collections: Record<string, string[]> = {};
    for (const db of [this.databases.countly, this.databases.drill]) {
      collections[db] = [];
      const files = await collectionFiles(join(this.root, db));
      for (const [name, f] of files ?? []) {
        collections[db]!.push(name);
        this.files.set(`${db}.${name}`, f.path);
        if (f.problem) this.problems.set(`${db}.${name}`, f.problem);
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

  /** This source reads the facts, the checks' pipelines and the backup comparison in one pass per collection when they run together (runner/run.ts). */
  readonly sharedPasses = true;

  async computeFacts(requests: ReadonlyMap<FactName, FactParams>, scope: Omit<FactScope, "params">): Promise<FactResults> {
    // nothing is read before every fact has asked for its collections (readers that run beside the facts wait)
    const ungate = this.passes.gate();
    try {
      const catalog = await this.catalog();
      const read: CollectionReader = (ref, prepare) =>
        this.passes
          .readLater(ref, () => {
            const what = prepare();
            if (!what) return undefined;
            const file = this.readable(ref);
            return file ? this.guarded(ref, file, fieldsFrameVisitor(file, new DocFields(what.layout), what.visit, what.batch)) : undefined;
          })
          .then(() => undefined);
      const describeError = (ref: CollectionRef, e: unknown): string => this.describeError(ref, e);
      const jobs = this.options.jobs ?? ((await this.rawBytes()) >= DEFAULT_MIN_PARALLEL_BYTES ? defaultJobs() : 1);
      if (jobs < 2) {
        const facts = computeFactsByScanning(requests, scope, catalog, read, describeError);
        ungate();
        return await facts;
      }
      // The worker threads read their files themselves (not in the shared passes), so those
      // files' shapes are checked first, and the pipelines and the backup comparison read them again.
      await this.checkShapes();
      ungate();
      // Loaded on demand: a single-threaded run never loads the worker machinery.
      const { computeFactsInParallel } = await import("./parallel/parallel-facts.ts");
      return await computeFactsInParallel(requests, scope, catalog, {
        jobs,
        minBytes: this.options.jobs === undefined ? DEFAULT_MIN_PARALLEL_BYTES : 0,
        fileOf: (ref) => this.readable(ref),
        read,
        describeError,
        progress: (ref, file) => this.progress(ref, file),
        onReport: this.options.onParallel,
        onPass: (p) => this.timed.push({ collection: `${p.ref.db}.${p.ref.name}`, kind: "pass", purpose: `facts (read for ${p.workers} worker threads)`, ms: p.ms, docs: p.documents, scanner: "js" }), // the workers walk with the JavaScript scanner
        chunkSize: this.options.parallelChunkSize,
      });
    } finally {
      ungate();
      // the facts have read the small collections: their kept bytes (countly.events: tens of MB
      // for thousands of apps' event lists) would be held through every check case; a later read re-reads the file
      this.contents.clear();
    }
  }

  private async progress(ref: CollectionRef, file: string): Promise<((p: ScanProgress) => void) | undefined> {
    const onProgress = this.options.onProgress;
    if (!onProgress) return undefined;
    const size = (await stat(file)).size;
    return (p) => onProgress(this.display(ref), p, size);
  }

  /** Check pipelines through the in-memory engine, one streaming pass per collection (runner/sources/pipeline/), shared with the facts' reads. */
  async runPipelines(requests: readonly PipelineRequest[]): Promise<PipelineOutcome[]> {
    const release = this.passes.hold();
    try {
      if (!this.root) await this.open();
      // Loaded on demand: the in-memory engine (mingo) costs start-up time, and most runs have no pipeline checks.
      const { runPipelinesByScanning } = await import("../pipeline/scan.ts");
      return await runPipelinesByScanning(
        requests,
        (ref, visit) =>
          this.passes
            .read(ref, () => {
              const file = this.readable(ref);
              return file ? this.guarded(ref, file, documentFrameVisitor(file, visit, true)) : undefined;
            })
            .then(() => undefined),
        {
          sharedDocuments: false,
          describeError: (ref, e) => this.describeError(ref, e),
        },
      );
    } finally {
      release();
    }
  }

  /** The dump as the after side of a backup comparison; its scans of the collections this source knows share the run's passes until it is closed. */
  async diffSide(databases: readonly string[]): Promise<DiffSide> {
    return new SharedDumpSide(new DumpSide(this.dir, databases), this.passes.hold(), (ref, visit) => {
      const id = `${ref.db}.${ref.name}`;
      if (!this.files.has(id)) return undefined;
      return this.passes.read(ref, () => {
        const problem = this.problems.get(id);
        if (problem) throw new Error(problem);
        return (b, start, end) => visit(b, start, end);
      });
    });
  }

  async close(): Promise<void> {}

  private catalogCache?: Catalog;
  private async catalog(): Promise<Catalog> {
    if (!this.catalogCache) this.catalogCache = (await this.open()).catalog;
    return this.catalogCache;
  }

  /** Reads a small metadata collection (apps, events) whole, keeping its bytes for the run's later reads of it. */
  private async readSmall(ref: CollectionRef): Promise<Record<string, unknown>[]> {
    const id = `${ref.db}.${ref.name}`;
    const problem = this.problems.get(id);
    if (problem) throw new SourceError(problem);
    const file = this.files.get(id);
    if (!file) return [];
    const docs: Record<string, unknown>[] = [];
    const content = new ContentCopy();
    const decode = this.guarded(ref, file, documentFrameVisitor(file, (d) => docs.push(d), true));
    try {
      await scanBsonFrames(
        file,
        (b, start, end, offset) => {
          decode(b, start, end, offset);
          content.add(b, start, end);
        },
        { reuseBuffers: true },
      );
    } catch (e) {
      if (e instanceof DumpFileProblem) throw new SourceError(e.message, { cause: e });
      throw new SourceError(e instanceof DumpReadError ? `${displayPath(e.file)}: ${e.message.slice(e.file.length + 2)}` : `${displayPath(file)}: ${(e as Error).message}`, { cause: e });
    }
    const bytes = content.bytes();
    if (bytes) this.contents.set(id, bytes);
    return docs;
  }

  /** One read of a collection file (or of its content kept in memory), for every consumer of the pass. */
  private async frame(ref: PassRef, onFrame: FrameVisitor): Promise<number> {
    const id = `${ref.db}.${ref.name}`;
    const file = this.files.get(id);
    if (!file) return 0;
    const content = this.contents.get(id);
    const progress = this.options.onProgress;
    const size = progress && !content ? (await stat(file)).size : 0;
    const started = performance.now();
    const options = { reuseBuffers: true, content, onProgress: progress && !content ? (p: ScanProgress) => progress(this.display(ref), p, size) : undefined };
    const stats = await scanBsonFrames(file, onFrame, options);
    this.timed.push({ collection: id, kind: "pass", purpose: "facts, check pipelines, backup comparison (one shared read)", ms: elapsedMs(started), docs: stats.documents, scanner: scannerOf(file, options) });
    return stats.documents;
  }

  /** Each collection file read (once for all its consumers), with its time and documents. */
  private readonly timed: QueryTiming[] = [];
  timings(): QueryTiming[] {
    return this.timed.map((t) => ({ ...t }));
  }

  private describeError(ref: CollectionRef, e: unknown): string {
    if (e instanceof DumpReadError) return `${displayPath(e.file)}: ${e.message.slice(e.file.length + 2)} (byte offset ${e.offset})`;
    if (e instanceof DumpFileProblem) return e.message;
    return `${this.display(ref)}: ${(e as Error).message}`;
  }

  /** The collection's file; throws (an error outcome of the facts and pipelines reading it) when it cannot be read as that collection. */
  private readable(ref: CollectionRef): string | undefined {
    const id = `${ref.db}.${ref.name}`;
    const problem = this.problems.get(id) ?? this.shapes.get(id);
    if (problem) throw new DumpFileProblem(problem);
    return this.files.get(id);
  }

  /** Bytes of the raw data files (what worker threads would read): without --jobs, threads start only for large raw data. */
  private async rawBytes(): Promise<number> {
    let bytes = 0;
    for (const [id, file] of this.files) if (id.startsWith(`${this.databases.drill}.`)) bytes += (await stat(file).catch(() => undefined))?.size ?? 0;
    return bytes;
  }

  /** Decides the shape of every well-known collection not read yet, from its first FIRST_DOCUMENTS documents (for readers outside the shared passes). */
  private async checkShapes(): Promise<void> {
    const stop = new Error("first document read");
    for (const [id, file] of this.files) {
      if (this.problems.has(id) || this.shapes.has(id)) continue;
      const db = id.slice(0, id.indexOf("."));
      const ref = { db, name: id.slice(db.length + 1) };
      if (!shapeOf(db === this.databases.countly ? "countly" : "drill", ref.name)) continue;
      let seen = 0;
      const first = this.guarded(ref, file, () => {
        if (++seen >= FIRST_DOCUMENTS) throw stop;
      });
      // a file that cannot be read at all is reported when it is read for real, with its offset
      await scanBsonFrames(file, first, { chunkSize: 64 * 1024, reuseBuffers: true }).catch(() => undefined);
    }
  }

  /**
   * `visit`, while the documents a well-known collection's read samples (collection-shapes.ts
   * isSampled: the first ones, then one at each doubling) look like documents of it (a file
   * of another collection is not "no data"): otherwise the facts and pipelines reading it get
   * a DumpFileProblem naming the document. A shape problem is decided once per collection
   * (every later read fails at once); a document bson cannot decode is no shape problem (its
   * read reports it, with its offset).
   */
  private guarded(ref: CollectionRef, file: string, visit: FrameVisitor): FrameVisitor {
    const id = `${ref.db}.${ref.name}`;
    const shape = shapeOf(ref.db === this.databases.countly ? "countly" : "drill", ref.name);
    if (!shape) return visit;
    const known = this.shapes.get(id);
    if (known) return () => {
      throw new DumpFileProblem(known);
    };
    let index = 0;
    const sampled: FrameVisitor = (b, start, end, offset) => {
      if (isSampled(index)) {
        let doc: Record<string, unknown> | undefined;
        try {
          doc = BSON.deserialize(Uint8Array.prototype.slice.call(b, start, end));
        } catch {
          doc = undefined;
        }
        const problem = doc ? shapeProblem(shape, doc, sampleName(index, offset)) : undefined;
        if (problem) {
          this.shapes.set(id, `${displayPath(file)}: ${problem}`);
          throw new DumpFileProblem(this.shapes.get(id)!);
        }
        if (index === 0 && !this.shapes.has(id)) this.shapes.set(id, undefined);
      }
      index++;
      visit(b, start, end, offset);
    };
    const inner = visit.batcher;
    if (inner !== undefined) {
      // batches stop before each sampled document: it is checked before the visitor sees it, as above
      sampled.batcher = {
        get end() {
          return inner.end;
        },
        get bounds() {
          return inner.bounds;
        },
        visit(b, p, end, base, max) {
          const room = nextSampled(index) - index;
          if (room <= 0) return 0;
          const k = inner.visit(b, p, end, base, Math.min(max, room));
          index += k;
          return k;
        },
      };
    }
    return sampled;
  }

  private display(ref: CollectionRef): string {
    const file = this.files.get(`${ref.db}.${ref.name}`);
    return file ? displayPath(file) : `${ref.db}.${ref.name}`;
  }
}

/** A collection file refused (its message names the file). */
class DumpFileProblem extends Error {}

/** Small collections kept in memory after their one read: up to this many bytes each. */
const KEEP_CONTENT_BYTES = 64 * 1024 * 1024;

/** A copy of the documents framed so far, while they fit in KEEP_CONTENT_BYTES. */
class ContentCopy {
  private buffer: Uint8Array | undefined = new Uint8Array(64 * 1024);
  private used = 0;

  add(b: Uint8Array, start: number, end: number): void {
    if (this.buffer === undefined) return;
    const n = end - start;
    if (this.used + n > this.buffer.length) {
      if (this.used + n > KEEP_CONTENT_BYTES) {
        this.buffer = undefined;
        return;
      }
      const grown = new Uint8Array(Math.min(KEEP_CONTENT_BYTES, Math.max(this.buffer.length * 2, this.used + n)));
      grown.set(this.buffer.subarray(0, this.used));
      this.buffer = grown;
    }
    this.buffer.set(b.subarray(start, end), this.used);
    this.used += n;
  }

  bytes(): Uint8Array | undefined {
    return this.buffer?.slice(0, this.used);
  }
}

/**
 * The dump as a diff side whose scans of the source's collections are reads of the run's
 * shared passes; everything else (listing, indexes, the other databases) is the DumpSide's.
 * Closing it lets the passes go on without it.
 */
class SharedDumpSide implements DiffSide {
  readonly description: string;
  readonly location: string;

  constructor(
    private readonly inner: DumpSide,
    private readonly release: () => void,
    private readonly read: (ref: PassRef, visit: RawVisitor) => Promise<number> | undefined,
  ) {
    this.description = inner.description;
    this.location = inner.location;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  collections(db: string): Promise<string[] | undefined> {
    return this.inner.collections(db);
  }

  indexes(db: string, coll: string): Promise<IndexSpec[] | undefined> {
    return this.inner.indexes(db, coll);
  }

  scan(db: string, coll: string, visit: RawVisitor): Promise<number> {
    return this.read({ db, name: coll }, visit) ?? this.inner.scan(db, coll, visit);
  }

  async close(): Promise<void> {
    this.release();
    await this.inner.close();
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
