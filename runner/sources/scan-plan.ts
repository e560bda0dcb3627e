// Computes facts by scanning collections: every fact's collector is started, each
// collection is read once and its documents go to every collector that reads it.
// Shared by the dump source and the in-memory fixture source.
import { mergeFields, type Catalog, type CollectionRef, type DumpVisitor } from "../facts/collector.ts";
import { DUMP_COLLECTORS } from "../facts/dump/index.ts";
import type { FactName, FactParams, FactScope } from "../facts/types.ts";
import { FieldLayout, type DocFields, type FieldSelection } from "./dump/bson-fields.ts";
import type { FactResults } from "./source.ts";

/** Reads one collection, calling `visit` per document walked with `layout`; throws to fail the facts that read it. */
export type CollectionReader = (ref: CollectionRef, layout: FieldLayout, visit: (doc: DocFields) => void) => Promise<void>;

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
  for (const { ref, visitors, fields } of readers.values()) {
    const live = visitors.filter((v) => !failed.has(v.fact));
    if (live.length === 0) continue;
    try {
      const layout = new FieldLayout(mergeFields(fields));
      const visits = live.map((v) => v.visitor.reader(layout, ref));
      // one reader is the common case: call it directly, without a loop per document
      const only = visits.length === 1 ? visits[0]! : undefined;
      await read(
        ref,
        layout,
        only ??
          ((doc) => {
            for (const visit of visits) visit(doc);
          }),
      );
    } catch (e) {
      const message = describeError(ref, e);
      for (const v of live) failed.set(v.fact, message);
    }
  }
  const results: Record<string, unknown> = {};
  for (const [fact, visitor] of active) {
    const error = failed.get(fact);
    results[fact] = error ? { ok: false, error } : { ok: true, value: visitor.finish() };
  }
  return results as FactResults;
}
