// A `--jobs` worker thread: runs the same scanner (DocFields over each document's bytes)
// and the same fact collectors as one thread would, over the documents the main thread
// frames into shared chunks, and hands back each fact's partial value (fact-merge.ts).
// In the merged drill_events every worker sees every document and keeps those of its
// apps (app-owner.ts); other collections are sent whole to one worker.
import { parentPort, workerData } from "node:worker_threads";
import type { DumpVisitor } from "../../../facts/collector.ts";
import { DUMP_COLLECTORS } from "../../../facts/dump/index.ts";
import { MemoryBudget } from "../../../facts/memory-budget.ts";
import type { FactName, FactScope } from "../../../facts/types.ts";
import { DocFields, FieldLayout } from "../bson-fields.ts";
import { DumpReadError, fieldsFrameVisitor, type FrameVisitor } from "../bson-file-scanner.ts";
import { ownerOf, scopeAppIds } from "./app-owner.ts";
import type { FromWorker, ToWorker, WorkerError, WorkerSetup } from "./protocol.ts";

const setup = workerData as WorkerSetup;
const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);

const budget = new MemoryBudget(setup.budgetBytes);
const facts: { fact: FactName; scope: FactScope; visitor: DumpVisitor<unknown> }[] = [];
let failed = false;
try {
  for (const [fact, params] of setup.facts) {
    const scope: FactScope = { ...setup.scope, params, budget };
    facts.push({ fact, scope, visitor: DUMP_COLLECTORS[fact].start(scope, setup.catalog) as DumpVisitor<unknown> });
  }
} catch (e) {
  fail(e);
}

const apps = scopeAppIds(setup.scope.apps);
let onFrame: FrameVisitor = () => {};

port.on("message", (m: ToWorker) => {
  if (m.type === "documents") {
    try {
      if (!failed) {
        const b = new Uint8Array(m.bytes);
        const p = m.positions;
        const first = p[0]!;
        for (let i = 0; i + 1 < p.length; i++) onFrame(b, p[i]!, p[i + 1]!, m.offset + (p[i]! - first));
      }
    } catch (e) {
      fail(e);
    } finally {
      if (m.chunk >= 0) post({ type: "release", chunk: m.chunk });
    }
  } else if (m.type === "collection") {
    if (failed) return;
    try {
      onFrame = collectionReader(m);
    } catch (e) {
      fail(e);
    }
  } else if (m.type === "finish") {
    if (failed) return;
    try {
      const values: Record<string, unknown> = {};
      for (const f of facts) values[f.fact] = f.visitor.finish();
      post({ type: "done", values, usedBytes: budget.usedBytes });
    } catch (e) {
      fail(e);
    }
  }
});

/** The per-document step for one collection: as computeFactsByScanning (runner/sources/scan-plan.ts) sets it up. */
function collectionReader(m: Extract<ToWorker, { type: "collection" }>): FrameVisitor {
  const layout = new FieldLayout(m.selection);
  const visits = m.facts.map((i) => facts[i]!.visitor.reader(layout, m.ref));
  const all = visits.length === 1 ? visits[0]! : (doc: DocFields) => { for (const v of visits) v(doc); };
  if (!m.byApp) return fieldsFrameVisitor(m.file, new DocFields(layout), all);
  const A = layout.slot("a");
  const { me, jobs } = setup;
  // documents of no app in scope (no `a`, or another app's): only counted and timed, so any split is exact; dealt in turn
  let other = 0;
  return fieldsFrameVisitor(m.file, new DocFields(layout), (doc) => {
    const app = doc.lookup(A, apps);
    if (app >= 0 ? ownerOf(app, jobs) === me : other++ % jobs === me) all(doc);
  });
}

function fail(e: unknown): void {
  failed = true;
  const err = e instanceof Error ? e : new Error(String(e));
  const out: WorkerError = { name: err.name, message: err.message };
  if (err instanceof DumpReadError) {
    out.file = err.file;
    out.offset = err.offset;
  }
  post({ type: "error", error: out });
}
