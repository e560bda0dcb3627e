// `--jobs N`: facts from a dump with N worker threads. The main thread reads and frames
// each plain `.bson` file into shared chunks (shared-chunks.ts) and the workers run the
// scanner and the fact collectors over the documents (scan-worker.ts): each document of the
// merged drill_events goes to the worker of its app (app-owner.ts), another collection whole
// to one worker. Their partial values merge exactly
// (fact-merge.ts). Facts without a merge, and `.bson.gz` files (gunzip is the limit), are
// built on the main thread in the same pass, as with one thread.
//
// The result equals the single-threaded one. Where it cannot be shown cheaply it is not
// guessed: when a worker meets an error (a corrupt document, an unknown time zone), when a
// collection the workers read fails, or when the facts together may need more than the
// memory budget (--max-memory), the parallel attempt is dropped and the facts are computed
// again by one thread, which reports the error or the stop exactly as a single-threaded run.
import { stat } from "node:fs/promises";
import { COLLECTIONS, legacyDrillHash } from "../../../../countly/layout.ts";
import { attributeLegacy, hashIndex } from "../../../facts/attribution.ts";
import { mergeFields, type Catalog, type CollectionRef } from "../../../facts/collector.ts";
import { DUMP_COLLECTORS } from "../../../facts/dump/index.ts";
import { MemoryBudget } from "../../../facts/memory-budget.ts";
import type { FactName, FactParams, FactScope, FactValues } from "../../../facts/types.ts";
import { computeFactsByScanning, oneAtATime, type CollectionReader } from "../../scan-plan.ts";
import type { FactResults } from "../../source.ts";
import { elapsedMs } from "../../../model.ts";
import { DocFields, type DocFields as Doc, type FieldLayout, type FieldSelection, type StringInterner } from "../bson-fields.ts";
import { fieldsFrameVisitor, scanBsonFrames, type FrameVisitor, type ScanProgress } from "../bson-file-scanner.ts";
import { NOT_IN_SCOPE, ownerOf, routeHint, scopeAppIds, UNKNOWN } from "./app-owner.ts";
import { FACT_MERGES, type FactMerge } from "./fact-merge.ts";
import type { FromWorker, ToWorker, WorkerSetup } from "./protocol.ts";
import { SharedChunks } from "./shared-chunks.ts";
import { ScanWorker } from "./worker-threads.ts";

export interface ParallelFactsOptions {
  /** Worker threads (2 or more; 1 never gets here). */
  jobs: number;
  /** Workers start only when the files they would read hold at least this many bytes (0: always). */
  minBytes: number;
  /** A collection's file, undefined when absent; throws when it cannot be read as that collection. */
  fileOf(ref: CollectionRef): string | undefined;
  /** The single-threaded reader: collections the main thread reads alone, and the fallback. */
  read: CollectionReader;
  describeError(ref: CollectionRef, e: unknown): string;
  /** Progress of a collection's read, if wanted. */
  progress?(ref: CollectionRef, file: string): Promise<((p: ScanProgress) => void) | undefined>;
  /** Read chunk size in bytes (default the scanner's); tests use tiny ones to cut documents across chunks. */
  chunkSize?: number;
  /** Told how the facts were computed. */
  onReport?(report: ParallelReport): void;
  /** Told of each collection file the main thread read for the workers (the run's `timings`), as one thread's reads are. */
  onPass?(pass: WorkerPass): void;
}

/** One read of a collection file, framed by the main thread for the workers. */
export interface WorkerPass {
  ref: CollectionRef;
  /** Wall-clock milliseconds from opening the file to its last document framed. */
  ms: number;
  documents: number;
  /** Worker threads the documents went to. */
  workers: number;
}

/** How a `--jobs` computation went. */
export type ParallelReport =
  /** Workers built `facts` and their results were merged. */
  | { workers: number; facts: FactName[] }
  /** One thread computed everything: nothing for workers (too little raw data, only .gz, no groupable fact), or the parallel attempt was dropped (`why`). */
  | { workers: 0; why: string };

