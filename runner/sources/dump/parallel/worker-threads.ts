// Starts the `--jobs` scan workers (scan-worker.ts) under Node (compiled dist/*.js, or the
// TypeScript sources through tsx) and under Deno (TypeScript sources), and talks to them.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { FromWorker, ToWorker, WorkerSetup } from "./protocol.ts";

/** The worker module next to this one: `.js` in dist/, `.ts` when running the sources. */
function workerUrl(): URL {
  const ts = new URL(import.meta.url).pathname.endsWith(".ts");
  return new URL(ts ? "./scan-worker.ts" : "./scan-worker.js", import.meta.url);
}

/**
 * Node runs a `.ts` worker (the sources under tsx or vitest) through a small CommonJS
 * bootstrap that registers tsx in the worker first (a loader in `execArgv` does not reach
 * worker threads on Node 20). Deno and the compiled `.js` load the module directly.
 */
function startWorker(url: URL, setup: WorkerSetup): Worker {
  if ("Deno" in globalThis || !url.pathname.endsWith(".ts")) return new Worker(url, { workerData: setup });
  // tsx's ESM api (its CommonJS twin resolves its own files wrongly from an eval'd worker)
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData: setup });
}

export class ScanWorker {
  private readonly worker: Worker;
  private exited = false;
  private stopping = false;

  constructor(setup: WorkerSetup, onMessage: (m: FromWorker) => void, onCrash: (e: Error) => void) {
    this.worker = startWorker(workerUrl(), setup);
    this.worker.on("message", onMessage);
    this.worker.on("error", (e: Error) => onCrash(e));
    this.worker.on("exit", (code) => {
      this.exited = true;
      if (code !== 0 && !this.stopping) onCrash(new Error(`scan worker ${setup.me} exited with code ${code}`));
    });
  }

  send(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.exited) await this.worker.terminate();
  }
}
