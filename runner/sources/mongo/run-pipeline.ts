// Check pipelines (`pipeline` and `compare` checks) on a live MongoDB: each runs on the
// server through LiveDb.aggregate, i.e. the driver's `aggregate` with allowDiskUse, the
// source's maxTimeMS and comment, and the client's read preference and read concern
// (secondaryPreferred unless the URI or --read-preference says otherwise). Pipelines
// run one after the other, like facts, so a check run adds no burst of heavy queries to
// a production cluster. Read-only: the scenario loader rejects `$out` and `$merge`, and
// this module refuses them again in case a request comes from elsewhere.
import type { Document } from "mongodb";
import type { PipelineOutcome, PipelineRequest } from "../source.ts";
import type { LiveDb } from "./pipelines/types.ts";

/** Stage names that write; never sent. */
const WRITE_STAGES = new Set(["$out", "$merge"]);

/** The writing stages of a pipeline (none for anything countly-check sends). */
export function writeStagesOf(pipeline: readonly Record<string, unknown>[]): string[] {
  return pipeline.flatMap((stage) => Object.keys(stage)).filter((k) => WRITE_STAGES.has(k));
}

/**
 * Runs each request on the server, keeping its first `keepRows` documents and counting
 * the rest as they stream by (the client never holds more than `keepRows`). An error
 * is that request's outcome; `describe` turns it into the report's one-line message.
 */
export async function runPipelinesLive(
  db: LiveDb,
  requests: readonly PipelineRequest[],
  describe: (error: unknown, what: string) => string = (e) => (e as Error)?.message ?? String(e),
): Promise<PipelineOutcome[]> {
  const outcomes: PipelineOutcome[] = [];
  for (const r of requests) {
    const writes = writeStagesOf(r.pipeline);
    if (writes.length > 0) {
      outcomes.push({ ok: false, error: `${r.db}.${r.collection}: ${writes.join(", ")} would write; countly-check only reads` });
      continue;
    }
    const rows: Record<string, unknown>[] = [];
    let total = 0;
    try {
      for await (const doc of db.aggregate({ db: r.db, name: r.collection }, r.pipeline as Document[], "check pipeline")) {
        total++;
        if (rows.length < r.keepRows) rows.push(doc as Record<string, unknown>);
      }
      outcomes.push({ ok: true, rows, total });
    } catch (e) {
      outcomes.push({ ok: false, error: describe(e, `aggregate on ${r.db}.${r.collection}`) });
    }
  }
  return outcomes;
}
