// Computes facts by scanning collections: every fact's collector is started, each
// collection is read once and its documents go to every collector that reads it.
// Shared by the dump source and the in-memory fixture source.
import { batchEach, mergeFields, visitEach, type Catalog, type CollectionRef, type DumpVisitor } from "../facts/collector.ts";
import { DUMP_COLLECTORS } from "../facts/dump/index.ts";
import type { FactName, FactParams, FactScope } from "../facts/types.ts";
import { FieldLayout, type DocFields, type FieldSelection } from "./dump/bson-fields.ts";
import type { BatchVisit } from "./dump/bson-file-scanner.ts";
import type { FactResults } from "./source.ts";

/** What to read of a collection: the layout of the fields its facts read, and the function to call per document walked with it. */
export interface CollectionRead {
  layout: FieldLayout;
  visit: (doc: DocFields) => void;
  /** The same visits a walked batch at a time (the wasm scanner's batch pass: collector.ts, "Batch kernels"). */
  batch: BatchVisit;
}

/**
 * Reads one collection: calls `prepare` when its read begins (undefined: no fact needs it
 * any more, so the file need not be read for them), then `visit` per document; throws to
 * fail the facts that read it. All collections are asked for at once (a source may read
 * them in any order, together with other readers of the same files); `prepare` must be
 * called at most once.
 */
export type CollectionReader = (ref: CollectionRef, prepare: () => CollectionRead | undefined) => Promise<void>;

/** `read` one collection after the other, in the order they are asked for (for readers that cannot read several at once). */
export function oneAtATime(read: CollectionReader): CollectionReader {
  let last: Promise<void> = Promise.resolve();
  return (ref, prepare) => {
    const next = last.catch(() => undefined).then(() => read(ref, prepare));
    last = next;
    return next;
  };
}

export async function computeFactsByScanning(
  requests: ReadonlyMap<FactName, FactParams>,
  scope: Omit<FactScope, "params">,
  catalog: Catalog,
  read: CollectionReader,
  describeError: (ref: CollectionRef, error: unknown) => string,
): Promise<FactResults> {
  const readers = new Map<string, { ref: CollectionRef; visitors: { fact: FactName; visitor: DumpVisitor<unknown> }[]; fields: (FieldSelection | undefined)[] }>();
  const active = new Map<FactName, DumpVisitor<unknown>>();
  for (const [fact, params] of requests) {
    const collector = DUMP_COLLECTORS[fact];
    const factScope: FactScope = { ...scope, params };
    const visitor = collector.start(factScope, catalog) as DumpVisitor<unknown>;
    active.set(fact, visitor);
    for (const ref of collector.collections(factScope, catalog)) {
      const id = `${ref.db}.${ref.name}`;
      const entry = readers.get(id) ?? { ref, visitors: [], fields: [] };
      entry.visitors.push({ fact, visitor });
      entry.fields.push(collector.fields);
      readers.set(id, entry);
    }
  }
  const failed = new Map<FactName, string>();
  await Promise.all(
    [...readers.values()].map(async ({ ref, visitors, fields }) => {
      // the facts still live when the read begins: one that failed on an earlier collection is not fed any more
      let live: typeof visitors = [];
      try {
        await read(ref, () => {
          live = visitors.filter((v) => !failed.has(v.fact));
          if (live.length === 0) return undefined;
          const layout = new FieldLayout(mergeFields(fields));
          // every reader first: a batch reader may depend on who else reads (collector.ts)
          const visits = live.map((v) => v.visitor.reader(layout, ref));
          const reads = live.map((v) => v.visitor.batchReader?.(layout, ref));
          return { layout, visit: visitEach(visits), batch: batchEach(visits, reads) };
        });
      } catch (e) {
        const message = describeError(ref, e);
        for (const v of live) if (!failed.has(v.fact)) failed.set(v.fact, message);
      }
    }),
  );
  const results: Record<string, unknown> = {};
  for (const [fact, visitor] of active) {
    const error = failed.get(fact);
    results[fact] = error ? { ok: false, error } : { ok: true, value: visitor.finish() };
  }
  return results as FactResults;
}