/** What the workers build: which facts, which collections in which order, each with its selection and route. */
interface Plan {
  /** The scope's app ids (app-owner.ts). */
  apps: StringInterner;
  /** Every requested fact, in request order (the order of the results). */
  order: FactName[];
  workerFacts: [FactName, FactParams][];
  mainFacts: Map<FactName, FactParams>;
  /** Collections the workers read, in the order one thread reads them. */
  collections: { ref: CollectionRef; file: string | undefined; selection: FieldSelection | undefined; facts: number[]; byApp: boolean; owner: number; sharedWithMain: boolean }[];
}

export async function computeFactsInParallel(
  requests: ReadonlyMap<FactName, FactParams>,
  scope: Omit<FactScope, "params">,
  catalog: Catalog,
  options: ParallelFactsOptions,
): Promise<FactResults> {
  // documents are split by app: more workers than apps would only walk the documents again
  const jobs = Math.min(options.jobs, scope.apps.length);
  const plan = jobs >= 2 ? await planWorkers(requests, scope, catalog, { ...options, jobs }) : undefined;
  const outcome = plan ? await runWorkers(plan, scope, catalog, { ...options, jobs }) : jobs < 2 ? "fewer than 2 apps to split the raw data by" : "nothing for worker threads to read";
  if (typeof outcome !== "string") {
    options.onReport?.({ workers: jobs, facts: plan!.workerFacts.map(([f]) => f) });
    return outcome;
  }
  options.onReport?.({ workers: 0, why: outcome });
  return computeFactsByScanning(requests, scope, catalog, options.read, options.describeError);
}

const id = (r: CollectionRef): string => `${r.db}.${r.name}`;

async function planWorkers(requests: ReadonlyMap<FactName, FactParams>, scope: Omit<FactScope, "params">, catalog: Catalog, options: ParallelFactsOptions): Promise<Plan | undefined> {
  if (options.jobs < 2 || scope.budget === undefined) return undefined;
  const reads = new Map<FactName, CollectionRef[]>();
  const selections = new Map<string, (FieldSelection | undefined)[]>();
  for (const [fact, params] of requests) {
    const refs = DUMP_COLLECTORS[fact].collections({ ...scope, params }, catalog);
    reads.set(fact, refs);
    for (const r of refs) selections.set(id(r), [...(selections.get(id(r)) ?? []), DUMP_COLLECTORS[fact].fields]);
  }
  const files = new Map<string, string | undefined>();
  const plainFile = (r: CollectionRef): boolean => {
    try {
      const f = options.fileOf(r);
      files.set(id(r), f);
      return f === undefined || !f.endsWith(".gz");
    } catch {
      return false; // a file refused before reading: its error comes from the single-threaded read
    }
  };
  const isRaw = (r: CollectionRef): boolean =>
    r.db === scope.databases.drill && (scope.layout.drill === "current" ? r.name === COLLECTIONS.drillEvents : legacyDrillHash(r.name) !== undefined);
  const merge = (f: FactName): FactMerge<FactName> | undefined => FACT_MERGES[f] as FactMerge<FactName> | undefined;
  const inWorkers = new Set<FactName>();
  for (const [fact, refs] of reads) {
    const m = merge(fact);
    if (m && refs.every(plainFile) && (m.split === "any" || refs.every(isRaw))) inWorkers.add(fact);
  }
  // A by-app fact must read all its collections in the workers, in one thread's order: none may also be read by a main-thread fact.
  for (let changed = true; changed; ) {
    changed = false;
    const mainReads = new Set([...reads].filter(([f]) => !inWorkers.has(f)).flatMap(([, refs]) => refs.map(id)));
    for (const f of inWorkers) {
      if (merge(f)!.split === "by-app" && reads.get(f)!.some((r) => mainReads.has(id(r)))) {
        inWorkers.delete(f);
        changed = true;
      }
    }
  }
  if (![...inWorkers].some((f) => merge(f)!.split === "by-app")) return undefined; // nothing worth a thread
  const workerFacts = [...requests].filter(([f]) => inWorkers.has(f));
  const mainFacts = new Map([...requests].filter(([f]) => !inWorkers.has(f)));
  const mainReads = new Set([...mainFacts.keys()].flatMap((f) => reads.get(f)!.map(id)));

  const apps = scopeAppIds(scope.apps);
  const legacy = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
  const collections: Plan["collections"] = [];
  const seen = new Set<string>();
  let bytes = 0;
  for (const [fact] of workerFacts) {
    for (const ref of reads.get(fact)!) {
      if (seen.has(id(ref))) continue;
      seen.add(id(ref));
      const facts = workerFacts.flatMap(([f], i) => (reads.get(f)!.some((r) => id(r) === id(ref)) ? [i] : []));
      const byApp = isRaw(ref) && scope.layout.drill === "current" && facts.some((i) => merge(workerFacts[i]![0])!.split === "by-app");
      const who = legacy && attributeLegacy(ref, legacy);
      const owner = who ? ownerOf(apps.add(who.app), options.jobs) : collections.length % options.jobs;
      const file = files.get(id(ref));
      if (file !== undefined) bytes += (await stat(file).catch(() => undefined))?.size ?? 0;
      collections.push({ ref, file, selection: mergeFields(selections.get(id(ref))!), facts, byApp, owner, sharedWithMain: mainReads.has(id(ref)) });
    }
  }
  if (bytes < options.minBytes) return undefined;
  return { apps, order: [...requests.keys()], workerFacts, mainFacts, collections };
}

