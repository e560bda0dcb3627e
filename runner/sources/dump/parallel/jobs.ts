// How many worker threads a dump run uses (`--jobs`).
import { availableParallelism } from "node:os";

/** The default: the cores available, at most 8 (beyond, the single reading thread is the limit). */
export const MAX_DEFAULT_JOBS = 8;

/**
 * Without --jobs, workers start only when the raw data they would read is at least this big:
 * starting them costs more than it saves on a small dump. An explicit --jobs N always uses them.
 */
export const DEFAULT_MIN_PARALLEL_BYTES = 64 * 1024 * 1024;

/**
 * Below this many cores the default is one thread: on the 2-core machine the benchmark runs on
 * (its second core busy with other work), 2 workers cost 1.6× the CPU time and gained no wall
 * time (docs/parallel-dumps.md). An explicit --jobs N still uses N.
 */
export const MIN_CORES_FOR_DEFAULT_JOBS = 4;

export function defaultJobs(): number {
  const cores = availableParallelism();
  return cores < MIN_CORES_FOR_DEFAULT_JOBS ? 1 : Math.min(MAX_DEFAULT_JOBS, cores);
}

/** For --progress: how the facts were computed. */
export function describeParallel(r: { workers: number; facts?: readonly string[]; why?: string }): string {
  return r.workers > 0 ? `--jobs: ${r.workers} worker threads built ${r.facts!.join(", ")}` : `--jobs: one thread (${r.why})`;
}
