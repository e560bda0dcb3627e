// Runs check pipelines on sources without a server (dumps, generated fixtures): every
// collection is read once for all the pipelines on it, each document going through each
// pipeline's streamed leading stages (runner/sources/pipeline/mingo.ts); collections a
// pipeline joins ($lookup, $graphLookup, $unionWith) are read first and held in memory.
import type { PipelineOutcome, PipelineRequest } from "../source.ts";
import { javascriptOperators, PipelineLimitError, referencedCollections, StreamingPipeline, unsupportedOperators, type Doc } from "./mingo.ts";

export interface PipelineCollectionRef {
  db: string;
  name: string;
}

/** Reads one collection whole, calling `visit` per document (a missing collection has no documents). */
export type DocumentReader = (ref: PipelineCollectionRef, visit: (doc: Doc) => void) => Promise<void>;

export interface ScanPipelineOptions {
  /** The reader hands out shared documents (fixtures) that must not be changed. */
  sharedDocuments: boolean;
  /** A read error, as the report shows it. */
  describeError(ref: PipelineCollectionRef, error: unknown): string;
}

/** Thrown from the visitor to end a scan no pipeline needs any more. */
const STOP = new Error("stop scanning");

const ENGINE = "the in-memory aggregation engine used for dumps (mingo 7)";

export async function runPipelinesByScanning(requests: readonly PipelineRequest[], read: DocumentReader, options: ScanPipelineOptions): Promise<PipelineOutcome[]> {
  const outcomes: (PipelineOutcome | undefined)[] = requests.map((r) => {
    const js = javascriptOperators(r.pipeline);
    if (js.length) {
      return {
        ok: false,
        error: `${r.db}.${r.collection}: ${js.join(", ")} ${js.length === 1 ? "runs" : "run"} JavaScript, which only MongoDB runs (on the server); countly-check never runs a scenario's JavaScript on this machine, so on a dump this check cannot be evaluated: run it against MongoDB (--source mongodb://…) or rewrite it without ${js.length === 1 ? "it" : "them"}`,
      };
    }
    const missing = unsupportedOperators(r.pipeline);
    if (missing.length === 0) return undefined;
    return { ok: false, error: `${r.db}.${r.collection}: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not supported by ${ENGINE}; run this check against MongoDB (--source mongodb://…) or rewrite the pipeline without ${missing.length === 1 ? "it" : "them"}` };
  });

  // Joined collections, read whole once per run.
  const joined = new Map<string, Doc[] | { error: string }>();
  for (const [i, r] of requests.entries()) {
    if (outcomes[i]) continue;
    for (const name of referencedCollections(r.pipeline)) {
      const key = `${r.db}.${name}`;
      if (joined.has(key)) continue;
      const docs: Doc[] = [];
      try {
        await read({ db: r.db, name }, (d) => {
          if (docs.length >= r.maxDocuments) throw new PipelineLimitError(`${key} (joined by $lookup/$graphLookup/$unionWith) has more than ${r.maxDocuments} documents, which the in-memory engine would have to hold at once; raise max_documents`);
          docs.push(d);
        });
        joined.set(key, docs);
      } catch (e) {
        joined.set(key, { error: e instanceof PipelineLimitError ? e.message : options.describeError({ db: r.db, name }, e) });
      }
    }
  }

  const byCollection = new Map<string, number[]>();
  for (const [i, r] of requests.entries()) {
    if (outcomes[i]) continue;
    const failedJoin = referencedCollections(r.pipeline)
      .map((name) => joined.get(`${r.db}.${name}`))
      .find((v): v is { error: string } => !!v && !Array.isArray(v));
    if (failedJoin) {
      outcomes[i] = { ok: false, error: failedJoin.error };
      continue;
    }
    const key = `${r.db}\u0000${r.collection}`;
    byCollection.set(key, [...(byCollection.get(key) ?? []), i]);
  }

  // in (database, collection) order, the order the backup comparison reads in: a dump serves both with one read per collection
  const streamed = [...byCollection.values()].sort((x, y) => {
    const a = requests[x[0]!]!;
    const b = requests[y[0]!]!;
    return a.db < b.db ? -1 : a.db > b.db ? 1 : a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : 0;
  });
  for (const indexes of streamed) {
    const { db, collection } = requests[indexes[0]!]!;
    const running = new Map<number, StreamingPipeline>();
    for (const i of indexes) {
      const r = requests[i]!;
      try {
        running.set(
          i,
          new StreamingPipeline(r.pipeline, {
            maxDocuments: r.maxDocuments,
            // One decoded document goes to every pipeline on the collection: none may change it.
            cloneInput: options.sharedDocuments || indexes.length > 1,
            collections: (name) => {
              const docs = joined.get(`${r.db}.${name}`);
              return Array.isArray(docs) ? docs : [];
            },
          }),
        );
      } catch (e) {
        outcomes[i] = { ok: false, error: engineError(r, e) };
      }
    }
    if (running.size === 0) continue;
    try {
      await read({ db, name: collection }, (doc) => {
        for (const [i, p] of running) {
          try {
            p.push(doc);
          } catch (e) {
            outcomes[i] = { ok: false, error: engineError(requests[i]!, e) };
            running.delete(i);
          }
        }
        if (running.size === 0) throw STOP;
      });
    } catch (e) {
      if (e === STOP) continue;
      const error = options.describeError({ db, name: collection }, e);
      for (const i of running.keys()) outcomes[i] = { ok: false, error };
      continue;
    }
    for (const [i, p] of running) {
      const r = requests[i]!;
      try {
        const rows = p.finish();
        outcomes[i] = { ok: true, rows: rows.length > r.keepRows ? rows.slice(0, r.keepRows) : rows, total: rows.length };
      } catch (e) {
        outcomes[i] = { ok: false, error: engineError(r, e) };
      }
    }
  }
  return outcomes.map((o) => o ?? { ok: false, error: "internal error: pipeline was not run" });
}

function engineError(r: PipelineRequest, e: unknown): string {
  const where = `${r.db}.${r.collection}`;
  if (e instanceof PipelineLimitError) return `${where}: ${e.message}`;
  return `${where}: the pipeline failed in ${ENGINE}: ${(e as Error)?.message ?? String(e)}`;
}