/** Abandons the parallel attempt (the facts are then computed by one thread). */
class Abandoned extends Error {}

/** The merged facts, or why the attempt was dropped. */
async function runWorkers(plan: Plan, scope: Omit<FactScope, "params">, catalog: Catalog, options: ParallelFactsOptions): Promise<FactResults | string> {
  const { jobs } = options;
  const budget = scope.budget!;
  const remaining = budget.maxBytes - budget.usedBytes;
  // each worker holds at most a few chunks: the reader waits for one beyond that
  const chunks = new SharedChunks(2 + 2 * jobs);
  let abandoned: Abandoned | undefined;
  const finished = deferred();
  const abandon = (why: string): void => {
    if (abandoned) return;
    abandoned = new Abandoned(why);
    chunks.fail(abandoned);
    finished.resolve();
  };
  const parts: { values: Record<string, unknown>; usedBytes: number }[] = [];
  const setup = (me: number): WorkerSetup => {
    const { budget: _b, ...plain } = scope;
    return { me, jobs, facts: plan.workerFacts, scope: plain, budgetBytes: remaining, catalog };
  };
  const workers: ScanWorker[] = [];
  const onMessage = (m: FromWorker): void => {
    if (m.type === "release") chunks.release(m.chunk);
    else if (m.type === "error") abandon(`a worker stopped: ${m.error.message}`);
    else {
      parts.push(m);
      if (parts.length === jobs) finished.resolve();
    }
  };
  try {
    for (let me = 0; me < jobs; me++) workers.push(new ScanWorker(setup(me), onMessage, (e) => abandon(e.message)));
    const toAll = (m: ToWorker): void => workers.forEach((w) => w.send(m));

    const readToWorkers = async (c: Plan["collections"][number], mainVisit: FrameVisitor | undefined): Promise<void> => {
      if (abandoned) throw abandoned;
      toAll({ type: "collection", ref: c.ref, file: c.file ?? "", selection: c.selection, byApp: c.byApp, facts: c.facts });
      if (c.file === undefined) return;
      // per worker: its documents of the current chunk as (start, end, hint) triples
      const lists: number[][] = workers.map(() => []);
      let base = 0;
      let notInScope = 0;
      const route = (b: Uint8Array, start: number, end: number, add: (w: number, hint: number) => void): void => {
        if (!c.byApp) return add(c.owner, UNKNOWN);
        const hint = routeHint(b, start, end, plan.apps);
        if (hint >= 0) add(ownerOf(hint, jobs), hint);
        else if (hint === NOT_IN_SCOPE) add(notInScope++ % jobs, hint);
        else for (let w = 0; w < jobs; w++) add(w, hint);
      };
      const onFrame: FrameVisitor = (b, start, end, offset) => {
        if (abandoned) throw abandoned;
        mainVisit?.(b, start, end, offset);
        if (chunks.indexOf(b) < 0) {
          // a document read across two chunks comes in a buffer of its own
          const own = new SharedArrayBuffer(end - start);
          new Uint8Array(own).set(b.subarray(start, end));
          route(b, start, end, (w, hint) => workers[w]!.send({ type: "documents", chunk: -1, bytes: own, docs: Int32Array.of(0, end - start, hint), base: offset }));
          return;
        }
        base = offset - start;
        route(b, start, end, (w, hint) => lists[w]!.push(start, end, hint));
      };
      const scanned = (chunk: Uint8Array): void => {
        const i = chunks.indexOf(chunk);
        let to = 0;
        for (let w = 0; w < jobs; w++) {
          const list = lists[w]!;
          if (list.length === 0) continue;
          workers[w]!.send({ type: "documents", chunk: i, bytes: chunks.buffer(i), docs: Int32Array.from(list), base });
          list.length = 0;
          to++;
        }
        chunks.sent(i, to);
      };
      const onProgress = await options.progress?.(c.ref, c.file);
      const started = performance.now();
      const stats = await scanBsonFrames(c.file, onFrame, { buffers: { take: (n) => chunks.take(n), scanned }, onProgress, chunkSize: options.chunkSize });
      options.onPass?.({ ref: c.ref, ms: elapsedMs(started), documents: stats.documents, workers: jobs });
    };

    // The main thread's facts, reading the shared collections through the workers' pass. Their
    // budget is counted apart; the sum with the workers' is checked at the end.
    const mainBudget = new MemoryBudget(remaining);
    let sharedFailed = false;
    const byId = new Map(plan.collections.map((c) => [id(c.ref), c]));
    const mainResults = await computeFactsByScanning(
      plan.mainFacts,
      { ...scope, budget: mainBudget },
      catalog,
      // in one thread's order: the workers get the collections as one thread reads them
      oneAtATime(async (ref, prepare) => {
        if (abandoned) throw abandoned;
        const c = byId.get(id(ref));
        if (!c) return options.read(ref, prepare);
        try {
          const what = prepare();
          await readToWorkers(c, what ? fieldsFrameVisitor(c.file ?? "", new DocFields(what.layout), what.visit) : undefined);
        } catch (e) {
          sharedFailed = true;
          abandon("a collection the workers read could not be read");
          throw e;
        }
      }),
      options.describeError,
    );
    if (abandoned) return abandoned.message;
    if (sharedFailed) return "a collection the workers read could not be read";
    for (const c of plan.collections) {
      if (c.sharedWithMain) continue;
      try {
        await readToWorkers(c, undefined);
      } catch (e) {
        // the single-threaded run says what failed, as it always does
        return e instanceof Abandoned ? e.message : `${id(c.ref)} could not be read`;
      }
    }
    toAll({ type: "finish" });
    await finished.promise;
    if (abandoned) return (abandoned as Abandoned).message;
    // Each worker counts only its own apps' keys and groups (an event key seen by two workers
    // is counted twice), so the sum is never below one thread's; within the budget, one
    // thread would not have stopped either.
    const used = mainBudget.usedBytes + parts.reduce((n, p) => n + p.usedBytes, 0);
    if (used > remaining) return "the facts may need more than --max-memory";

    const results: Record<string, unknown> = { ...mainResults };
    for (const [fact, params] of plan.workerFacts) {
      const merge = FACT_MERGES[fact] as FactMerge<FactName>;
      results[fact] = { ok: true, value: merge.merge(parts.map((p) => p.values[fact] as FactValues[FactName]), { ...scope, params }) };
    }
    // in request order, as one thread returns them
    const ordered: Record<string, unknown> = {};
    for (const fact of plan.order) ordered[fact] = results[fact];
    return ordered as FactResults;
  } catch (e) {
    if (e instanceof Abandoned) return e.message;
    throw e;
  } finally {
    chunks.fail(new Abandoned("the scan is over"));
    await Promise.all(workers.map((w) => w.stop()));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
