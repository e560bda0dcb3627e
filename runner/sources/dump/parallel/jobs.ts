// How many worker threads a dump run uses (`--jobs`).
import { availableParallelism } from "node:os";

/** The default: the cores available, at most 8 (beyond, the single reading thread is the limit). */
export const MAX_DEFAULT_JOBS = 8;

/**
 * Without --jobs, workers start only when the raw data they would read is at least this big:
 * starting them costs more than it saves on a small dump. An explicit --jobs N always uses them.
 */
export const DEFAULT_MIN_PARALLEL_BYTES = 64 * 1024 * 1024;

export function defaultJobs(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_JOBS, availableParallelism()));
}

/** For --progress: how the facts were computed. */
export function describeParallel(r: { workers: number; facts?: readonly string[]; why?: string }): string {
  return r.workers > 0 ? `--jobs: ${r.workers} worker threads built ${r.facts!.join(", ")}` : `--jobs: one thread (${r.why})`;
}
