// A `--jobs` worker thread: runs the same scanner (DocFields over each document's bytes)
// and the same fact collectors as one thread would, over the documents the main thread
// frames into shared chunks, and hands back each fact's partial value (fact-merge.ts).
// The main thread sends each document of the merged drill_events to the worker of its app
// (app-owner.ts; the worker checks), other collections whole to one worker.
import { parentPort, workerData } from "node:worker_threads";
import { visitEach, type DumpVisitor } from "../../../facts/collector.ts";
import { DUMP_COLLECTORS } from "../../../facts/dump/index.ts";
import { MemoryBudget } from "../../../facts/memory-budget.ts";
import type { FactName, FactScope } from "../../../facts/types.ts";
import { DocFields, FieldLayout } from "../bson-fields.ts";
import { DumpReadError, fieldsFrameVisitor, type FrameVisitor } from "../bson-file-scanner.ts";
import { ownerOf, scopeAppIds, UNKNOWN } from "./app-owner.ts";
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
/** The main thread's routing hint for the document being read. */
let hint = UNKNOWN;

port.on("message", (m: ToWorker) => {
  if (m.type === "documents") {
    try {
      if (!failed) {
        const b = new Uint8Array(m.bytes);
        const d = m.docs;
        for (let i = 0; i < d.length; i += 3) {
          hint = d[i + 2]!;
          onFrame(b, d[i]!, d[i + 1]!, m.base + d[i]!);
        }
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
  const all = visitEach(visits);
  if (!m.byApp) return fieldsFrameVisitor(m.file, new DocFields(layout), all);
  const A = layout.slot("a");
  const { me, jobs } = setup;
  // Documents of no app in scope (no `a`, or another app's) are only counted and timed: any
  // split of them is exact. Those every worker was sent (no hint) are dealt in turn.
  let other = 0;
  return fieldsFrameVisitor(m.file, new DocFields(layout), (doc) => {
    const app = doc.lookup(A, apps);
    if (hint === UNKNOWN) {
      if (app >= 0 ? ownerOf(app, jobs) === me : other++ % jobs === me) all(doc);
      return;
    }
    // sent to this worker alone: it must be one of its apps' (or of none)
    if (app >= 0 && ownerOf(app, jobs) !== me) throw new Misrouted(`the routing hint of the document at byte ${doc.offset} missed its app`);
    all(doc);
  });
}

/** A document sent to the wrong worker: the main thread drops the parallel attempt. */
class Misrouted extends Error {}

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
